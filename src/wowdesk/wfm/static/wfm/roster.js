/* The roster pages (no inline script: CSP).
 * - While a roster is being solved, every element with data-poll-url asks for its progress
 *   every 2 s, moves its <progress> bar, and reloads the page when the status changes.
 * - The required vs scheduled chart (Chart.js, vendored) draws the series of the language
 *   picked in #ro-lang from the JSON block named by the canvas's data-series.
 * - Each simulation chart draws the mean service level and its 10th percentile.
 * The tables under the charts hold the same numbers: the page is whole without this. */
(function () {
  "use strict";

  function colour(cls) {
    var probe = document.createElement("span");
    probe.className = "rp-swatch " + cls;
    document.body.appendChild(probe);
    var c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  }

  function poll(el) {
    var url = el.getAttribute("data-poll-url");
    var status = el.getAttribute("data-status");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) return;
          if (body.status !== status) { window.location.reload(); return; }
          var bar = el.querySelector("progress");
          if (bar) { bar.value = Math.round(100 * body.progress); bar.textContent = bar.value + " %"; }
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 2000);
  }

  function lineChart(canvas, labels, sets) {
    var rtl = document.documentElement.dir === "rtl";
    var fg = colour("rp-c-fg"), grid = colour("rp-c-grid");
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: sets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { rtl: rtl, labels: { color: fg } }, tooltip: { rtl: rtl } },
        scales: {
          x: { reverse: rtl, ticks: { color: fg, maxTicksLimit: 14 }, grid: { color: grid } },
          y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { color: fg }, grid: { color: grid } }
        }
      }
    });
  }

  function required(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-series"));
    if (!block || typeof window.Chart === "undefined") return;
    var all = JSON.parse(block.textContent);
    var pick = document.getElementById("ro-lang");
    var c1 = colour("rp-c-1"), c2 = colour("rp-c-2");
    var chart = null;
    function draw() {
      var s = all[pick ? pick.value : ""] || all[""];
      if (chart) chart.destroy();
      chart = lineChart(canvas, s.labels, [
        { label: canvas.getAttribute("data-label-required"), data: s.required, borderColor: c1,
          backgroundColor: c1, stepped: true, pointRadius: 0 },
        { label: canvas.getAttribute("data-label-scheduled"), data: s.scheduled, borderColor: c2,
          backgroundColor: c2, stepped: true, pointRadius: 0 }
      ]);
    }
    if (pick) pick.addEventListener("change", draw);
    draw();
  }

  function simulated(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-sim"));
    if (!block || typeof window.Chart === "undefined") return;
    var s = JSON.parse(block.textContent);
    var c1 = colour("rp-c-1"), c4 = colour("rp-c-4");
    lineChart(canvas, s.labels, [
      { label: canvas.getAttribute("data-label-sl"), data: s.sl, borderColor: c1, backgroundColor: c1, pointRadius: 0 },
      { label: canvas.getAttribute("data-label-p10"), data: s.p10, borderColor: c4, backgroundColor: c4,
        borderDash: [4, 3], pointRadius: 0 }
    ]);
  }

  function start() {
    document.querySelectorAll("[data-poll-url]").forEach(poll);
    document.querySelectorAll("canvas[data-series]").forEach(required);
    document.querySelectorAll("canvas[data-sim]").forEach(simulated);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
