/* The report pages' charts: each <canvas data-chart="ID"> is drawn from the JSON of the
 * <script type="application/json" id="ID"> block beside it (no inline script: CSP), with
 * Chart.js (vendored). Colours follow the theme (read from CSS classes), the axis follows
 * the page's direction (RTL), and a click on a point or bar opens the conversations behind
 * it. The table under each chart holds the same numbers: the page is whole without this. */
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

  function withAlpha(rgb, a) {
    var m = /rgba?\(([^)]+)\)/.exec(rgb);
    if (!m) return rgb;
    var p = m[1].split(",").map(function (s) { return s.trim(); });
    return "rgba(" + p[0] + ", " + p[1] + ", " + p[2] + ", " + a + ")";
  }

  function draw(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    if (!block || typeof window.Chart === "undefined") return;
    var spec = JSON.parse(block.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var fg = colour("rp-c-fg"), grid = colour("rp-c-grid");
    var palette = [colour("rp-c-1"), colour("rp-c-2"), colour("rp-c-3"), colour("rp-c-4")];
    var datasets = [];
    spec.datasets.forEach(function (ds, i) {
      var c = palette[i % palette.length];
      var yAxis = ds.unit === "seconds" ? "yTime" : "y";
      if (ds.low && ds.high) {
        datasets.push({ label: ds.label + " (95 %)", data: ds.high, yAxisID: yAxis, borderWidth: 0,
          pointRadius: 0, fill: "+1", backgroundColor: withAlpha(c, 0.15), type: "line" });
        datasets.push({ label: "_low", data: ds.low, yAxisID: yAxis, borderWidth: 0,
          pointRadius: 0, fill: false, type: "line" });
      }
      datasets.push({ label: ds.label, data: ds.data, yAxisID: yAxis, borderColor: c,
        backgroundColor: spec.type === "bar" ? withAlpha(c, 0.7) : c, spanGaps: true, tension: 0.2 });
    });
    var hasTime = spec.datasets.some(function (d) { return d.unit === "seconds"; });
    var hasOther = spec.datasets.some(function (d) { return d.unit !== "seconds"; });
    var scales = { x: { reverse: rtl, ticks: { color: fg }, grid: { color: grid } } };
    if (hasOther) scales.y = { position: rtl ? "right" : "left", ticks: { color: fg }, grid: { color: grid } };
    if (hasTime) scales.yTime = { position: hasOther ? (rtl ? "left" : "right") : (rtl ? "right" : "left"),
      title: { display: true, text: "h", color: fg }, ticks: { color: fg }, grid: { drawOnChartArea: !hasOther, color: grid } };
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        locale: document.documentElement.lang || undefined,
        plugins: {
          legend: { rtl: rtl, labels: { color: fg, filter: function (item) { return item.text !== "_low"; } } },
          tooltip: { rtl: rtl, filter: function (item) { return item.dataset.label !== "_low"; } }
        },
        scales: scales,
        onClick: function (event, elements) {
          if (!elements.length) return;
          var link = spec.links[elements[0].index];
          if (link) window.location.assign(link);
        },
        onHover: function (event, elements) {
          canvas.style.cursor = elements.length && spec.links[elements[0].index] ? "pointer" : "default";
        }
      }
    });
    canvas.setAttribute("data-drawn", "1");
    return chart;
  }

  function presets() {
    var select = document.querySelector("[data-preset]");
    if (!select) return;
    var dates = document.querySelectorAll("#report-filters input[type=date]");
    dates.forEach(function (input) {
      input.addEventListener("change", function () { select.value = "custom"; });
    });
    select.addEventListener("change", function () {
      if (select.value !== "custom") select.form.requestSubmit();
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    presets();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
