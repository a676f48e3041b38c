/* The reply composer (web/_composer.html).
 *
 * - Reply / Internal note tabs and the draft are kept per conversation (localStorage):
 *   leaving a conversation and coming back finds both as they were; a sent message clears
 *   its draft.
 * - "/" at the start of a word opens the macros (filtered by name and language as one
 *   types; arrows and Enter insert the macro rendered by the server); "@" in a note offers
 *   the colleagues of the conversation's brand and inserts "@Display Name ".
 * - A macro with actions, inserted by "/" or the macro select, is sent along (macro_id):
 *   "Will also: …" under the composer says what its actions change; × drops them.
 * - An emoji picker (static/web/emoji.json, searchable) inserts at the caret.
 * - Files dropped on the composer or pasted into it become chips (name, size, remove)
 *   and are sent with the form; the form is sent in the background so that a refusal is
 *   shown next to the composer and nothing typed is lost.
 * - "Preview in <language>" shows the reply translated; the agent sends either.
 * Without JavaScript the form still works: radios, the macro select, the file input.
 */
(function () {
  "use strict";

  var MODE_PREFIX = "wowdesk:composer-mode:";
  var DRAFT_PREFIX = "wowdesk:composer-draft:";

  function store(key, value) {
    try {
      if (value === null || value === "") window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (err) { /* storage off: nothing kept */ }
  }

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (err) { return null; }
  }

  function humanSize(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
    return (n / 1024 / 1024).toFixed(1) + " MB";
  }

  function Composer(form) {
    this.form = form;
    this.id = form.dataset.conversationId;
    this.body = form.querySelector("#composer-body");
    this.popup = form.querySelector("#composer-popup");
    this.errorBox = form.querySelector("#composer-error");
    this.fileList = form.querySelector("#composer-files");
    this.fileInput = form.querySelector("#attachments");
    this.files = [];
    this.items = [];
    this.active = -1;
    this.trigger = null;
    this.people = null;
    this.emoji = null;
    this.bind();
    this.restore();
  }

  Composer.prototype.mode = function () {
    var checked = this.form.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "reply";
  };

  Composer.prototype.setMode = function (mode) {
    var radio = this.form.querySelector("#mode-" + mode);
    if (radio) radio.checked = true;
    this.form.classList.toggle("is-note", mode === "note");
    this.form.dataset.mode = mode;
  };

  Composer.prototype.restore = function () {
    var mode = load(MODE_PREFIX + this.id);
    if (mode === "note" || mode === "reply") this.setMode(mode);
    else this.setMode(this.mode());
    var draft = load(DRAFT_PREFIX + this.id);
    // A draft the server sent back (a refused form) wins over the stored one.
    if (draft && !this.body.value) this.body.value = draft;
  };

  Composer.prototype.saveDraft = function () {
    store(DRAFT_PREFIX + this.id, this.body.value);
  };

  Composer.prototype.bind = function () {
    var self = this;
    this.form.addEventListener("change", function (e) {
      if (e.target.id === "macro-picker" && e.target.value) {
        var option = e.target.options[e.target.selectedIndex];
        self.pickMacro({ id: option.value, actions: option.dataset.actions || "" });
      }
      if (e.target.name === "mode") {
        self.setMode(e.target.value);
        store(MODE_PREFIX + self.id, e.target.value);
        self.close();
      }
    });
    this.body.addEventListener("input", function () {
      self.saveDraft();
      self.suggest();
    });
    this.body.addEventListener("click", function () { self.suggest(); });
    this.body.addEventListener("keydown", function (e) { self.keydown(e); });
    this.body.addEventListener("blur", function () {
      // later than a click on a suggestion; not if the body has the focus again by then
      window.setTimeout(function () { if (document.activeElement !== self.body) self.close(); }, 150);
    });
    this.popup.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li[data-index]");
      if (!li) return;
      e.preventDefault();
      self.choose(Number(li.dataset.index));
    });
    // files: the input, a drop on the composer, a paste into it
    if (this.fileInput) {
      this.fileInput.addEventListener("change", function () {
        self.addFiles(self.fileInput.files);
        self.fileInput.value = "";
      });
    }
    this.form.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0) {
        e.preventDefault();
        self.form.classList.add("is-dropping");
      }
    });
    this.form.addEventListener("dragleave", function () { self.form.classList.remove("is-dropping"); });
    this.form.addEventListener("drop", function (e) {
      self.form.classList.remove("is-dropping");
      if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
      e.preventDefault();
      self.addFiles(e.dataTransfer.files);
    });
    this.body.addEventListener("paste", function (e) {
      var data = e.clipboardData;
      if (!data || !data.files || !data.files.length) return;
      e.preventDefault();
      self.addFiles(data.files, true);
    });
    this.fileList.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-file]");
      if (!button) return;
      self.files.splice(Number(button.dataset.file), 1);
      self.renderFiles();
    });
    var drop = this.form.querySelector("#composer-macro-drop");
    if (drop) drop.addEventListener("click", function () { self.setMacro("", ""); self.body.focus(); });
    this.form.addEventListener("submit", function (e) { self.submit(e); });
    this.setupEmoji();
    this.setupPreview();
  };

  // --- errors next to the composer ------------------------------------------------------

  Composer.prototype.showError = function (text) {
    if (!this.errorBox) return;
    this.errorBox.textContent = text || "";
    this.errorBox.hidden = !text;
  };

  // --- attachments -----------------------------------------------------------------------

  Composer.prototype.addFiles = function (list, pasted) {
    var max = Number(this.form.dataset.maxBytes) || Infinity;
    var refused = [];
    for (var i = 0; i < list.length; i++) {
      var file = list[i];
      if (file.size > max) { refused.push(file.name); continue; }
      if (pasted && (!file.name || file.name === "image.png")) {
        var ext = (file.type.split("/")[1] || "png").replace(/[^a-z0-9]/gi, "");
        var stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15);
        file = new File([file], (this.form.dataset.tPasted || "pasted") + "-" + stamp + "." + ext,
                        { type: file.type });
      }
      this.files.push(file);
    }
    this.showError(refused.length ? this.form.dataset.tTooBig + " (" + refused.join(", ") + ")" : "");
    this.renderFiles();
  };

  Composer.prototype.renderFiles = function () {
    var list = this.fileList, label = this.form.dataset.tRemove || "Remove";
    list.textContent = "";
    this.files.forEach(function (file, i) {
      var li = document.createElement("li");
      li.className = "composer-file";
      var name = document.createElement("span");
      name.className = "composer-file-name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "composer-file-size";
      size.textContent = humanSize(file.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.file = String(i);
      remove.setAttribute("aria-label", label + " " + file.name);
      remove.textContent = "×";
      li.append(name, " ", size, " ", remove);
      list.appendChild(li);
    });
  };

  // --- sending -----------------------------------------------------------------------------

  Composer.prototype.submit = function (e) {
    if (!window.fetch || !window.FormData) return; // the plain form post
    e.preventDefault();
    var self = this, data = new FormData(this.form);
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    data.delete("attachments");
    this.files.forEach(function (file) { data.append("attachments", file, file.name); });
    var buttons = this.form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    this.showError("");
    fetch(this.form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) {
        if (r.ok) {
          // Back on this conversation: sent. Anywhere else (the login page of an expired
          // session) nothing was: the draft stays for when the agent comes back.
          var back = new URL(r.url, window.location.href);
          if (back.pathname === new URL(self.form.dataset.pageUrl, window.location.href).pathname) {
            store(DRAFT_PREFIX + self.id, null);
          }
          self.files = [];
          window.location.assign(r.url);
          return null;
        }
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var flash = doc.querySelector(".flash-error");
          self.showError(flash ? flash.textContent.trim() : r.status + " " + r.statusText);
        });
      })
      .catch(function () { self.showError(self.form.dataset.tFailed); })
      .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  };

  // --- "/" macros and "@" mentions -----------------------------------------------------------

  Composer.prototype.macros = function () {
    var picker = this.form.querySelector("#macro-picker");
    if (!picker) return [];
    return Array.prototype.filter.call(picker.options, function (o) { return o.value; })
      .map(function (o) {
        return { id: o.value, name: o.dataset.name || o.text, language: o.dataset.language || "",
                 actions: o.dataset.actions || "",
                 label: o.text, url: picker.dataset.macroUrl.replace(/\/0\/$/, "/" + o.value + "/") };
      });
  };

  Composer.prototype.token = function () {
    var before = this.body.value.slice(0, this.body.selectionStart);
    var macro = /(^|\s)\/([^\s\/]*)$/.exec(before);
    if (macro) return { kind: "macro", query: macro[2], start: before.length - macro[2].length - 1 };
    if (this.mode() === "note") {
      var mention = /(^|\s)@([^@\n]{0,40})$/.exec(before);
      if (mention) return { kind: "mention", query: mention[2], start: before.length - mention[2].length - 1 };
    }
    return null;
  };

  Composer.prototype.suggest = function () {
    var self = this, token = this.token();
    if (!token) { this.close(); return; }
    var q = token.query.toLowerCase();
    if (token.kind === "macro") {
      var found = this.macros().filter(function (m) {
        return !q || m.name.toLowerCase().indexOf(q) >= 0 || m.language.toLowerCase() === q;
      });
      this.open(token, found.map(function (m) { return { label: m.label, value: m }; }));
      return;
    }
    this.loadPeople(function (people) {
      var now = self.token();
      if (!now || now.kind !== "mention") return;
      var query = now.query.toLowerCase();
      var found = people.filter(function (p) {
        var name = p.name.toLowerCase();
        return !query || name.indexOf(query) === 0 || name.indexOf(" " + query) >= 0;
      });
      if (!found.length && query.indexOf(" ") >= 0) { self.close(); return; }
      self.open(now, found.slice(0, 8).map(function (p) {
        return { label: p.name, initials: p.initials, value: p };
      }));
    });
  };

  Composer.prototype.loadPeople = function (then) {
    var self = this;
    if (this.people) { then(this.people); return; }
    fetch(this.form.dataset.mentionsUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (people) { self.people = people; then(people); })
      .catch(function () { self.people = []; });
  };

  Composer.prototype.open = function (token, items) {
    this.trigger = token;
    this.items = items;
    this.active = items.length ? 0 : -1;
    var popup = this.popup;
    popup.textContent = "";
    popup.dataset.kind = token.kind;
    if (!items.length) {
      if (token.kind !== "macro") { this.close(); return; }
      var none = document.createElement("li");
      none.className = "composer-popup-empty";
      none.textContent = this.form.dataset.tNoMacro;
      popup.appendChild(none);
    }
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "composer-option-" + i;
      li.dataset.index = String(i);
      li.setAttribute("dir", "auto");
      if (item.initials) {
        var avatar = document.createElement("span");
        avatar.className = "composer-avatar";
        avatar.setAttribute("aria-hidden", "true");
        avatar.textContent = item.initials;
        li.appendChild(avatar);
      }
      li.appendChild(document.createTextNode(item.label));
      popup.appendChild(li);
    });
    popup.hidden = false;
    this.body.setAttribute("aria-expanded", "true");
    this.highlight();
  };

  Composer.prototype.close = function () {
    this.trigger = null;
    this.items = [];
    this.active = -1;
    this.popup.hidden = true;
    this.popup.textContent = "";
    this.body.setAttribute("aria-expanded", "false");
    this.body.removeAttribute("aria-activedescendant");
  };

  Composer.prototype.highlight = function () {
    var self = this;
    this.popup.querySelectorAll("li[data-index]").forEach(function (li) {
      var on = Number(li.dataset.index) === self.active;
      li.classList.toggle("is-active", on);
      li.setAttribute("aria-selected", on ? "true" : "false");
      if (on) li.scrollIntoView({ block: "nearest" });
    });
    if (this.active >= 0) this.body.setAttribute("aria-activedescendant", "composer-option-" + this.active);
  };

  Composer.prototype.keydown = function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.altKey) {
      // Ctrl/⌘-Enter sends (with Shift: sends and resolves), as the buttons do
      e.preventDefault();
      this.close();
      var button = document.getElementById(e.shiftKey ? "send-resolve" : "send");
      if (button && this.form.requestSubmit) this.form.requestSubmit(button);
      else if (button) button.click();
      return;
    }
    if (this.popup.hidden || !this.trigger) return;
    var n = this.items.length;
    if (e.key === "ArrowDown" && n) { this.active = (this.active + 1) % n; this.highlight(); }
    else if (e.key === "ArrowUp" && n) { this.active = (this.active - 1 + n) % n; this.highlight(); }
    else if ((e.key === "Enter" || e.key === "Tab") && this.active >= 0) { this.choose(this.active); }
    else if (e.key === "Escape") { this.close(); }
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  Composer.prototype.replaceToken = function (token, text) {
    var body = this.body, end = body.selectionStart;
    body.value = body.value.slice(0, token.start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = token.start + text.length;
    this.saveDraft();
  };

  Composer.prototype.choose = function (index) {
    var self = this, item = this.items[index], token = this.trigger;
    if (!item || !token) return;
    this.close();
    if (token.kind === "mention") {
      this.replaceToken(token, "@" + item.value.name + " ");
      return;
    }
    fetch(item.value.url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (text) { self.replaceToken(token, text); self.pickMacro(item.value); })
      .catch(function () { self.showError(self.form.dataset.tFailed); });
  };

  // The inserted macro's actions go with the message (the last inserted one with actions).
  Composer.prototype.pickMacro = function (macro) {
    if (!macro.actions) return;
    this.setMacro(macro.id, macro.actions);
  };

  Composer.prototype.setMacro = function (id, actions) {
    var input = this.form.querySelector("#composer-macro-id");
    var line = this.form.querySelector("#composer-macro-actions");
    if (!input || !line) return;
    input.value = id || "";
    line.querySelector("#composer-macro-summary").textContent = actions || "";
    line.hidden = !id;
  };

  // --- emoji --------------------------------------------------------------------------------

  Composer.prototype.insertAtCaret = function (text) {
    // A textarea keeps its selection while the picker has the focus.
    var body = this.body, start = body.selectionStart, end = body.selectionEnd;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
    this.saveDraft();
  };

  Composer.prototype.setupEmoji = function () {
    var self = this;
    var toggle = this.form.querySelector("#emoji-toggle");
    var panel = this.form.querySelector("#composer-emoji");
    if (!toggle || !panel) return;
    var search = panel.querySelector("#emoji-search");
    var grid = panel.querySelector("#emoji-grid");
    toggle.hidden = false;

    function render() {
      var q = search.value.trim().toLowerCase();
      grid.textContent = "";
      (self.emoji || []).filter(function (item) { return !q || item.n.indexOf(q) >= 0; })
        .forEach(function (item) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "emoji";
          b.setAttribute("role", "option");
          b.title = item.n;
          b.setAttribute("aria-label", item.n);
          b.textContent = item.e;
          b.dataset.emoji = item.e;
          grid.appendChild(b);
        });
    }

    function show(open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) return;
      if (self.emoji) { render(); search.focus(); return; }
      fetch(self.form.dataset.emojiUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (list) { self.emoji = list; render(); search.focus(); })
        .catch(function () { self.emoji = []; });
    }

    toggle.addEventListener("click", function () { show(panel.hidden); });
    search.addEventListener("input", render);
    search.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); show(false); toggle.focus(); }
      if (e.key === "Enter") {
        e.preventDefault();
        var first = grid.querySelector("button.emoji");
        if (first) { self.insertAtCaret(first.dataset.emoji); show(false); }
      }
    });
    grid.addEventListener("click", function (e) {
      var b = e.target.closest("button.emoji");
      if (!b) return;
      self.insertAtCaret(b.dataset.emoji);
      show(false);
    });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); show(false); toggle.focus(); }
    });
  };

  // --- translation preview -------------------------------------------------------------------

  Composer.prototype.setupPreview = function () {
    var self = this;
    var button = this.form.querySelector("#preview-translation");
    var box = this.form.querySelector("#composer-translation");
    if (!button || !box) return;
    button.hidden = false;
    var text = box.querySelector("#composer-translation-text");
    var radios = box.querySelectorAll("input[name=translate_to]");
    function reset() {
      box.hidden = true;
      radios.forEach(function (r) { r.disabled = true; r.checked = false; });
    }
    this.body.addEventListener("input", reset); // a changed draft needs a new preview
    this.form.addEventListener("change", function (e) { if (e.target.name === "mode") reset(); });
    button.addEventListener("click", function () {
      if (self.mode() === "note") return;
      var data = new FormData();
      data.append("body", self.body.value);
      data.append("csrfmiddlewaretoken", self.form.querySelector("[name=csrfmiddlewaretoken]").value);
      self.showError("");
      fetch(self.form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) {
          var ok = res[0], j = res[1];
          if (!ok || !j.available) { reset(); self.showError(j.detail || self.form.dataset.tFailed); return; }
          text.textContent = j.text;
          box.hidden = false;
          radios.forEach(function (r) { r.disabled = false; });
          box.querySelector("#send-translation").checked = true;
        })
        .catch(function () { reset(); self.showError(self.form.dataset.tFailed); });
    });
  };

  // --- start (also when a conversation is swapped in without a page load) ---------------------

  function start() {
    var form = document.getElementById("composer");
    if (!form || form.dataset.composerReady) return;
    form.dataset.composerReady = "1";
    form.composer = new Composer(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", start);
  if (window.MutationObserver) {
    new MutationObserver(start).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
