/* The cost page's stacked bar chart: drawn from the JSON block #cost-chart beside the
 * canvas (no inline script: CSP) with the vendored Chart.js. The axis follows the page's
 * direction (RTL); the table under the chart holds the same numbers. */
(function () {
  "use strict";

  function draw() {
    var canvas = document.querySelector("canvas[data-chart='cost-chart']");
    var block = document.getElementById("cost-chart");
    if (!canvas || !block || typeof window.Chart === "undefined") return;
    var spec = JSON.parse(block.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var css = getComputedStyle(document.documentElement);
    var fg = css.getPropertyValue("--fg").trim() || "#0f172a";
    var palette = ["#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf"];
    var datasets = spec.datasets.map(function (ds, i) {
      return { label: ds.label, data: ds.data, backgroundColor: palette[i % palette.length] };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        locale: document.documentElement.lang || undefined,
        plugins: { legend: { rtl: rtl, labels: { color: fg } }, tooltip: { rtl: rtl } },
        scales: {
          x: { stacked: true, reverse: rtl, ticks: { color: fg } },
          y: { stacked: true, position: rtl ? "right" : "left", ticks: { color: fg } }
        }
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
