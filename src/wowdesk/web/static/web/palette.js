/* The command palette: Ctrl/⌘-K anywhere in the workspace (web/_palette.html).
   Searches conversations, customers and macros (GET /palette/?q=, web/palette.py) and
   filters the actions this page offers (the template's list, plus any registered with
   window.wowdeskPalette.register({label, run, group?})). Arrows choose, Enter opens,
   Esc closes. */
(function () {
  "use strict";
  var dialog = document.getElementById("palette");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var input = document.getElementById("palette-q");
  var list = document.getElementById("palette-results");
  var words = document.getElementById("palette-actions");
  var extra = [];
  var items = []; // what is shown: {label, detail, run}
  var selected = -1;
  var seq = 0;
  var timer = null;

  function openConversation() {
    var thread = document.getElementById("thread");
    return thread ? Number(thread.dataset.conversationId) || 0 : 0;
  }

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function post(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.hidden = true;
    fields.csrfmiddlewaretoken = csrf();
    Object.keys(fields).forEach(function (k) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = k; i.value = fields[k];
      form.appendChild(i);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function builtinActions() {
    var out = [];
    var open = openConversation();
    Array.prototype.forEach.call(words.querySelectorAll("li"), function (li) {
      var d = li.dataset;
      if (d.needs === "conversation" && !open) return;
      var run;
      if (d.kind === "go") run = function () { window.location.href = d.url; };
      else if (d.kind === "update") {
        run = function () {
          var f = {}; f[d.field] = d.value;
          post("/inbox/c/" + encodeURIComponent(open) + "/update/", f);
        };
      } else if (d.kind === "theme") {
        run = function () {
          var html = document.documentElement;
          var dark = html.dataset.theme ? html.dataset.theme !== "dark"
            : !(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
          html.dataset.theme = dark ? "dark" : "light";
          try { localStorage.setItem("wowdesk.theme", html.dataset.theme); } catch (e) { /* private mode */ }
          document.dispatchEvent(new CustomEvent("wowdesk:theme", { detail: html.dataset.theme }));
        };
      }
      if (run) out.push({ label: li.textContent.trim(), detail: "", run: run, kind: "action" });
    });
    return out.concat(extra);
  }

  function matches(label, q) {
    if (!q) return true;
    var l = label.toLocaleLowerCase();
    return q.toLocaleLowerCase().split(/\s+/).every(function (w) { return l.indexOf(w) !== -1; });
  }

  function insertMacro(macroId) {
    var open = openConversation();
    var box = document.getElementById("composer-body");
    if (!open || !box) { note(words.dataset.noComposer); return; }
    fetch("/inbox/c/" + encodeURIComponent(open) + "/macros/" + encodeURIComponent(macroId) + "/",
      { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var start = box.selectionStart || 0, end = box.selectionEnd || 0;
        box.value = box.value.slice(0, start) + text + box.value.slice(end);
        box.focus();
        box.selectionStart = box.selectionEnd = start + text.length;
        box.dispatchEvent(new Event("input", { bubbles: true }));
      }).catch(function () { note(words.dataset.failed); });
  }

  function note(text) {
    list.innerHTML = "";
    var li = document.createElement("li");
    li.className = "palette-empty";
    li.textContent = text;
    list.appendChild(li);
  }

  function render(groups) {
    list.innerHTML = "";
    items = [];
    groups.forEach(function (g) {
      if (!g.items.length) return;
      var head = document.createElement("li");
      head.className = "palette-group";
      head.setAttribute("role", "presentation");
      head.textContent = g.label;
      list.appendChild(head);
      g.items.forEach(function (it) {
        var li = document.createElement("li");
        li.className = "palette-item";
        li.id = "palette-item-" + items.length;
        li.setAttribute("role", "option");
        li.dataset.group = g.key;
        var label = document.createElement("span");
        label.textContent = it.label;
        li.appendChild(label);
        if (it.detail) {
          var detail = document.createElement("span");
          detail.className = "palette-detail";
          detail.textContent = it.detail;
          li.appendChild(detail);
        }
        var index = items.length;
        li.addEventListener("mousemove", function () { select(index); });
        li.addEventListener("click", function () { choose(index); });
        list.appendChild(li);
        items.push(it);
      });
    });
    if (!items.length) note(words.dataset.noResults);
    select(items.length ? 0 : -1);
  }

  function select(i) {
    var old = document.getElementById("palette-item-" + selected);
    if (old) old.setAttribute("aria-selected", "false");
    selected = i;
    var now = document.getElementById("palette-item-" + i);
    if (now) {
      now.setAttribute("aria-selected", "true");
      now.scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", now.id);
    } else input.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    var it = items[i];
    if (!it) return;
    if (it.run) { dialog.close(); it.run(); return; }
    if (it.macro) { dialog.close(); insertMacro(it.id); return; }
    if (it.url) { dialog.close(); window.location.href = it.url; }
  }

  function search() {
    var q = input.value.trim();
    var actions = { key: "actions", label: words.dataset.group,
      items: builtinActions().filter(function (a) { return matches(a.label, q); }) };
    if (!q) { render([actions]); return; }
    var mine = ++seq;
    var url = dialog.dataset.searchUrl + "?q=" + encodeURIComponent(q);
    if (openConversation()) url += "&conversation=" + openConversation();
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (mine !== seq) return; // a newer search is on its way
        var groups = data.groups.map(function (g) {
          if (g.key === "macros") g.items.forEach(function (m) { m.macro = true; });
          if (g.key === "customers") g.items = g.items.filter(function (c) { return c.url; });
          return g;
        });
        render(groups.concat([actions]));
      })
      .catch(function () { if (mine === seq) render([actions]); });
  }

  function show() {
    if (dialog.open) { input.select(); return; }
    input.value = "";
    dialog.showModal();
    input.focus();
    search();
  }

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      show();
    }
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); if (items.length) select((selected + 1) % items.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); if (items.length) select((selected - 1 + items.length) % items.length); }
    else if (e.key === "Enter") { e.preventDefault(); choose(selected); }
    // a search field would only clear itself on the first Esc
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); dialog.close(); }
  });
  dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });

  window.wowdeskPalette = {
    open: show,
    register: function (action) {
      if (action && action.label && typeof action.run === "function") extra.push(action);
    },
  };
})();
