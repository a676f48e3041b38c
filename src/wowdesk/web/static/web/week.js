// The week editor: a 7-day x 24-hour grid over the seven "HH:MM-HH:MM" rows of a
// [data-week] fieldset (an agent's shifts, a site's opening hours). Click or drag to
// paint or clear whole hours (mouse, pen or finger); the row of each day painted is
// rewritten from the grid. Typing in a row repaints the grid. Without JavaScript the rows
// are the form.
(function () {
  "use strict";

  function minutes(text) {
    var m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
    return m ? Number(m[1]) * 60 + Number(m[2]) : null;
  }

  function spans(text) {
    var out = [];
    text.split(/[,;]/).forEach(function (part) {
      var bits = part.replace("\u2013", "-").split("-");
      if (bits.length !== 2) return;
      var lo = minutes(bits[0]), hi = minutes(bits[1]);
      if (lo === null || hi === null || lo === hi) return;
      out.push([lo, hi]);
    });
    return out;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function rowText(hours) {
    var parts = [], start = -1;
    for (var h = 0; h <= 24; h++) {
      var on = h < 24 && hours[h];
      if (on && start < 0) start = h;
      if (!on && start >= 0) { parts.push(pad(start) + ":00-" + pad(h) + ":00"); start = -1; }
    }
    return parts.join(", ");
  }

  function setup(box) {
    var grid = box.querySelector("[data-week-grid]");
    var inputs = Array.prototype.slice.call(box.querySelectorAll("input[data-day]"));
    if (!grid || inputs.length !== 7) return;
    var cells = [];  // cells[day][hour]
    var table = document.createElement("table");
    var head = document.createElement("tr");
    head.appendChild(document.createElement("th"));
    for (var h = 0; h < 24; h++) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = h % 3 === 0 ? pad(h) : "";
      head.appendChild(th);
    }
    var thead = document.createElement("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = document.createElement("tbody");
    inputs.forEach(function (input, d) {
      var tr = document.createElement("tr");
      var label = box.querySelector('label[for="' + input.id + '"]');
      var th = document.createElement("th");
      th.scope = "row";
      var name = label ? label.textContent.trim() : input.dataset.day;
      th.textContent = name.slice(0, 3);
      th.title = name;
      tr.appendChild(th);
      cells.push([]);
      for (var h = 0; h < 24; h++) {
        var td = document.createElement("td");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "hour";
        b.dataset.day = String(d);
        b.dataset.hour = String(h);
        b.setAttribute("aria-pressed", "false");
        b.setAttribute("aria-label", name + " " + pad(h) + ":00");
        td.appendChild(b);
        tr.appendChild(td);
        cells[d].push(b);
      }
      body.appendChild(tr);
    });
    table.appendChild(body);
    grid.appendChild(table);
    grid.hidden = false;

    function paintFromInputs() {
      cells.forEach(function (row) { row.forEach(function (b) { b.setAttribute("aria-pressed", "false"); b.classList.remove("carry"); }); });
      inputs.forEach(function (input, d) {
        spans(input.value).forEach(function (s) {
          var lo = s[0], hi = s[1] > s[0] ? s[1] : 1440;
          for (var h = 0; h < 24; h++) {
            if (h * 60 < hi && (h + 1) * 60 > lo) cells[d][h].setAttribute("aria-pressed", "true");
          }
          if (s[1] < s[0]) {  // past midnight: shown on the next day, kept on this row
            for (var k = 0; k * 60 < s[1]; k++) cells[(d + 1) % 7][k].classList.add("carry");
          }
        });
      });
    }

    function writeRow(d) {
      var on = cells[d].map(function (b) { return b.getAttribute("aria-pressed") === "true"; });
      inputs[d].value = rowText(on);
      inputs[d].dispatchEvent(new Event("change", { bubbles: true }));
    }

    var painting = null, touched = {};
    function apply(b) {
      b.setAttribute("aria-pressed", painting ? "true" : "false");
      touched[b.dataset.day] = true;
    }
    function finish() {
      if (painting === null) return;
      Object.keys(touched).forEach(function (d) { writeRow(Number(d)); });
      painting = null;
      touched = {};
    }
    // Pointer events: the mouse, a pen and a finger alike (the grid does not scroll
    // under a finger: touch-action none in week.css).
    grid.addEventListener("pointerdown", function (e) {
      var b = e.target.closest("button.hour");
      if (!b || e.button > 0) return;
      e.preventDefault();
      painting = b.getAttribute("aria-pressed") !== "true";
      apply(b);
    });
    document.addEventListener("pointermove", function (e) {
      if (painting === null) return;
      var el = document.elementFromPoint(e.clientX, e.clientY);
      var b = el && el.closest ? el.closest("button.hour") : null;
      if (b && grid.contains(b)) apply(b);
    });
    document.addEventListener("pointerup", finish);
    document.addEventListener("pointercancel", finish);
    grid.addEventListener("keydown", function (e) {
      var b = e.target.closest("button.hour");
      if (!b || (e.key !== " " && e.key !== "Enter")) return;
      e.preventDefault();
      painting = b.getAttribute("aria-pressed") !== "true";
      apply(b);
      finish();
    });
    inputs.forEach(function (input) { input.addEventListener("input", paintFromInputs); });
    paintFromInputs();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-week]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
