/* Live workspace: one WebSocket per tab to ws/workspace/ (docs/workspace-live.md).
 *
 * New messages of the open conversation are fetched as server-rendered partials and
 * appended to #thread; inbox, brand and presence changes fire the htmx "refresh" event on
 * <body> (lists with hx-trigger="refresh from:body" reload); who else views or types the
 * conversation shows in #collision; assignments and ringing calls pop a toast in #toasts.
 * A reply's delivery line redraws as its state changes (retrying, sent, failed), and its
 * author gets a toast when it could not be delivered. A customer message redraws when its
 * mood (the emotion score, from the worker) or language arrives.
 * Reconnects with capped, jittered backoff; catches up on what it missed when it is back.
 */
(function () {
  "use strict";

  var cfgEl = document.getElementById("live-config");
  if (!cfgEl || !window.WebSocket) return;
  var cfg = cfgEl.dataset;
  var me = Number(document.body.dataset.agentId || 0);
  var HEARTBEAT_MS = Number(cfg.heartbeat || 20) * 1000;
  var AWAY_MS = Number(cfg.awayAfter || 10) * 60000; // no input this long: away
  var IDLE_CHECK_MS = 5000;
  var TYPING_SEND_MS = 3000; // at most one "typing" message per this many ms
  var TYPING_IDLE_MS = 4000; // "stopped typing" after this long without a key
  var TYPING_SHOW_MS = 8000; // a "typing" line fades if its "stopped" never comes
  var REFRESH_MS = 1000; // at most one list refresh per second, however busy the brand

  var socket = null;
  var attempts = 0;
  var everOpen = false;
  var heartbeatTimer = null;
  var viewers = {}; // agent id → {name, typing, until}
  var customerTypingUntil = 0;
  var pending = {}; // message ids being fetched
  var refreshTimer = null;
  var lastRefresh = 0;
  var typingSentAt = 0;
  var typingIdleTimer = null;
  var lastInput = Date.now();
  var idleTold = false; // the server was told this tab is idle

  /* "%(name)s is typing…" into a node: each value (a person's name) in a <bdi>, so an Arabic or Hebrew name
     keeps its own direction and does not reorder the sentence around it. */
  function fill(node, template, values) {
    String(template).split(/(%\(\w+\)s)/).forEach(function (part) {
      var m = /^%\((\w+)\)s$/.exec(part);
      if (!m) { if (part) node.appendChild(document.createTextNode(part)); return; }
      var b = document.createElement("bdi");
      b.textContent = values[m[1]] == null ? "" : String(values[m[1]]);
      node.appendChild(b);
    });
    return node;
  }

  function openConversation() {
    var thread = document.getElementById("thread");
    return thread ? Number(thread.dataset.conversationId) : 0;
  }

  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
  }

  function status(text) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  // --- the connection --------------------------------------------------------------------

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + cfg.path);
    socket.onopen = function () {
      attempts = 0;
      document.body.dataset.live = "open";
      status("");
      var conversation = openConversation();
      lastViewed = conversation;
      if (conversation) send({ action: "view", conversation_id: conversation });
      heartbeatTimer = setInterval(heartbeat, HEARTBEAT_MS);
      if (everOpen) catchUp();
      everOpen = true;
    };
    socket.onmessage = function (e) {
      var event;
      try { event = JSON.parse(e.data); } catch (err) { return; }
      if (event && typeof event.type === "string") handle(event);
    };
    socket.onclose = function (e) {
      clearInterval(heartbeatTimer);
      document.body.dataset.live = "closed";
      viewers = {};
      renderCollision();
      // Deactivated while this tab was open: reload, and the page says so.
      if (e.code === 4403 && e.reason === "deactivated") { window.location.reload(); return; }
      if (e.code === 4401 || e.code === 4403) return; // signed out or not an agent: stop
      status(cfg.offline);
      var delay = Math.min(30000, 500 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      attempts += 1;
      setTimeout(connect, delay);
    };
  }

  // --- presence: heartbeats carry how long this tab has had no input ------------------------

  function idleSeconds() {
    return Math.max(0, Math.floor((Date.now() - lastInput) / 1000));
  }

  function heartbeat() {
    idleTold = Date.now() - lastInput >= AWAY_MS;
    send({ action: "heartbeat", idle: idleSeconds() });
  }

  function noteInput() {
    var wasIdle = idleTold;
    lastInput = Date.now();
    if (wasIdle) heartbeat(); // back: online again at once, not at the next beat
  }

  ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "focus"].forEach(function (kind) {
    window.addEventListener(kind, noteInput, { capture: true, passive: true });
  });
  setInterval(function () {
    if (!idleTold && Date.now() - lastInput >= AWAY_MS) heartbeat(); // idle: away at once
  }, IDLE_CHECK_MS);

  function showPresence(state) {
    var select = document.getElementById("presence");
    if (!select || !state) return;
    select.value = state;
    select.dataset.current = state;
    var dot = document.querySelector("#presence-form .presence-dot");
    if (dot) dot.className = "presence-dot presence-" + state;
  }

  /* Back after a gap: reload the lists and the open conversation's thread. */
  function catchUp() {
    refresh();
    document.dispatchEvent(new CustomEvent("wowdesk:live", { detail: { type: "reconnected" } }));
    if (openConversation()) resyncConversation();
  }

  // --- events from the server ------------------------------------------------------------

  function handle(event) {
    // other scripts (notifications.js) hear every event too
    document.dispatchEvent(new CustomEvent("wowdesk:live", { detail: event }));
    var open = openConversation();
    switch (event.type) {
      case "message.created":
        if (event.conversation_id === open) appendMessage(event.conversation_id, event.message_id);
        scheduleRefresh();
        break;
      case "conversation.updated":
        if (event.conversation_id === open) resyncConversation();
        scheduleRefresh();
        break;
      case "presence.changed":
        if (event.agent_id === me && event.presence) {
          showPresence(event.presence);
          // set away by the server (its brand's limit may be shorter): the next input
          // reports back at once
          if (event.presence === "away") idleTold = true;
        }
        scheduleRefresh();
        break;
      case "conversation.assigned":
        toast(cfg.assigned, conversationUrl(event.conversation_id), "toast-assigned");
        scheduleRefresh();
        break;
      case "call.ringing":
        callToast(event);
        break;
      case "message.delivery":
        if (event.conversation_id === open) replaceMessage(event.conversation_id, event.message_id);
        scheduleRefresh();
        break;
      case "delivery.failed":
        var failed = toast([cfg.undelivered, { number: event.number }],
          conversationUrl(event.conversation_id), "toast-failed", 60000);
        if (failed) failed.setAttribute("role", "alert");
        break;
      case "board.changed":
        scheduleRefresh();
        break;
      case "message.annotated": // its mood (emotion) or language is known now
        if (event.conversation_id === open) replaceMessage(event.conversation_id, event.message_id);
        break;
      case "row.viewers": // another conversation of the brand: only its row
        noteRowViewers(event);
        break;
      case "viewers":
        noteRowViewers(event);
        if (event.conversation_id !== open) return;
        var next = {};
        (event.viewers || []).forEach(function (v) {
          if (v.agent_id === me) return;
          next[v.agent_id] = { name: v.name, typing: !!v.typing, until: Date.now() + TYPING_SHOW_MS };
        });
        viewers = next;
        renderCollision();
        break;
      case "typing":
        if (event.conversation_id !== open || event.agent_id === me) return;
        var v = viewers[event.agent_id] || { name: event.agent_name };
        v.typing = !!event.is_typing;
        v.until = Date.now() + TYPING_SHOW_MS;
        viewers[event.agent_id] = v;
        renderCollision();
        if (v.typing) setTimeout(renderCollision, TYPING_SHOW_MS + 50);
        break;
      case "typing.customer":
        if (event.conversation_id !== open) return;
        customerTypingUntil = event.is_typing ? Date.now() + TYPING_SHOW_MS : 0;
        renderCollision();
        if (event.is_typing) setTimeout(renderCollision, TYPING_SHOW_MS + 50);
        break;
      default:
        break; // not ours
    }
  }

  /* Who is viewing each conversation of the list (the brand's "viewers" events): their
     initials on the row, the names in the tooltip. Drawn again after every list refresh. */
  var rowViewers = {};

  function initials(name) {
    var words = name.trim().split(/\s+/).filter(Boolean);
    if (!words.length) return "?";
    if (words.length === 1) return /^[\x00-\x7f]/.test(words[0]) ? words[0][0].toUpperCase() : words[0].slice(0, 2);
    return (words[0][0] + words[words.length - 1][0]).toUpperCase();
  }

  function noteRowViewers(event) {
    rowViewers[event.conversation_id] = (event.viewers || []).filter(function (v) {
      return v.agent_id !== me;
    }).map(function (v) { return String(v.name || ""); });
    renderRowViewers();
  }

  function renderRowViewers() {
    document.querySelectorAll("#inbox-list [data-viewers-for]").forEach(function (slot) {
      var names = rowViewers[Number(slot.dataset.viewersFor)] || [];
      slot.textContent = "";
      slot.title = names.join(", ");
      names.slice(0, 3).forEach(function (name) {
        var hash = 0;
        for (var i = 0; i < name.length; i += 1) hash = (hash * 31 + name.charCodeAt(i)) % 12;
        var mark = document.createElement("span");
        mark.className = "avatar avatar-viewer hue-" + hash;
        mark.textContent = initials(name);
        slot.appendChild(mark);
      });
      slot.classList.toggle("has-viewers", names.length > 0);
    });
  }

  /* Another conversation opened in this tab (the three-pane list, without a page load):
     the server learns what this tab views; the other viewers are the new one's. */
  var lastViewed = 0;
  function viewChanged() {
    renderRowViewers();
    var conversation = openConversation();
    if (conversation === lastViewed) return;
    lastViewed = conversation;
    viewers = {};
    customerTypingUntil = 0;
    renderCollision();
    if (conversation) send({ action: "view", conversation_id: conversation });
    else send({ action: "leave" });
  }
  document.addEventListener("htmx:afterSettle", viewChanged);
  document.addEventListener("htmx:historyRestore", viewChanged);

  function conversationUrl(conversationId) {
    return "/inbox/c/" + encodeURIComponent(conversationId) + "/";
  }

  /* The lists that listen (hx-trigger="refresh from:body") reload, at most once a second. */
  function scheduleRefresh() {
    if (refreshTimer) return;
    var wait = Math.max(0, lastRefresh + REFRESH_MS - Date.now());
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refresh();
    }, wait);
  }

  function refresh() {
    lastRefresh = Date.now();
    if (window.htmx) window.htmx.trigger(document.body, "refresh");
    else document.body.dispatchEvent(new CustomEvent("refresh"));
  }

  function appendMessage(conversationId, messageId) {
    if (document.getElementById("message-" + messageId) || pending[messageId]) return;
    pending[messageId] = true;
    var url = cfg.messageUrl.replace(/\/0\/messages\/0\/$/, "/" + conversationId + "/messages/" + messageId + "/");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var thread = document.getElementById("thread");
        if (!thread || openConversation() !== conversationId) return;
        if (document.getElementById("message-" + messageId)) return;
        var box = document.createElement("div");
        box.innerHTML = html.trim();
        var article = box.firstElementChild;
        if (!article) return;
        var atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
        // Keep the thread in id order even when two fetches finish out of order.
        var after = null;
        thread.querySelectorAll("article.message[data-message-id]").forEach(function (el) {
          if (!after && Number(el.dataset.messageId) > messageId) after = el;
        });
        thread.insertBefore(article, after);
        if (window.htmx) window.htmx.process(article);
        if (atBottom) article.scrollIntoView({ block: "nearest" });
      })
      .catch(function () { /* the next page load shows it */ })
      .then(function () { delete pending[messageId]; });
  }

  /* A message already shown, drawn again (its delivery line changed: retrying, sent,
     failed with a Retry button). One not shown (older than the thread's first page) is
     left alone; one still being fetched is drawn again once it is there. */
  function replaceMessage(conversationId, messageId, tries) {
    if (!document.getElementById("message-" + messageId)) {
      if (pending[messageId] && (tries || 0) < 10) {
        setTimeout(function () { replaceMessage(conversationId, messageId, (tries || 0) + 1); }, 300);
      }
      return;
    }
    var url = cfg.messageUrl.replace(/\/0\/messages\/0\/$/, "/" + conversationId + "/messages/" + messageId + "/");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        if (openConversation() !== conversationId) return;
        var old = document.getElementById("message-" + messageId);
        var box = document.createElement("div");
        box.innerHTML = html.trim();
        var article = box.firstElementChild;
        if (!article) return;
        if (!old) return;
        old.replaceWith(article);
        if (window.htmx) window.htmx.process(article);
      })
      .catch(function () { /* the next page load shows it */ });
  }

  /* The thread, the summary line and the side panel of the open conversation, from a
     fresh copy of the page (activities such as "Assigned to …" are not announced one by
     one). The composer is left alone; so is the side panel while the agent is editing it
     (changed fields or focus inside): its forms keep the version they were loaded with,
     so saving them shows the other person's change instead of overwriting it. */
  function resyncConversation() {
    var conversationId = openConversation();
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        if (openConversation() !== conversationId) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var ids = ["thread", "conv-status", "conv-assignee"];
        if (!panelBusy()) ids.push("props-panel");
        ids.forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) {
            old.innerHTML = fresh.innerHTML;
            if (fresh.dataset.version) old.dataset.version = fresh.dataset.version;
            if (window.htmx) window.htmx.process(old);
          }
        });
      })
      .catch(function () { /* stale until the next event or load */ });
  }

  function panelBusy() {
    var panel = document.getElementById("props-panel");
    if (!panel) return false;
    return panel.dataset.dirty === "1" || panel.contains(document.activeElement);
  }

  document.addEventListener("input", function (e) {
    var panel = document.getElementById("props-panel");
    if (panel && panel.contains(e.target)) panel.dataset.dirty = "1";
  });
  document.addEventListener("change", function (e) {
    var panel = document.getElementById("props-panel");
    if (panel && panel.contains(e.target)) panel.dataset.dirty = "1";
  });

  // --- collision: who else is here ----------------------------------------------------------

  function renderCollision() {
    var box = document.getElementById("collision");
    if (!box) return;
    var now = Date.now();
    var lines = [];
    Object.keys(viewers).forEach(function (id) {
      var v = viewers[id];
      var typing = v.typing && v.until > now;
      lines.push({ template: typing ? cfg.typing : cfg.viewing, name: v.name, typing: typing });
    });
    if (customerTypingUntil > now) lines.push({ template: cfg.customerTyping, typing: true });
    box.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.className = line.typing ? "collision-line is-typing" : "collision-line";
      fill(p, line.template, { name: line.name });
      box.appendChild(p);
    });
  }

  // --- typing: tell the others, throttled ---------------------------------------------------

  function typing(isTyping) {
    var conversation = openConversation();
    if (!conversation) return;
    clearTimeout(typingIdleTimer);
    if (isTyping) {
      if (Date.now() - typingSentAt > TYPING_SEND_MS) {
        typingSentAt = Date.now();
        send({ action: "typing", conversation_id: conversation, is_typing: true });
      }
      typingIdleTimer = setTimeout(function () { typing(false); }, TYPING_IDLE_MS);
    } else if (typingSentAt) {
      typingSentAt = 0;
      send({ action: "typing", conversation_id: conversation, is_typing: false });
    }
  }

  document.addEventListener("input", function (e) {
    if (e.target && e.target.id === "composer-body") typing(e.target.value.length > 0);
  });
  document.addEventListener("focusout", function (e) {
    if (e.target && e.target.id === "composer-body") typing(false);
  });
  document.addEventListener("submit", function (e) {
    if (e.target && e.target.id === "composer") typing(false);
  });

  // --- toasts -------------------------------------------------------------------------------

  /* ``text``: a plain string, or [template, values] filled by fill(). */
  function toast(text, href, kind, ttl) {
    var box = document.getElementById("toasts");
    if (!box) return null;
    var el = document.createElement("div");
    el.className = "toast " + (kind || "");
    el.setAttribute("role", "status");
    var span = document.createElement("span");
    if (typeof text === "string") span.textContent = text; else fill(span, text[0], text[1]);
    el.appendChild(span);
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = cfg.open;
      el.appendChild(a);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", cfg.dismiss);
    close.addEventListener("click", function () { el.remove(); });
    el.appendChild(close);
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, ttl || 15000);
    return el;
  }

  function callToast(event) {
    var name = event.customer_name || cfg.unknownCaller;
    var text = [cfg.call + (event.phone ? " · %(phone)s" : ""), { name: name, phone: event.phone }];
    var href = /^(\/(?!\/)|https?:\/\/)/.test(event.url || "") ? event.url
      : event.conversation_id ? conversationUrl(event.conversation_id) : "";
    var el = toast(text, href, "toast-call", 60000);
    if (el) el.setAttribute("role", "alert");
  }

  connect();
})();
