/* The role-play page (training/session.html): the trainee's answer goes to say/ with fetch,
 * the simulated customer's reply and mood come back as JSON and are added to the chat;
 * Finish posts to finish/ and shows the score, the feedback per criterion and the expected
 * resolution. Ctrl/⌘+Enter sends. No reload; no inline script (CSP). */
(function () {
  "use strict";

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, form, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (k) { body.append(k, data[k]); });
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(form), "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) throw new Error(json.detail || String(r.status));
        return json;
      });
    });
  }

  function init() {
    var root = document.getElementById("tr-roleplay");
    var form = document.getElementById("tr-composer");
    if (!root || !form) return;
    var chat = document.getElementById("tr-chat");
    var tpl = document.getElementById("tr-msg-template");
    var labels = document.getElementById("tr-labels").dataset;
    var body = document.getElementById("tr-body");
    var send = document.getElementById("tr-send");
    var finish = document.getElementById("tr-finish");
    var error = document.getElementById("tr-error");
    var closed = document.getElementById("tr-closed");
    var moodLabel = document.getElementById("tr-mood-label");

    function add(role, text, mood) {
      var li = tpl.content.firstElementChild.cloneNode(true);
      li.classList.add("tr-" + role);
      li.querySelector(".tr-who").textContent = role === "customer" ? labels.customer : labels.you;
      li.querySelector("p").textContent = text;
      var m = li.querySelector(".tr-msg-mood");
      if (mood) { m.textContent = labels.mood + " " + mood; } else { m.remove(); }
      chat.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
    }

    function fail(message) {
      error.textContent = message || labels.failed;
      error.hidden = false;
    }

    function busy(on) {
      send.disabled = on; finish.disabled = on;
      form.setAttribute("aria-busy", on ? "true" : "false");
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = body.value.trim();
      if (!text) { body.focus(); return; }
      error.hidden = true;
      busy(true);
      post(root.dataset.sayUrl, form, { body: text }).then(function (json) {
        add("trainee", text, "");
        add("customer", json.body, json.mood_label);
        moodLabel.textContent = json.mood_label;
        moodLabel.dataset.mood = json.mood_label;
        body.value = "";
        busy(false);
        if (json.done) {
          body.disabled = true; send.disabled = true; closed.hidden = false;
          finish.focus();
        } else {
          body.focus();
        }
      }).catch(function (err) { busy(false); fail(err.message); });
    });

    body.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });

    finish.addEventListener("click", function () {
      error.hidden = true;
      busy(true);
      post(root.dataset.finishUrl, form, {}).then(function (json) {
        showResult(json);
        form.remove();
      }).catch(function (err) { busy(false); fail(err.message); });
    });
  }

  function showResult(json) {
    var section = document.getElementById("tr-result");
    document.getElementById("tr-score").textContent = json.score === null ? "—" : json.score;
    var tbody = document.querySelector("#tr-feedback tbody");
    tbody.textContent = "";
    (json.feedback || []).forEach(function (f) {
      var tr = document.createElement("tr");
      tr.dataset.criterion = f.key;
      var th = document.createElement("th"); th.scope = "row"; th.textContent = f.label;
      var score = document.createElement("td"); score.textContent = f.score + " / 100";
      var text = document.createElement("td"); text.textContent = f.feedback;
      tr.append(th, score, text);
      tbody.appendChild(tr);
    });
    document.getElementById("tr-expected").textContent = json.expected_resolution || "—";
    var points = document.getElementById("tr-key-points");
    points.textContent = "";
    (json.key_points || []).forEach(function (p) {
      var li = document.createElement("li"); li.textContent = p; points.appendChild(li);
    });
    section.hidden = false;
    section.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
