/* The composer: insert a rendered macro at the cursor; the note mode changes the look and
 * is kept per conversation (localStorage), also after sending. A conversation opens
 * scrolled to its newest message. A select marked data-autosubmit (the language picker)
 * submits its form when changed. "Show remote images" loads the images of that one
 * message (held back until asked). */
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

  function ready() {
    restoreMode();
    scrollToNewest();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

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
