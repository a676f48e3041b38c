/* Knowledge for agents (knowledge/_suggestions_panel.html): the Suggestions panel and the
 * composer's knowledge search.
 *
 * - "Insert link" / "Insert text" of an article and "Insert" of a macro ask the server for
 *   the text (the article in the customer's language when translated, the macro with its
 *   variables filled in; the server keeps the use) and put it at the composer's caret
 *   through the composer's own object (form#composer .composer, static/web/composer.js).
 *   A macro with actions goes with the reply as from the "/" menu.
 * - Ctrl/⌘+Shift+K, or the composer's "Knowledge base" button, opens a search box under
 *   the composer; its results offer the same buttons.
 * - "Solved it" and "Propose an edit" post with htmx; a refusal (4xx) is shown in place.
 * Loaded once per page (the panel comes back with every conversation swapped in).
 */
(function () {
  "use strict";
  if (window.wowdeskAssist) return;
  window.wowdeskAssist = true;

  var DEBOUNCE_MS = 200;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (err) { return ""; }
  }

  function panel() { return document.querySelector("[data-kb-assist]"); }

  function composer() {
    var form = document.getElementById("composer");
    return form && form.composer ? form.composer : null;
  }

  function failed(text) {
    var c = composer(), p = panel();
    var message = text || (p && p.dataset.tFailed) || "Error";
    if (c) c.showError(message);
  }

  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (k) { body.append(k, data[k]); });
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() }
    }).then(function (r) {
      return r.text().then(function (text) {
        if (!r.ok) throw new Error(text || String(r.status));
        return text;
      });
    });
  }

  // Text goes at the caret, apart from what is before it (a space before a link, an empty
  // line before a paragraph).
  function insert(text, block) {
    var c = composer();
    if (!c) return;
    var body = c.body, before = body.value.slice(0, body.selectionStart);
    if (before && !/\s$/.test(before)) text = (block ? "\n\n" : " ") + text;
    else if (before && block && !/\n\n$/.test(before)) text = (/\n$/.test(before) ? "\n" : "\n\n") + text;
    c.showError("");
    c.insertAtCaret(text);
  }

  function insertArticle(button) {
    var what = button.dataset.what || "text";
    post(button.dataset.kbInsert, { what: what })
      .then(function (text) { insert(text, what === "text"); })
      .catch(function (err) { failed(err.message); });
  }

  function insertMacro(button) {
    var c = composer();
    post(button.dataset.kbInsertMacro, {})
      .then(function (text) {
        insert(text, true);
        // its actions go with the reply, as when it is picked from the "/" menu
        var option = c && c.form.querySelector("#macro-picker option[value='" + button.dataset.macroId + "']");
        if (c && option) c.pickMacro({ id: option.value, actions: option.dataset.actions || "" });
      })
      .catch(function (err) { failed(err.message); });
  }

  // --- the composer's knowledge search ----------------------------------------------------

  var timer = null;

  function searchBox() { return document.getElementById("kb-search"); }

  function mount() {
    var p = panel(), form = document.getElementById("composer");
    if (!p || !form) return;
    var tools = form.querySelector(".composer-tools");
    if (tools && !tools.querySelector("#kb-search-toggle")) {
      var t = p.querySelector("#kb-search-toggle-template");
      if (t) tools.insertBefore(t.content.cloneNode(true), tools.firstChild);
    }
  }

  function openSearch() {
    var p = panel(), form = document.getElementById("composer");
    if (!p || !form) return;
    var box = searchBox();
    if (!box) {
      var t = p.querySelector("#kb-search-template");
      if (!t) return;
      form.parentNode.insertBefore(t.content.cloneNode(true), form.nextSibling);
      box = searchBox();
      var input = box.querySelector("#kb-search-input");
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(runSearch, DEBOUNCE_MS);
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); window.clearTimeout(timer); runSearch(); }
        if (e.key === "Escape") { e.preventDefault(); closeSearch(); }
      });
    }
    box.hidden = false;
    var toggle = document.getElementById("kb-search-toggle");
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    box.querySelector("#kb-search-input").focus();
  }

  function closeSearch() {
    var box = searchBox();
    if (box) box.hidden = true;
    var toggle = document.getElementById("kb-search-toggle");
    if (toggle) toggle.setAttribute("aria-expanded", "false");
    var c = composer();
    if (c) c.body.focus();
  }

  function runSearch() {
    var p = panel(), box = searchBox();
    if (!p || !box) return;
    var q = box.querySelector("#kb-search-input").value.trim();
    var results = box.querySelector("#kb-search-results");
    if (!q) { results.textContent = ""; return; }
    var url = p.dataset.searchUrl + "?" + new URLSearchParams({ q: q, conversation: p.dataset.conversationId });
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        if (box.querySelector("#kb-search-input").value.trim() !== q) return; // typed on
        results.innerHTML = html;
        if (window.htmx) window.htmx.process(results);
      })
      .catch(function () { failed(""); });
  }

  // --- events --------------------------------------------------------------------------------

  document.addEventListener("click", function (e) {
    var target = e.target;
    if (!target.closest) return;
    var b = target.closest("[data-kb-insert]");
    if (b) { insertArticle(b); return; }
    b = target.closest("[data-kb-insert-macro]");
    if (b) { insertMacro(b); return; }
    if (target.closest("#kb-search-toggle")) {
      var box = searchBox();
      if (box && !box.hidden) closeSearch(); else openSearch();
      return;
    }
    if (target.closest("#kb-search-close")) closeSearch();
  });

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey && (e.key === "K" || e.key === "k")) {
      if (!panel() || !document.getElementById("composer")) return;
      e.preventDefault();
      e.stopPropagation();
      openSearch();
    }
  }, true);

  // A refused "Solved it" or proposal (4xx): the reason in place, the text typed kept.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail, target = detail.target;
    if (!target || !target.closest || !(target.closest("[data-kb-assist]") || target.closest("[data-kb-search]"))) return;
    var status = detail.xhr ? detail.xhr.status : 0;
    if (status < 400 || status >= 500) return;
    detail.shouldSwap = false;
    var holder = target.closest("form") || target.parentNode;
    var line = holder.querySelector(".kb-refused");
    if (!line) {
      line = document.createElement("p");
      line.className = "kb-refused flash-error";
      line.setAttribute("role", "alert");
      holder.appendChild(line);
    }
    line.textContent = detail.xhr.responseText;
  });

  function start() { mount(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", start);
  if (window.MutationObserver) {
    new MutationObserver(start).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
