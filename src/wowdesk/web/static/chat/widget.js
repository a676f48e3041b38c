/* wowdesk chat widget. One tag on any page:
   <script src="https://desk.example/static/chat/widget.js" data-inbox="TOKEN" async></script>
   Optional: data-lang="de" (else the inbox's language setting, else the browser's),
   data-user-id + data-user-hash (HMAC-SHA256 of the user id with the inbox secret,
   computed on the brand's server). No dependencies; everything lives in a shadow root.
   window.WowdeskChat.mount({preview: element, config: {...}}) draws a preview without a
   connection (the inbox's settings page). */
(function () {
  "use strict";
  // The texts, one dictionary per language: tests/channels/chat/test_widget_assets.py
  // checks every language has every key of "en". Kept as JSON between the markers.
  var T = /*i18n*/{
    "en": {"open": "Chat with us", "close": "Close", "title": "Chat", "send": "Send", "say": "Write a message…", "name": "Your name", "email": "Your email", "start": "Start chat", "save": "Save", "off": "No agent is on shift right now. Leave your email address and we will answer by email.", "saved": "Thank you: we will answer by email if you have left.", "typing": "%s is typing…", "agent": "Agent", "bot": "Virtual assistant", "lost": "Reconnecting…", "denied": "This chat is not available.", "attach": "Send a file", "sent": "Sent", "read": "Read", "eta": "We usually answer in about %d min.", "sound": "Sound", "unread": "%d unread", "failed": "Not sent", "sug": "Articles that may help"},
    "zh-Hans": {"open": "联系我们", "close": "关闭", "title": "在线咨询", "send": "发送", "say": "输入消息…", "name": "您的姓名", "email": "您的邮箱", "start": "开始咨询", "save": "保存", "off": "目前没有客服在班。请留下您的邮箱地址，我们会通过邮件回复您。", "saved": "谢谢！如果您已离开，我们会通过邮件回复。", "typing": "%s 正在输入…", "agent": "客服", "bot": "智能助手", "lost": "正在重新连接…", "denied": "此聊天不可用。", "attach": "发送文件", "sent": "已发送", "read": "已读", "eta": "我们通常在约 %d 分钟内回复。", "sound": "声音", "unread": "%d 条未读", "failed": "未发送", "sug": "可能有帮助的文章"},
    "de": {"open": "Chatten Sie mit uns", "close": "Schließen", "title": "Chat", "send": "Senden", "say": "Nachricht schreiben…", "name": "Ihr Name", "email": "Ihre E-Mail", "start": "Chat starten", "save": "Speichern", "off": "Gerade ist niemand im Dienst. Hinterlassen Sie Ihre E-Mail-Adresse, wir antworten per E-Mail.", "saved": "Danke: Wir antworten per E-Mail, falls Sie nicht mehr da sind.", "typing": "%s schreibt…", "agent": "Support", "bot": "Virtueller Assistent", "lost": "Verbinde neu…", "denied": "Dieser Chat ist nicht verfügbar.", "attach": "Datei senden", "sent": "Gesendet", "read": "Gelesen", "eta": "Wir antworten meist in etwa %d Min.", "sound": "Ton", "unread": "%d ungelesen", "failed": "Nicht gesendet", "sug": "Diese Artikel könnten helfen"},
    "es": {"open": "Chatea con nosotros", "close": "Cerrar", "title": "Chat", "send": "Enviar", "say": "Escribe un mensaje…", "name": "Tu nombre", "email": "Tu correo", "start": "Iniciar chat", "save": "Guardar", "off": "Ahora no hay nadie de turno. Déjanos tu correo y te responderemos por correo.", "saved": "Gracias: si te has ido, te responderemos por correo.", "typing": "%s está escribiendo…", "agent": "Agente", "bot": "Asistente virtual", "lost": "Reconectando…", "denied": "Este chat no está disponible.", "attach": "Enviar un archivo", "sent": "Enviado", "read": "Leído", "eta": "Solemos responder en unos %d min.", "sound": "Sonido", "unread": "%d sin leer", "failed": "No enviado", "sug": "Artículos que pueden ayudarte"},
    "fr": {"open": "Discutez avec nous", "close": "Fermer", "title": "Chat", "send": "Envoyer", "say": "Écrivez un message…", "name": "Votre nom", "email": "Votre e-mail", "start": "Démarrer", "save": "Enregistrer", "off": "Personne n'est de service pour le moment. Laissez votre adresse e-mail, nous répondrons par e-mail.", "saved": "Merci : si vous êtes parti, nous répondrons par e-mail.", "typing": "%s écrit…", "agent": "Conseiller", "bot": "Assistant virtuel", "lost": "Reconnexion…", "denied": "Ce chat n'est pas disponible.", "attach": "Envoyer un fichier", "sent": "Envoyé", "read": "Lu", "eta": "Nous répondons en général en %d min environ.", "sound": "Son", "unread": "%d non lus", "failed": "Non envoyé", "sug": "Articles qui peuvent vous aider"},
    "id": {"open": "Chat dengan kami", "close": "Tutup", "title": "Chat", "send": "Kirim", "say": "Tulis pesan…", "name": "Nama Anda", "email": "Email Anda", "start": "Mulai chat", "save": "Simpan", "off": "Tidak ada agen yang bertugas saat ini. Tinggalkan alamat email Anda, kami akan membalas lewat email.", "saved": "Terima kasih: kami akan membalas lewat email jika Anda sudah pergi.", "typing": "%s sedang mengetik…", "agent": "Agen", "bot": "Asisten virtual", "lost": "Menyambung ulang…", "denied": "Chat ini tidak tersedia.", "attach": "Kirim file", "sent": "Terkirim", "read": "Dibaca", "eta": "Kami biasanya membalas dalam sekitar %d menit.", "sound": "Suara", "unread": "%d belum dibaca", "failed": "Tidak terkirim", "sug": "Artikel yang mungkin membantu"},
    "ja": {"open": "チャットで相談", "close": "閉じる", "title": "チャット", "send": "送信", "say": "メッセージを入力…", "name": "お名前", "email": "メールアドレス", "start": "チャットを開始", "save": "保存", "off": "ただいま対応できる担当者がいません。メールアドレスを残していただければメールでお返事します。", "saved": "ありがとうございます。離れていてもメールでお返事します。", "typing": "%s が入力中…", "agent": "担当者", "bot": "バーチャルアシスタント", "lost": "再接続中…", "denied": "このチャットは利用できません。", "attach": "ファイルを送信", "sent": "送信済み", "read": "既読", "eta": "通常 約%d分でお返事します。", "sound": "サウンド", "unread": "未読 %d 件", "failed": "未送信", "sug": "お役に立ちそうな記事"},
    "ar": {"open": "تحدث معنا", "close": "إغلاق", "title": "الدردشة", "send": "إرسال", "say": "اكتب رسالة…", "name": "اسمك", "email": "بريدك الإلكتروني", "start": "ابدأ الدردشة", "save": "حفظ", "off": "لا يوجد موظف متاح الآن. اترك بريدك الإلكتروني وسنرد عليك عبر البريد.", "saved": "شكرًا لك: سنرد عبر البريد الإلكتروني إذا غادرت.", "typing": "%s يكتب…", "agent": "الدعم", "bot": "المساعد الآلي", "lost": "جارٍ إعادة الاتصال…", "denied": "هذه الدردشة غير متاحة.", "attach": "إرسال ملف", "sent": "أُرسلت", "read": "قُرئت", "eta": "نرد عادةً خلال %d دقيقة تقريبًا.", "sound": "الصوت", "unread": "%d غير مقروءة", "failed": "لم تُرسل", "sug": "مقالات قد تساعدك"}
  }/*/i18n*/;
  var RTL = /^(ar|arc|ckb|dv|fa|he|iw|ks|ps|sd|ug|ur|yi)(-|$)/;

  function pick(code) {
    code = String(code || "").toLowerCase();
    if (code.indexOf("zh") === 0) return "zh-Hans";
    var base = code.split("-")[0];
    return T[base] && base !== "zh" ? base : "";
  }
  function el(tag, cls, text) {
    var n = document.createElement(tag); if (cls) n.className = cls;
    if (text) n.textContent = text; return n;
  }
  function uid() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function cut(v, n) { return String(v || "").slice(0, n); }
  // A reply's text with its web addresses as links: http(s) ones, and the desk's own help
  // center paths (the answer bot's links) made absolute on the desk's origin.
  var LINK = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]|\/help\/[^\s<>"]+[^\s<>".,;:!?)])/;
  function linked(text, origin) {
    var box = el("div", "text"), parts = String(text).split(LINK);
    parts.forEach(function (part, i) {
      if (!part) return;
      if (i % 2 === 0) { box.append(part); return; }
      var a = el("a"); a.href = part.charAt(0) === "/" ? origin + part : part;
      a.target = "_blank"; a.rel = "noopener";
      try { a.textContent = decodeURI(part); } catch (e) { a.textContent = part; }
      box.appendChild(a);
    });
    return box;
  }
  function icon(d) { // a 16px stroked SVG (no icon font: emoji are missing on many systems)
    var NS = "http://www.w3.org/2000/svg", svg = document.createElementNS(NS, "svg"), p = document.createElementNS(NS, "path");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("width", "16"); svg.setAttribute("height", "16");
    svg.setAttribute("fill", "none"); svg.setAttribute("stroke", "currentColor"); svg.setAttribute("stroke-width", "2");
    svg.setAttribute("aria-hidden", "true"); p.setAttribute("d", d); svg.appendChild(p); return svg;
  }

  var CSS = ":host{all:initial;font:14px/1.4 system-ui,sans-serif;color:#111;--c:#4f46e5}" +
    ".bubble{position:fixed;right:20px;bottom:20px;border:0;border-radius:24px;padding:12px 18px;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 4px 12px #0003;z-index:2147483000;font:inherit}" +
    ".badge{display:inline-block;min-width:18px;margin-inline-start:8px;padding:0 5px;border-radius:9px;background:#dc2626;color:#fff;font-size:12px;line-height:18px;text-align:center}" +
    ".badge[hidden],.panel[hidden],form[hidden],p[hidden],label[hidden],input[hidden],nav[hidden]{display:none}" +
    ".sug{padding:6px 12px;border-top:1px solid #e2e8f0;font-size:13px}.sug b{display:block;font-size:12px;color:#475569}.sug a{display:block;color:var(--c);padding:2px 0}" +
    ".panel{position:fixed;right:20px;bottom:76px;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;border-radius:12px;box-shadow:0 8px 28px #0004;overflow:hidden;z-index:2147483000}" +
    ".left .bubble,.left .panel{right:auto;left:20px}" +
    ".pv .bubble,.pv .panel{position:absolute}" +
    ".head{display:flex;gap:8px;align-items:center;padding:10px 14px;background:var(--c);color:#fff;font-weight:600}.head span{flex:1}" +
    ".head button{background:none;border:0;color:#fff;font-size:16px;cursor:pointer;padding:2px}.head .snd[aria-pressed=false]{opacity:.5}" +
    ".log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}" +
    ".msg{max-width:80%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}" +
    ".msg.in{align-self:flex-end;text-align:start;background:var(--c);color:#fff}" +
    ".msg.out{align-self:flex-start;background:#f1f5f9}.msg.pending{opacity:.6}.msg.failed{outline:2px solid #dc2626}" +
    ".who,.meta{display:block;font-size:11px;color:#64748b}.in .meta{color:#e0e7ff;text-align:end}" +
    ".msg svg{vertical-align:middle}.msg img{display:block;max-width:100%;max-height:180px;border-radius:6px;margin-top:4px}.msg a{color:inherit}" +
    "p{margin:0;padding:6px 12px;font-size:12px;color:#475569}.notice{background:#fef3c7;color:#78350f}" +
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #e2e8f0;flex-wrap:wrap;align-items:center}" +
    "input,textarea{flex:1;min-width:0;font:inherit;padding:6px;border:1px solid #cbd5e1;border-radius:6px}" +
    ".prechat input{flex-basis:100%}textarea{resize:none;height:38px}" +
    "button.go{background:var(--c);color:#fff;border:0;border-radius:6px;padding:6px 12px;cursor:pointer;font:inherit}" +
    "button.clip{background:none;border:1px solid #cbd5e1;border-radius:6px;padding:6px 8px;cursor:pointer;font:inherit}" +
    ".card{display:flex;flex-direction:column;gap:10px;min-width:220px}.sq p{padding:0 0 6px;font-size:14px;color:inherit}" +
    ".sc{display:grid;grid-template-columns:repeat(auto-fit,minmax(36px,1fr));gap:4px}.sc button{min-height:40px;border:1px solid #cbd5e1;border-radius:8px;background:#fff;font:inherit;font-weight:600;cursor:pointer;color:#111}" +
    ".sc button[aria-pressed=true]{background:var(--c);border-color:var(--c);color:#fff}.ends{display:flex;justify-content:space-between;gap:8px;font-size:11px;color:#64748b;padding-top:3px}" +
    ".sq form{padding:6px 0 0;border:0}.sq .ty{padding:6px 0 0;font-weight:600;color:#166534}.sq .err{padding:6px 0 0;color:#b91c1c}" +
    "@media (max-width:480px){.panel,.left .panel{right:0;left:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0}.pv .panel{height:420px}.bubble[aria-expanded=true]{display:none}}";

  function mount(o) {
    var cfg = o.config || {}, inbox = o.inbox || "", origin = o.origin || location.origin;
    var lang = pick(o.lang) || pick(cfg.language !== "auto" && cfg.language) ||
      pick(navigator.language) || pick(document.documentElement.lang) || "en";
    var L = T[lang], KEY = "wowdesk-chat:" + inbox, st = {}, preview = o.preview;
    if (!preview) {
      try { st = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { st = {}; }
    }
    st.pending = st.pending || []; st.unread = st.unread || 0;
    function keep() { if (!preview) try { localStorage.setItem(KEY, JSON.stringify(st)); } catch (e) { /* private mode */ } }

    var host = o.host || el("div");
    if (!o.host) { host.id = preview ? "wowdesk-chat-preview" : "wowdesk-chat"; (preview || document.body).appendChild(host); }
    var root = host.attachShadow({ mode: "open" }), css = el("style"); css.textContent = CSS;
    var w = el("div", "w"); root.append(css, w);
    var bubble = el("button", "bubble"), bubbleText = el("span", "", L.open), badge = el("span", "badge");
    bubble.type = "button"; bubble.append(bubbleText, badge); badge.hidden = true;
    var panel = el("section", "panel"); panel.hidden = true;
    panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", L.title);
    var head = el("div", "head"), ttl = el("span", "", L.title);
    var snd = el("button", "snd", "♪"), x = el("button", "", "×");
    snd.type = x.type = "button"; snd.title = L.sound; snd.setAttribute("aria-label", L.sound);
    x.setAttribute("aria-label", L.close); head.append(ttl, snd, x);
    var log = el("div", "log"); log.setAttribute("aria-live", "polite");
    var status = el("p", "status"), eta = el("p", "eta"), typing = el("p", "typing"), notice = el("p", "notice");
    status.hidden = eta.hidden = typing.hidden = notice.hidden = true;
    function form(cls, fields, label) {
      var f = el("form", cls), b = el("button", "go", label); b.type = "submit";
      fields.forEach(function (n) { f.appendChild(n); }); f.appendChild(b); return f;
    }
    function input(type, ph) { var i = el("input"); i.type = type; i.placeholder = ph; i.setAttribute("aria-label", ph); i.dir = "auto"; return i; }
    var preName = input("text", L.name), preMail = input("email", L.email);
    var pre = form("prechat", [preName, preMail], L.start); pre.hidden = true;
    var offMail = input("email", L.email), off = form("offline", [offMail], L.save); off.hidden = true;
    var text = el("textarea"); text.dir = "auto"; text.placeholder = L.say; text.setAttribute("aria-label", L.say);
    var clip = el("button", "clip"), file = el("input");
    clip.appendChild(icon("M16.5 6.5 8.4 14.6a2 2 0 0 0 2.8 2.8l8.1-8.1a4 4 0 0 0-5.7-5.7l-8.1 8.1a6 6 0 0 0 8.5 8.5L21 13.2"));
    clip.type = "button"; clip.title = L.attach; clip.setAttribute("aria-label", L.attach);
    file.type = "file"; file.hidden = true; file.accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.txt,.csv";
    var compose = form("compose", [clip, file, text], L.send);
    // Help-center articles for what the visitor is typing, before their first message.
    var sug = el("nav", "sug"), sugT = 0; sug.hidden = true; sug.setAttribute("aria-label", L.sug);
    panel.append(head, log, eta, status, notice, off, typing, pre, sug, compose);
    w.append(panel, bubble);

    function apply(c) {
      cfg = c || {};
      host.style.setProperty("--c", /^#[0-9a-f]{6}$/i.test(cfg.colour || "") ? cfg.colour : "#4f46e5");
      w.className = "w" + (cfg.position === "left" ? " left" : "") + (preview ? " pv" : "");
      w.dir = RTL.test(lang) ? "rtl" : "ltr";
      if (cfg.title) ttl.textContent = cfg.title;
      if (st.sound === undefined) st.sound = cfg.sound !== false;
      snd.setAttribute("aria-pressed", String(!!st.sound));
      var online = cfg.online !== false;
      notice.textContent = (cfg.away && cfg.away[lang]) || L.off; notice.hidden = online;
      off.hidden = online || !!st.email;
      var m = cfg.estimate && cfg.estimate.minutes;
      eta.textContent = m ? L.eta.replace("%d", m) : ""; eta.hidden = !(online && m);
      var pn = cfg.prechat_name || (cfg.prechat ? "optional" : "off"), pe = cfg.prechat_email || (cfg.prechat ? "optional" : "off");
      preName.hidden = pn === "off"; preName.required = pn === "required";
      preMail.hidden = pe === "off"; preMail.required = pe === "required";
      return pn !== "off" || pe !== "off";
    }
    function greeting() {
      var g = (cfg.greetings && cfg.greetings[lang]) || cfg.greeting;
      if (g) log.appendChild(el("div", "msg out greeting", g));
    }
    function time(iso) {
      var d = iso ? new Date(iso) : new Date();
      try { return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }); } catch (e) { return ""; }
    }
    function setMark(n, read) {
      var mk = n.querySelector(".mark"); if (!mk) return;
      n.classList.toggle("read", !!read);
      if (n.classList.contains("pending")) { mk.textContent = ""; return; }
      mk.textContent = read ? "✓✓" : "✓"; mk.title = read ? L.read : L.sent; mk.setAttribute("aria-label", mk.title);
    }
    function show(m) {
      var k = m.id ? "m" + m.id : "c" + m.client_id, ck = m.client_id ? "c" + m.client_id : "";
      var n = (ck && root.querySelector("[data-k='" + ck + "']")) || root.querySelector("[data-k='" + k + "']");
      if (n && m.id && !(m.files && m.files.length && !n.querySelector(".files"))) {
        n.dataset.k = k; n.classList.remove("pending"); setMark(n, m.read); return;
      }
      if (n && !m.id) return;
      if (!m.body && !(m.files && m.files.length)) return;
      var fresh = !n;
      if (n) n.textContent = "";
      else n = el("div", "msg");
      n.className = "msg " + (m.direction === "out" ? "out" : "in") + (m.id ? "" : " pending");
      n.dataset.k = m.id ? k : ck;
      if (m.direction === "out") n.appendChild(el("bdi", "who", m.author || (m.bot ? L.bot : L.agent)));
      var sv = m.direction === "out" && m.survey && card(m.survey);
      if (sv) n.appendChild(sv);
      else if (m.body) {
        var body = m.direction === "out" ? linked(m.body, origin) : el("div", "text", m.body);
        body.dir = "auto"; n.appendChild(body);
      }
      if (m.files && m.files.length) {
        var fs = el("div", "files");
        m.files.forEach(function (f) {
          var a = el("a"); a.href = origin + f.url; a.target = "_blank"; a.rel = "noopener";
          if (f.image) { var img = el("img"); img.src = a.href; img.alt = f.name; a.appendChild(img); }
          else { a.appendChild(icon("M14 3H6v18h12V7zM14 3v4h4")); a.append(" " + f.name); a.download = f.name; }
          fs.appendChild(a);
        });
        n.appendChild(fs);
      }
      var meta = el("span", "meta", time(m.created_at));
      if (m.direction !== "out") { meta.append(" "); meta.appendChild(el("span", "mark")); }
      n.appendChild(meta); setMark(n, m.read);
      if (fresh) { log.appendChild(n); log.scrollTop = log.scrollHeight; }
    }
    // A survey after the resolution: each question with its score buttons; a tap answers
    // (POST /s/<token>/answer, the link itself is the authority), then the optional why.
    function card(data) {
      var box = el("div", "card"), any = false;
      box.dir = RTL.test(data.language || "") ? "rtl" : "auto";
      (data.surveys || []).forEach(function (q) {
        var path = String(q.url || "").replace(/^https?:\/\/[^/]+/, "").split(/[?#]/)[0];
        if (!/^\/s\/[^/]+$/.test(path) || !(q.max > q.min) || q.max - q.min > 10) return;
        any = true;
        var sq = el("div", "sq"), sc = el("div", "sc"), ends = el("div", "ends");
        var note = el("p", "ty"), why = el("form"), txt = el("textarea"), go = el("button", "go");
        var done = (st.sv || {})[q.id];
        sq.appendChild(el("p", "", q.question)); sc.setAttribute("role", "group"); sc.setAttribute("aria-label", q.question);
        ends.append(el("span", "", q.low), el("span", "", q.high)); note.hidden = why.hidden = true;
        txt.dir = "auto"; go.type = "submit"; why.append(txt, go);
        function post(body, then) {
          if (preview) return;
          fetch(origin + path + "/answer", { method: "POST", body: JSON.stringify(body) })
            .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
            .then(function (r) {
              if (!r.ok) { note.className = "err"; note.textContent = r.j.detail || L.failed; note.hidden = false; return; }
              note.className = "ty"; then(r.j);
            })
            .catch(function () { window.open(origin + path + "?score=" + body.score, "_blank", "noopener"); });
        }
        function chosen(v, texts) {
          sc.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(+b.value === v)); });
          if (!texts) return;
          note.textContent = texts.thanks; note.hidden = false;
          txt.placeholder = texts.why; txt.setAttribute("aria-label", texts.why); go.textContent = texts.send; why.hidden = false;
        }
        for (var v = q.min; v <= q.max; v++) {
          var b = el("button", "", String(v)); b.type = "button"; b.value = v; b.setAttribute("aria-pressed", "false");
          b.onclick = function (e) {
            var val = +e.currentTarget.value;
            post({ score: val }, function (j) {
              st.sv = st.sv || {}; st.sv[q.id] = { s: j.score, t: j.texts }; keep(); chosen(j.score, j.texts);
            });
          };
          sc.appendChild(b);
        }
        why.onsubmit = function (e) {
          e.preventDefault(); var c = txt.value.trim(), was = (st.sv || {})[q.id];
          if (!c || !was) return;
          post({ score: was.s, comment: c }, function (j) { why.hidden = true; note.textContent = j.texts.thanks_why; });
        };
        sq.append(sc, ends, note, why); box.appendChild(sq);
        if (done) chosen(done.s, done.t);
      });
      return any ? box : null;
    }
    function unread(count) {
      st.unread = count; keep(); badge.hidden = !count;
      badge.textContent = count ? String(count) : ""; badge.setAttribute("aria-label", L.unread.replace("%d", count));
    }
    function beep() {
      if (!st.sound) return;
      try {
        var A = window.AudioContext || window.webkitAudioContext, ac = beep.ac || (beep.ac = new A());
        var osc = ac.createOscillator(), g = ac.createGain();
        osc.frequency.value = 880; g.gain.value = 0.08; osc.connect(g); g.connect(ac.destination);
        osc.start(); osc.stop(ac.currentTime + 0.15);
      } catch (e) { /* no audio */ }
    }

    var ws = null, ready = false, tries = 0, pinger = 0, typingSent = false, typingStop = 0;
    function frame(m) { if (ws && ready) ws.send(JSON.stringify(m)); }
    function flush() {
      st.pending.forEach(function (p) {
        frame({ type: "message", client_id: p.client_id, body: p.body, name: st.name || "" });
      });
    }
    function page() {
      var tz = ""; try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
      return { url: cut(location.href, 2000), title: cut(document.title, 300), referrer: cut(document.referrer, 2000),
        browser: cut(navigator.userAgent, 500), language: cut(navigator.language, 35), timezone: cut(tz, 64) };
    }
    function connect() {
      if (ws || preview) return;
      ws = new WebSocket(origin.replace(/^http/, "ws") + "/ws/chat/");
      ws.onopen = function () {
        ready = true; tries = 0;
        frame({ type: "hello", inbox: inbox, token: st.token || "", user_id: o.userId || "", user_hash: o.userHash || "", lang: lang, page: page() });
      };
      ws.onmessage = function (e) {
        var m = JSON.parse(e.data);
        if (m.type === "welcome") {
          st.token = m.token; keep(); status.hidden = true;
          var asks = apply(Object.assign({}, m.config, { online: m.online, estimate: m.estimate }));
          log.textContent = ""; greeting();
          m.history.forEach(show); st.pending.forEach(function (p) { show({ client_id: p.client_id, body: p.body, direction: "in" }); });
          pre.hidden = !(asks && !st.name && !st.email && !m.history.length);
          compose.hidden = !pre.hidden;
          flush(); clearInterval(pinger); pinger = setInterval(function () { frame({ type: "ping" }); }, 25000);
        } else if (m.type === "ack") {
          st.pending = st.pending.filter(function (p) { return p.client_id !== m.client_id; }); keep();
          show({ id: m.message_id, client_id: m.client_id, direction: "in", body: "" });
        } else if (m.type === "message") {
          var known = root.querySelector("[data-k='m" + m.id + "']");
          show(m);
          if (m.direction === "out") {
            typing.hidden = true;
            if (!known) { beep(); if (panel.hidden || document.hidden) unread(st.unread + 1); }
          }
        } else if (m.type === "read") {
          root.querySelectorAll(".msg.in[data-k^='m']").forEach(function (n) { if (+n.dataset.k.slice(1) <= m.up_to) setMark(n, true); });
        } else if (m.type === "typing") {
          var parts = L.typing.split("%s"); typing.textContent = parts[0];
          typing.appendChild(el("bdi", "", m.name || L.agent)); typing.append(parts[1] || ""); typing.hidden = !m.is_typing;
        } else if (m.type === "email.saved") {
          off.hidden = true; notice.textContent = L.saved;
        } else if (m.type === "error" && (m.code === "Forbidden" || m.code === "NotFound")) {
          status.textContent = L.denied; status.hidden = false; tries = -1;
        } else if (m.type === "error" && m.client_id) {
          var bad = root.querySelector("[data-k='c" + m.client_id + "']"); if (bad) bad.classList.add("failed");
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
      if (open) { unread(0); connect(); if (!preview) (compose.hidden ? preName : text).focus(); }
    }
    bubble.onclick = function () { toggle(panel.hidden); };
    x.onclick = function () { toggle(false); };
    snd.onclick = function () { st.sound = !st.sound; keep(); snd.setAttribute("aria-pressed", String(st.sound)); };
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
    function suggest() {
      var q = text.value.trim();
      if (preview || q.length < 3 || root.querySelector(".msg.in")) { sug.hidden = true; return; }
      fetch(origin + "/chat/" + encodeURIComponent(inbox) + "/kb/suggest?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang))
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (j) {
          if (text.value.trim() !== q) return;
          var items = (j.items || []).filter(function (i) { return /^https?:/.test(i.url); });
          sug.textContent = ""; sug.appendChild(el("b", "", L.sug));
          items.forEach(function (i) {
            var a = el("a", "", i.title); a.href = i.url; a.target = "_blank"; a.rel = "noopener"; a.title = i.snippet || ""; sug.appendChild(a);
          });
          sug.hidden = !items.length;
        }, function () { sug.hidden = true; });
    }
    text.oninput = function () {
      clearTimeout(sugT); sugT = setTimeout(suggest, 400);
      if (!typingSent && text.value) { typingSent = true; frame({ type: "typing", is_typing: true }); }
      clearTimeout(typingStop); typingStop = setTimeout(stopTyping, 3000);
    };
    text.onkeydown = function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); compose.requestSubmit(); } };
    compose.onsubmit = function (e) {
      e.preventDefault(); var body = text.value.trim(); if (!body || preview) return;
      var p = { client_id: uid(), body: body }; st.pending.push(p); keep(); text.value = "";
      stopTyping(); sug.hidden = true; show({ client_id: p.client_id, body: body, direction: "in" });
      frame({ type: "message", client_id: p.client_id, body: body, name: st.name || "" });
    };
    clip.onclick = function () { if (!preview) file.click(); };
    file.onchange = function () {
      var f = file.files && file.files[0]; file.value = ""; if (!f || !st.token) return;
      var id = uid(), fd = new FormData();
      fd.append("token", st.token); fd.append("client_id", id); fd.append("lang", lang); fd.append("file", f);
      show({ client_id: id, body: f.name, direction: "in" });
      fetch(origin + "/chat/" + encodeURIComponent(inbox) + "/upload", { method: "POST", body: fd })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (r) {
          var n = root.querySelector("[data-k='c" + id + "']");
          if (r.ok) { if (n) { n.dataset.k = "m" + r.j.message_id; n.classList.remove("pending"); } return; }
          if (n) n.classList.add("failed");
          status.textContent = L.failed + ": " + (r.j.detail || ""); status.hidden = false;
        })
        .catch(function () { status.textContent = L.failed; status.hidden = false; });
    };

    var hasForm = apply(cfg);
    unread(st.unread);
    if (preview) {
      greeting();
      pre.hidden = !hasForm; compose.hidden = hasForm; panel.hidden = false;
    } else if (st.token) connect();
    return { destroy: function () { if (ws) { tries = -1; ws.close(); } host.remove(); }, lang: lang };
  }

  window.WowdeskChat = { mount: mount, T: T };
  var S = document.currentScript || document.querySelector("script[data-inbox][src*='chat/widget']");
  if (!S || S.hasAttribute("data-preview") || window.__wowdeskChat) return;
  window.__wowdeskChat = true;
  var D = S.dataset, base = new URL(S.src, location.href).origin, spot = document.createElement("div");
  spot.id = "wowdesk-chat"; document.body.appendChild(spot);
  function start(config) {
    if (!spot.isConnected) return; // the page removed it meanwhile
    mount({ host: spot, inbox: D.inbox, origin: base, lang: D.lang, userId: D.userId, userHash: D.userHash, config: config });
  }
  // The inbox's settings first (colour, language, greeting, who is on shift); a site the
  // inbox does not allow gets no widget.
  fetch(base + "/chat/" + encodeURIComponent(D.inbox) + "/config")
    .then(function (r) { if (r.status === 403 || r.status === 404) return null; return r.ok ? r.json() : {}; })
    .then(function (c) { if (c) start(c); }, function () { start({}); });
})();
