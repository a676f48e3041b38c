/* Keyboard shortcuts of the agent workspace. `?` shows the list (the <dialog id="shortcuts">).
   Keys are ignored while typing in a field, and with Ctrl/Alt/Meta held. */
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-list .conv-row"));
  }

  function moveSelection(step) {
    var list = rows();
    if (!list.length) return;
    var current = list.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = current < 0 ? 0 : Math.max(0, Math.min(list.length - 1, current + step));
    list.forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-current"); });
    list[next].classList.add("selected");
    list[next].setAttribute("aria-current", "true");
    var link = list[next].querySelector("a.conv-link");
    if (link) link.focus();
  }

  function go(url) { if (url) window.location.assign(url); }

  function submit(id) {
    var form = document.getElementById(id);
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  function compose(mode) {
    var radio = document.getElementById(mode === "note" ? "mode-note" : "mode-reply");
    var body = document.getElementById("composer-body");
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    if (body) body.focus();
  }

  function openHelp() {
    var d = document.getElementById("shortcuts");
    if (d && !d.open) d.showModal();
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-shortcuts-open]")) openHelp();
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey || typing(e.target)) return;
    var d = document.getElementById("shortcuts");
    if (d && d.open) return; // the dialog handles Esc itself
    var conv = document.querySelector(".conversation");
    var handled = true;
    switch (e.key) {
      case "?": openHelp(); break;
      case "j": conv ? go(conv.dataset.nextUrl) : moveSelection(1); break;
      case "k": conv ? go(conv.dataset.prevUrl) : moveSelection(-1); break;
      case "r": if (conv) compose("reply"); else handled = false; break;
      case "n": if (conv) compose("note"); else handled = false; break;
      case "e": if (conv) submit("resolve-form"); else handled = false; break;
      case "a": if (conv) submit("assign-me-form"); else handled = false; break;
      case "m": {
        var picker = document.getElementById("macro-picker");
        if (picker) picker.focus(); else handled = false;
        break;
      }
      case "/": {
        var q = document.getElementById("q");
        if (q) q.focus(); else handled = false;
        break;
      }
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });
})();
