// Custom fields panel (web/_custom_fields.html): a refused save (4xx) still replaces the
// panel, which then shows the reason; htmx swaps only 2xx answers by default.
(function () {
  "use strict";
  if (window.wowdeskFields) return;
  window.wowdeskFields = true;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var target = detail.target;
    if (!target || !target.closest || !target.closest("[data-cf-panel]")) return;
    var status = detail.xhr ? detail.xhr.status : 0;
    if (status >= 400 && status < 500) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
