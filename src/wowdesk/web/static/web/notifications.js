/* The notification bell (web/_header_tools.html): a drop-down of the newest notifications,
   the unread count kept live from the workspace socket (live.js dispatches every event as
   "wowdesk:live"), "(N) …" in the tab title, and, when the agent turned them on
   (/settings/notifications/), a desktop notification and a short WebAudio beep. */
(function () {
  "use strict";
  var root = document.getElementById("notif");
  if (!root) return;
  var bell = document.getElementById("notif-bell");
  var panel = document.getElementById("notif-panel");
  var countEl = document.getElementById("notif-count");
  var baseTitle = document.title.replace(/^\(\d+\)\s+/, "");
  var lastNewest = null; // the newest unread id seen by this tab
  var loading = null;
  var audio = null;

  function setCount(n) {
    n = Math.max(0, parseInt(n, 10) || 0);
    countEl.textContent = String(n);
    countEl.dataset.count = String(n);
    countEl.hidden = n === 0;
    document.title = n > 0 ? "(" + n + ") " + baseTitle : baseTitle;
  }

  function load() {
    if (loading) return loading;
    loading = fetch(root.dataset.menuUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        panel.innerHTML = html;
        var menu = document.getElementById("notif-menu");
        if (menu) setCount(menu.dataset.unread);
        return menu;
      })
      .finally(function () { loading = null; });
    return loading;
  }

  function open() {
    panel.hidden = false;
    bell.setAttribute("aria-expanded", "true");
    load().then(function () {
      var first = panel.querySelector(".notif-open");
      if (first) first.focus();
    }).catch(function () {});
  }

  function close(focusBell) {
    if (panel.hidden) return;
    panel.hidden = true;
    bell.setAttribute("aria-expanded", "false");
    if (focusBell) bell.focus();
  }

  bell.addEventListener("click", function (e) {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button === 1) return; // a new tab: the page
    e.preventDefault();
    if (panel.hidden) open(); else close(true);
  });
  document.addEventListener("click", function (e) {
    if (!root.contains(e.target)) close(false);
  });
  root.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.stopPropagation(); close(true); }
  });

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.15, audio.currentTime + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.3);
    } catch (err) { /* no sound: nothing else depends on it */ }
  }

  function tellDesktop(menu) {
    if (!("Notification" in window) || window.Notification.permission !== "granted") return;
    try {
      var n = new window.Notification(menu.dataset.newestTitle, {
        tag: "wowdesk-" + menu.dataset.newestId, // one per notification across tabs
      });
      n.onclick = function () {
        window.focus();
        if (menu.dataset.newestUrl) window.location.href = menu.dataset.newestUrl;
        n.close();
      };
    } catch (err) { /* some browsers allow them only from a service worker */ }
  }

  function arrived() {
    load().then(function (menu) {
      if (!menu || !menu.dataset.newestId || menu.dataset.newestId === lastNewest) return;
      lastNewest = menu.dataset.newestId;
      if (menu.dataset.sound === "1") beep();
      if (menu.dataset.desktop === "1" && document.visibilityState !== "visible") tellDesktop(menu);
    }).catch(function () {});
  }

  document.addEventListener("wowdesk:live", function (e) {
    var event = e.detail || {};
    if (event.type === "notification") {
      if (event.reason === "new") arrived(); else load().catch(function () {});
    } else if (event.type === "reconnected") {
      load().catch(function () {});
    }
  });

  // "Mark all read" in the drop-down without leaving the page
  panel.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.querySelector("[data-notif-read-all]")) return;
    e.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" } })
      .then(function () { return load(); }).catch(function () {});
  });

  setCount(countEl.dataset.count);
  lastNewest = null;

  // The settings page: ask the browser's permission on a click, play the sound.
  var ask = document.querySelector("[data-notif-permission]");
  var words = document.getElementById("notif-permission-words");
  function showPermission() {
    var state = document.querySelector("[data-notif-permission-state]");
    var box = document.getElementById("notif-permission");
    if (!state || !box || !words) return;
    box.hidden = false;
    if (!("Notification" in window)) { state.textContent = words.dataset.unsupported; ask.hidden = true; return; }
    var p = window.Notification.permission;
    ask.hidden = p !== "default";
    state.textContent = p === "granted" ? words.dataset.granted : p === "denied" ? words.dataset.denied : "";
  }
  if (ask) {
    showPermission();
    ask.addEventListener("click", function () {
      if (!("Notification" in window)) return;
      var asked = window.Notification.requestPermission(showPermission);
      if (asked && asked.then) asked.then(showPermission);
    });
    var desktop = document.getElementById("id_desktop");
    if (desktop) desktop.addEventListener("change", function () {
      if (desktop.checked && "Notification" in window && window.Notification.permission === "default") {
        window.Notification.requestPermission(showPermission);
      }
    });
  }
  var beepButton = document.querySelector("[data-notif-beep]");
  if (beepButton) beepButton.addEventListener("click", beep);
})();
