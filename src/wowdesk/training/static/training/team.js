/* The team page's chart (training/team.html): drawn with the vendored Chart.js from the JSON
 * block beside the canvas; the table under it holds the same numbers. Colours come from the
 * design tokens; the axis follows the page's direction (RTL). */
(function () {
  "use strict";
  function token(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }
  function init() {
    var canvas = document.querySelector("canvas[data-chart]");
    if (!canvas || typeof window.Chart === "undefined") return;
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    if (!block) return;
    var spec = JSON.parse(block.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var probe = getComputedStyle(canvas);
    var fg = probe.color;
    var colours = [token("--accent", "#1d4ed8"), token("--ok", "#15803d")];
    var datasets = spec.datasets.map(function (ds, i) {
      return { label: ds.label, data: ds.data, yAxisID: ds.unit === "count" ? "yCount" : "y",
        backgroundColor: colours[i % colours.length], borderColor: colours[i % colours.length] };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { rtl: rtl, labels: { color: fg } }, tooltip: { rtl: rtl } },
        scales: {
          x: { reverse: rtl, ticks: { color: fg } },
          y: { position: rtl ? "right" : "left", min: 0, max: 100, ticks: { color: fg } },
          yCount: { position: rtl ? "left" : "right", min: 0, ticks: { color: fg, precision: 0 },
            grid: { drawOnChartArea: false } }
        }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
