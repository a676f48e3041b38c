/* The WOW wall live: a new story of a brand shown here (the workspace socket's "wow.story"
 * event, heard through live.js's "wowdesk:live" DOM event) reloads the cards of the first
 * page in place. Without JavaScript the wall is complete on every load. */
(function () {
  "use strict";
  var cards = document.getElementById("wow-cards");
  if (!cards || cards.dataset.live !== "1") return;
  var brands = (cards.dataset.brands || "").split(",").map(Number);
  var busy = false;

  function reload() {
    if (busy) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("wow-cards");
        if (fresh) cards.innerHTML = fresh.innerHTML;
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }

  document.addEventListener("wowdesk:live", function (e) {
    var event = e.detail || {};
    if (event.type === "reconnected") reload();
    if (event.type === "wow.story" && brands.indexOf(Number(event.brand_id)) !== -1) reload();
  });
})();
