/* The planner's pages (/wfm/): each <canvas data-chart="ID"> is drawn from the JSON of the
 * <script type="application/json" id="ID"> block beside it (no inline script: CSP), with
 * the vendored Chart.js; a dataset with "low"/"high" gets a shaded band. Selects marked
 * data-autosubmit submit their form; the adherence table (data-refresh) is fetched again
 * every 30 seconds. The tables under the charts hold the same numbers. */
(function () {
  "use strict";

  function colour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#1d4ed8";
  }

  var PALETTE = ["#1d4ed8", "#b45309", "#15803d", "#7c3aed", "#be185d", "#0e7490", "#4d7c0f", "#9f1239"];

  function draw(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    if (!block || typeof window.Chart === "undefined") return;
    var spec = JSON.parse(block.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var fg = colour("--muted");
    var datasets = [];
    spec.datasets.forEach(function (ds, i) {
      var c = PALETTE[i % PALETTE.length];
      if (ds.low && ds.high) {
        datasets.push({ label: ds.label + " (" + (ds.band || "") + ")", data: ds.high, borderWidth: 0,
          pointRadius: 0, fill: "+1", backgroundColor: c + "26", type: "line" });
        datasets.push({ label: "_low", data: ds.low, borderWidth: 0, pointRadius: 0, fill: false, type: "line" });
      }
      datasets.push({ label: ds.label, data: ds.data, borderColor: c, pointRadius: 0,
        backgroundColor: spec.type === "bar" ? c + "b3" : c, spanGaps: false, tension: 0.2 });
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        locale: document.documentElement.lang || undefined,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { rtl: rtl, labels: { color: fg, filter: function (item) { return item.text !== "_low"; } } },
          tooltip: { rtl: rtl, filter: function (item) { return item.dataset.label !== "_low"; } }
        },
        scales: { x: { reverse: rtl, ticks: { color: fg, maxTicksLimit: 14 } },
          y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { color: fg } } }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  function live() {
    var box = document.querySelector("[data-refresh]");
    if (!box) return;
    var url = box.getAttribute("data-refresh");
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (res) { return res.ok ? res.text() : null; })
        .then(function (html) {
          if (html === null) return;
          box.innerHTML = html;
          box.setAttribute("data-refreshed", String(Date.now()));
        })
        .catch(function () { /* the next tick tries again */ });
    }, 30000);
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    autosubmit();
    live();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
