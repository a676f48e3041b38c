/* wowdesk chat widget. One tag on any page:
   <script src="https://desk.example/static/chat/widget.js" data-inbox="TOKEN" async></script>
   Optional: data-lang="zh-Hans", data-user-id + data-user-hash (HMAC-SHA256 of the user id
   with the inbox secret, computed on the brand's server). No dependencies. */
(function () {
  "use strict";
  var S = document.currentScript || document.querySelector("script[data-inbox][src*='chat/widget']");
  if (!S || window.__wowdeskChat) return;
  window.__wowdeskChat = true;
  var D = S.dataset, inbox = D.inbox, origin = new URL(S.src, location.href).origin;
  var T = {
    en: {
      open: "Chat with us", close: "Close", title: "Chat", send: "Send", say: "Write a message…",
      name: "Your name", email: "Your email", start: "Start chat", save: "Save",
      off: "No agent is on shift right now. Leave your email address and we will answer by email.",
      saved: "Thank you: we will answer by email if you have left.",
      typing: "%s is typing…", agent: "Agent", lost: "Reconnecting…", denied: "This chat is not available."
    },
    "zh-Hans": {
      open: "联系我们", close: "关闭", title: "在线咨询", send: "发送", say: "输入消息…",
      name: "您的姓名", email: "您的邮箱", start: "开始咨询", save: "保存",
      off: "目前没有客服在班。请留下您的邮箱地址，我们会通过邮件回复您。",
      saved: "谢谢！如果您已离开，我们会通过邮件回复。",
      typing: "%s 正在输入…", agent: "客服", lost: "正在重新连接…", denied: "此聊天不可用。"
    }
  };
  var lang = (D.lang || document.documentElement.lang || navigator.language || "en").toLowerCase();
  var L = T[lang.indexOf("zh") === 0 ? "zh-Hans" : "en"];
  // The page's language decides the panel's direction (Arabic, Hebrew, Persian, Urdu… are
  // laid out right to left); every text a person wrote has dir="auto" of its own.
  var RTL = /^(ar|arc|ckb|dv|fa|he|iw|ks|ku-arab|pa-arab|ps|sd|ug|ur|yi)(-|$)/.test(lang);
  var KEY = "wowdesk-chat:" + inbox, st = {};
  try { st = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { st = {}; }
  st.pending = st.pending || [];
  function keep() { try { localStorage.setItem(KEY, JSON.stringify(st)); } catch (e) { /* private mode */ } }
  function uid() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag); if (cls) n.className = cls;
    if (text) n.textContent = text; return n;
  }

  var host = el("div"); host.id = "wowdesk-chat"; document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  var css = el("style");
  css.textContent = ":host{all:initial;font:14px/1.4 system-ui,sans-serif;color:#111}" +
    ".bubble{position:fixed;right:20px;bottom:20px;border:0;border-radius:24px;padding:12px 18px;background:#4f46e5;color:#fff;cursor:pointer;box-shadow:0 4px 12px #0003;z-index:2147483000}" +
    ".panel{position:fixed;right:20px;bottom:76px;width:340px;max-width:calc(100vw - 40px);height:460px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;border-radius:12px;box-shadow:0 8px 28px #0004;overflow:hidden;z-index:2147483000}" +
    ".panel[hidden],form[hidden],p[hidden]{display:none}.head{display:flex;justify-content:space-between;align-items:center;padding:10px 14px;background:#4f46e5;color:#fff;font-weight:600}" +
    ".head button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}.log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}" +
    ".msg{max-width:80%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}.msg.in{align-self:flex-end;text-align:start;background:#4f46e5;color:#fff}" +
    ".msg.out{align-self:flex-start;background:#f1f5f9}.msg.pending{opacity:.6}.who{display:block;font-size:11px;color:#64748b}" +
    "p{margin:0;padding:6px 12px;font-size:12px;color:#475569}.notice{background:#fef3c7;color:#78350f}" +
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #e2e8f0;flex-wrap:wrap}input,textarea{flex:1;min-width:0;font:inherit;padding:6px;border:1px solid #cbd5e1;border-radius:6px}" +
    "textarea{resize:none;height:38px}button.go{background:#4f46e5;color:#fff;border:0;border-radius:6px;padding:6px 12px;cursor:pointer}";
  root.appendChild(css);
  var bubble = el("button", "bubble", L.open); bubble.type = "button";
  var panel = el("section", "panel"); panel.hidden = true; panel.dir = RTL ? "rtl" : "ltr";
  panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", L.title);
  var head = el("div", "head"), ttl = el("span", "", L.title), x = el("button", "", "×");
  x.type = "button"; x.setAttribute("aria-label", L.close); head.append(ttl, x);
  var log = el("div", "log"); log.setAttribute("aria-live", "polite");
  var status = el("p", "status"), typing = el("p", "typing"), notice = el("p", "notice", L.off);
  status.hidden = typing.hidden = notice.hidden = true;
  function form(cls, fields, label) {
    var f = el("form", cls), b = el("button", "go", label); b.type = "submit";
    fields.forEach(function (n) { f.appendChild(n); }); f.appendChild(b); return f;
  }
  function input(type, ph) { var i = el("input"); i.type = type; i.placeholder = ph; i.setAttribute("aria-label", ph); i.dir = "auto"; return i; }
  var preName = input("text", L.name), preMail = input("email", L.email);
  var pre = form("prechat", [preName, preMail], L.start); pre.hidden = true;
  var offMail = input("email", L.email), off = form("offline", [offMail], L.save); off.hidden = true;
  var text = el("textarea"); text.dir = "auto"; text.placeholder = L.say; text.setAttribute("aria-label", L.say);
  var compose = form("compose", [text], L.send);
  panel.append(head, log, status, notice, off, typing, pre, compose);
  root.append(panel, bubble);

  var ws = null, ready = false, tries = 0, pinger = 0, typingSent = false, typingStop = 0;
  function show(m) {
    var k = m.id ? "m" + m.id : "c" + m.client_id, ck = m.client_id ? "c" + m.client_id : "";
    var n = (ck && root.querySelector("[data-k='" + ck + "']")) || root.querySelector("[data-k='" + k + "']");
    if (n && m.id) { n.dataset.k = k; n.classList.remove("pending"); return; }
    if (n || !m.body) return;
    n = el("div", "msg " + (m.direction === "out" ? "out" : "in") + (m.id ? "" : " pending"));
    n.dataset.k = m.id ? k : ck;
    if (m.direction === "out") n.appendChild(el("bdi", "who", m.author || L.agent));
    var body = el("div", "text", m.body); body.dir = "auto"; n.appendChild(body);
    log.appendChild(n); log.scrollTop = log.scrollHeight;
  }
  function frame(o) { if (ws && ready) ws.send(JSON.stringify(o)); }
  function flush() {
    st.pending.forEach(function (p) {
      frame({ type: "message", client_id: p.client_id, body: p.body, name: st.name || "" });
    });
  }
  function connect() {
    if (ws) return;
    ws = new WebSocket(origin.replace(/^http/, "ws") + "/ws/chat/");
    ws.onopen = function () {
      ready = true; tries = 0;
      frame({ type: "hello", inbox: inbox, token: st.token || "", user_id: D.userId || "", user_hash: D.userHash || "", lang: lang });
    };
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.type === "welcome") {
        st.token = m.token; keep(); status.hidden = true;
        if (m.config.title) ttl.textContent = m.config.title;
        log.textContent = "";
        if (m.config.greeting) log.appendChild(el("div", "msg out", m.config.greeting));
        m.history.forEach(show); st.pending.forEach(function (p) { show({ client_id: p.client_id, body: p.body, direction: "in" }); });
        notice.hidden = m.online; off.hidden = m.online || !!st.email;
        pre.hidden = !(m.config.prechat && !st.name && !st.email && !m.history.length);
        compose.hidden = !pre.hidden;
        flush(); clearInterval(pinger); pinger = setInterval(function () { frame({ type: "ping" }); }, 25000);
      } else if (m.type === "ack") {
        st.pending = st.pending.filter(function (p) { return p.client_id !== m.client_id; }); keep();
        show({ id: m.message_id, client_id: m.client_id, direction: "in", body: "" });
      } else if (m.type === "message") {
        show(m); if (m.direction === "out") typing.hidden = true;
      } else if (m.type === "typing") {
        var parts = L.typing.split("%s"); typing.textContent = parts[0];
        typing.appendChild(el("bdi", "", m.name || L.agent)); typing.append(parts[1] || ""); typing.hidden = !m.is_typing;
      } else if (m.type === "email.saved") {
        off.hidden = true; notice.textContent = L.saved;
      } else if (m.type === "error" && (m.code === "Forbidden" || m.code === "NotFound")) {
        status.textContent = L.denied; status.hidden = false; tries = -1;
      }
    };
    ws.onclose = function () {
      ws = null; ready = false; clearInterval(pinger);
      if (tries < 0) return;
      status.textContent = L.lost; status.hidden = false;
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, tries++)));
    };
  }
  function toggle(open) {
    panel.hidden = !open; bubble.setAttribute("aria-expanded", String(open));
    if (open) { connect(); (compose.hidden ? preName : text).focus(); }
  }
  bubble.onclick = function () { toggle(panel.hidden); };
  x.onclick = function () { toggle(false); };
  pre.onsubmit = function (e) {
    e.preventDefault(); st.name = preName.value.trim(); st.email = preMail.value.trim(); keep();
    if (st.email) frame({ type: "email", email: st.email, name: st.name });
    pre.hidden = true; compose.hidden = false; off.hidden = true; text.focus();
  };
  off.onsubmit = function (e) {
    e.preventDefault(); if (!offMail.value.trim()) return;
    st.email = offMail.value.trim(); keep(); frame({ type: "email", email: st.email, name: st.name || "" });
  };
  function stopTyping() { if (typingSent) { typingSent = false; frame({ type: "typing", is_typing: false }); } }
  text.oninput = function () {
    if (!typingSent && text.value) { typingSent = true; frame({ type: "typing", is_typing: true }); }
    clearTimeout(typingStop); typingStop = setTimeout(stopTyping, 3000);
  };
  text.onkeydown = function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); compose.requestSubmit(); } };
  compose.onsubmit = function (e) {
    e.preventDefault(); var body = text.value.trim(); if (!body) return;
    var p = { client_id: uid(), body: body }; st.pending.push(p); keep(); text.value = "";
    stopTyping(); show({ client_id: p.client_id, body: body, direction: "in" });
    frame({ type: "message", client_id: p.client_id, body: body, name: st.name || "" });
  };
  if (st.token) connect();
})();
