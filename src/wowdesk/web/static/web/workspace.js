/* The three-pane workspace (docs/workspace.md). A conversation opened from the list (htmx,
 * into #open-pane) or loaded opens scrolled to its newest message; the list's selected row
 * follows the open conversation; the composer's text area grows with its text. The views
 * sidebar folds away (kept in localStorage), the context panel is a drawer on narrow
 * screens ("Details"). The theme switch applies at once and is saved on the agent.
 * The composer: insert a rendered macro at the cursor; the note mode changes the look and
 * is kept per conversation (localStorage), also after sending. A select marked
 * data-autosubmit (the language picker) submits its form when changed. "Show remote images"
 * loads the images of that one message (held back until asked). */
(function () {
  "use strict";

  function modeKey() {
    var thread = document.getElementById("thread");
    return thread ? "wowdesk:composer-mode:" + thread.dataset.conversationId : null;
  }

  function rememberMode(mode) {
    var key = modeKey();
    try { if (key) window.localStorage.setItem(key, mode); } catch (err) { /* private mode */ }
  }

  function restoreMode() {
    var key = modeKey(), mode = null;
    try { mode = key ? window.localStorage.getItem(key) : null; } catch (err) { mode = null; }
    if (mode !== "note" && mode !== "reply") return;
    var radio = document.getElementById("mode-" + mode);
    if (radio) radio.checked = true;
    var form = document.getElementById("composer");
    if (form) form.classList.toggle("is-note", mode === "note");
  }

  function scrollToNewest() {
    var thread = document.getElementById("thread");
    if (!thread) return;
    var last = thread.lastElementChild;
    if (thread.scrollHeight > thread.clientHeight) thread.scrollTop = thread.scrollHeight;
    if (last) last.scrollIntoView({ block: "end" });
  }

  function openId() {
    var pane = document.getElementById("open-pane");
    return pane && pane.dataset.conversationId ? pane.dataset.conversationId : "";
  }

  /* The row of the open conversation is the selected one (and the workspace shows the
     conversation rather than the list on a phone). */
  function followOpen() {
    var id = openId();
    var workspace = document.getElementById("workspace");
    if (workspace) workspace.classList.toggle("has-open", !!id);
    document.querySelectorAll("#inbox-list .conv-row").forEach(function (row) {
      var on = !!id && row.dataset.conversationId === id;
      row.classList.toggle("selected", on);
      if (on) {
        row.setAttribute("aria-current", "true");
        row.classList.remove("unread");
        var dot = row.querySelector(".unread-dot");
        if (dot) dot.remove();
        if (row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
      } else {
        row.removeAttribute("aria-current");
      }
    });
  }

  function growComposer() {
    var body = document.getElementById("composer-body");
    if (!body) return;
    body.style.height = "auto";
    body.style.height = body.scrollHeight + 2 + "px";
  }

  var VIEWS_KEY = "wowdesk:views-collapsed";

  function restoreViews() {
    var workspace = document.getElementById("workspace");
    var folded = false;
    try { folded = window.localStorage.getItem(VIEWS_KEY) === "1"; } catch (err) { folded = false; }
    if (workspace) workspace.classList.toggle("views-collapsed", folded);
    var button = document.querySelector("[data-toggle-views]");
    var shown = !folded && !window.matchMedia("(max-width: 1279px)").matches;
    if (button) button.setAttribute("aria-expanded", shown ? "true" : "false");
  }

  function toggleViews(button) {
    var workspace = document.getElementById("workspace");
    if (!workspace) return;
    var narrow = window.matchMedia("(max-width: 1279px)").matches;
    if (narrow) {
      var open = workspace.classList.toggle("views-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var folded = workspace.classList.toggle("views-collapsed");
    button.setAttribute("aria-expanded", folded ? "false" : "true");
    try { window.localStorage.setItem(VIEWS_KEY, folded ? "1" : "0"); } catch (err) { /* private mode */ }
  }

  function toggleDetails(force) {
    var pane = document.getElementById("open-pane");
    var button = document.getElementById("details-toggle");
    if (!pane || !button) return;
    var open = pane.classList.toggle("details-open", force);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  window.wowdeskToggleDetails = toggleDetails;

  function openedConversation() {
    restoreMode();
    growComposer(); // first: the thread's height depends on the composer's
    followOpen();
    scrollToNewest();
  }

  function ready() {
    restoreViews();
    openedConversation();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail && e.detail.target;
    if (!target) return;
    if (target.id === "open-pane" || !document.body.contains(target)) openedConversation();
    else if (target.id === "inbox-list") followOpen();
  });
  document.addEventListener("htmx:historyRestore", function () { ready(); });
  document.addEventListener("input", function (e) {
    if (e.target.id === "composer-body") growComposer();
  });

  document.addEventListener("change", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-autosubmit") && e.target.form) {
      e.target.form.submit();
      return;
    }
    var picker = e.target;
    if (picker.id === "macro-picker" && picker.value) {
      var url = picker.dataset.macroUrl.replace(/\/0\/$/, "/" + encodeURIComponent(picker.value) + "/");
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (text) {
          var body = document.getElementById("composer-body");
          var start = body.selectionStart || 0, end = body.selectionEnd || 0;
          body.value = body.value.slice(0, start) + text + body.value.slice(end);
          body.focus();
          body.selectionStart = body.selectionEnd = start + text.length;
          picker.value = "";
        })
        .catch(function () { picker.value = ""; });
    }
    if (e.target.name === "mode") {
      var form = document.getElementById("composer");
      if (form) form.classList.toggle("is-note", e.target.value === "note");
      rememberMode(e.target.value);
    }
  });

  document.addEventListener("change", function (e) {
    var select = e.target;
    if (!select.hasAttribute || !select.hasAttribute("data-theme-select")) return;
    document.documentElement.dataset.theme = select.value;
    fetch(select.form.action, {
      method: "POST", credentials: "same-origin", body: new FormData(select.form),
      headers: { "HX-Request": "true" }
    }).catch(function () { /* applied here; saved at the next change */ });
  });

  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    var views = e.target.closest("[data-toggle-views]");
    if (views) { toggleViews(views); return; }
    if (e.target.closest("[data-toggle-details]")) { toggleDetails(); return; }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var pane = document.getElementById("open-pane");
    if (pane && pane.classList.contains("details-open")) toggleDetails(false);
    var workspace = document.getElementById("workspace");
    if (workspace) workspace.classList.remove("views-open");
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest(".show-remote-images") : null;
    if (!button) return;
    var message = button.closest("article.message");
    if (!message) return;
    message.querySelectorAll("img[data-remote-src]").forEach(function (img) {
      img.setAttribute("src", img.getAttribute("data-remote-src"));
      img.removeAttribute("data-remote-src");
      img.classList.remove("remote-image");
    });
    var notice = button.closest(".remote-images");
    if (notice) notice.remove();
  });
})();
