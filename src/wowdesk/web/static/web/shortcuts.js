/* Keyboard shortcuts of the agent workspace. `?` shows the list (the <dialog id="shortcuts">).
   Keys are ignored while typing in a field, and with Ctrl/Alt/Meta held. In the three-pane
   inbox j/k select the next/previous row and open it (htmx, no page load); past the list's
   first or last row of the page they go to the neighbour through the server. */
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

  function selectedIndex(list) {
    return list.findIndex(function (r) { return r.classList.contains("selected"); });
  }

  function openRow(row) {
    var link = row && row.querySelector("a.conv-link");
    if (!link) return;
    link.focus();
    link.click();
  }

  /* The next/previous row, selected and opened; beyond the rows of this page, the open
     conversation's neighbour from the server (a page load). */
  function moveSelection(step, conv) {
    var list = rows();
    var current = selectedIndex(list);
    var next = current < 0 ? 0 : current + step;
    if (!list.length || next < 0 || next >= list.length || (current < 0 && conv)) {
      if (conv) go(step > 0 ? conv.dataset.nextUrl : conv.dataset.prevUrl);
      return;
    }
    list.forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-current"); });
    list[next].classList.add("selected");
    list[next].setAttribute("aria-current", "true");
    openRow(list[next]);
  }

  function backToList(conv) {
    var list = rows();
    var current = selectedIndex(list);
    if (window.matchMedia("(max-width: 700px)").matches || !list.length) {
      go(conv.dataset.listUrl);
      return;
    }
    var link = list[Math.max(0, current)].querySelector("a.conv-link");
    if (link) link.focus();
  }

  function snooze() {
    if (window.wowdeskToggleDetails && window.matchMedia("(max-width: 1100px)").matches) {
      window.wowdeskToggleDetails(true);
    }
    var first = document.querySelector("#snooze-form button[name=snooze]");
    if (first) first.focus();
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
    var conv = document.querySelector("#open-pane .conversation");
    var handled = true;
    switch (e.key) {
      case "?": openHelp(); break;
      case "j": moveSelection(1, conv); break;
      case "k": moveSelection(-1, conv); break;
      case "Enter":
      case "o": {
        var list = rows(), at = selectedIndex(list);
        if (e.key === "Enter" && e.target.closest && e.target.closest("a, button")) { handled = false; break; }
        if (at >= 0) openRow(list[at]); else handled = false;
        break;
      }
      case "u": if (conv) backToList(conv); else handled = false; break;
      case "s": if (conv) snooze(); else handled = false; break;
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
