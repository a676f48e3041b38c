/* The scenario form (training/scenarios.html): "Add a fact" adds one more name/value row.
 * No inline script (CSP); without this the form still has one empty row. */
(function () {
  "use strict";
  function init() {
    var button = document.getElementById("tr-add-fact");
    if (!button) return;
    button.addEventListener("click", function () {
      var rows = document.querySelectorAll("#tr-facts .tr-fact");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      last.after(copy);
      copy.querySelector("input").focus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
