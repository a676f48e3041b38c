/* Bulk actions on the inbox list: a checkbox per row (shift-click selects a range), "all on
   this page", then "all N matching" (the list's filter, not ids), a toolbar whose choices
   apply at once, and a toast with what was skipped and an Undo. The server decides
   everything (web/bulk.py); this only collects the selection. */
(function () {
  "use strict";

  function csrf(bar) {
    var input = bar.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function listParams() {
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    return params;
  }

  function init() {
    var bar = document.getElementById("bulk-bar");
    if (!bar || bar.dataset.ready) return;
    bar.dataset.ready = "1";
    var toast = document.getElementById("bulk-toast");
    var pageBox = document.getElementById("bulk-page");
    var countEl = bar.querySelector(".bulk-count .n");
    var allButton = bar.querySelector(".bulk-all");
    var allOn = bar.querySelector(".bulk-all-on");
    var state = { all: false, total: 0, last: null };

    function boxes() {
      return Array.prototype.slice.call(document.querySelectorAll("#inbox-list .row-check"));
    }
    function selectedIds() {
      return boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    }
    function update() {
      var all = boxes();
      var ids = selectedIds();
      bar.hidden = ids.length === 0;
      document.body.classList.toggle("bulk-selecting", ids.length > 0);
      countEl.textContent = state.all ? String(state.total) : String(ids.length);
      pageBox.checked = all.length > 0 && ids.length === all.length;
      allOn.hidden = !state.all;
      all.forEach(function (b) {
        var row = b.closest(".conv-row");
        if (row) row.classList.toggle("checked", b.checked);
      });
      if (!pageBox.checked) {
        state.all = false;
        allButton.hidden = true;
        allOn.hidden = true;
      }
    }
    function clear() {
      boxes().forEach(function (b) { b.checked = false; });
      state.all = false;
      state.last = null;
      update();
    }
    function offerAll() {
      var url = bar.dataset.countUrl + "?" + listParams().toString();
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          state.total = data.total || 0;
          if (pageBox.checked && state.total > boxes().length) {
            allButton.textContent = allButton.dataset.label.replace("__N__", String(state.total));
            allButton.hidden = false;
          }
        });
    }

    document.addEventListener("click", function (e) {
      var box = e.target.closest ? e.target.closest(".row-check") : null;
      if (!box) return;
      var all = boxes();
      var at = all.indexOf(box);
      if (e.shiftKey && state.last !== null && state.last !== at) {
        var from = Math.min(state.last, at), to = Math.max(state.last, at);
        for (var i = from; i <= to; i++) all[i].checked = box.checked;
      }
      state.last = at;
      state.all = false;
      update();
    });
    pageBox.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = pageBox.checked; });
      state.all = false;
      update();
      if (pageBox.checked) offerAll();
    });
    allButton.addEventListener("click", function () {
      var max = parseInt(bar.dataset.max, 10);
      if (state.total > max) {
        show({ message: allButton.dataset.tooMany || state.total + " > " + max });
        return;
      }
      state.all = true;
      allButton.hidden = true;
      update();
    });
    bar.querySelector(".bulk-clear").addEventListener("click", clear);

    function post(url, data) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(bar), Accept: "application/json" },
        body: data,
      }).then(function (r) { return r.json(); });
    }
    function refresh() {
      if (window.htmx) window.htmx.trigger(document.body, "refresh");
    }
    function show(data) {
      toast.querySelector(".bulk-message").textContent = data.message || data.detail || "";
      var list = toast.querySelector(".bulk-skipped");
      list.textContent = "";
      (data.skipped || []).forEach(function (s) {
        var li = document.createElement("li");
        li.textContent = (s.number ? "#" + s.number + ": " : "") + s.text;
        list.appendChild(li);
      });
      var undo = toast.querySelector(".bulk-undo");
      undo.hidden = !data.undo_token;
      undo.dataset.token = data.undo_token || "";
      toast.hidden = false;
    }

    bar.querySelectorAll("select[data-action]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (!select.value) return;
        var data = new FormData();
        data.append("action", select.dataset.action);
        data.append("value", select.value);
        if (state.all) {
          data.append("all", "1");
          listParams().forEach(function (v, k) { data.append(k, v); });
        } else {
          data.append("ids", selectedIds().join(","));
        }
        select.value = "";
        post(bar.action, data).then(function (result) {
          show(result);
          if (result.undo_token !== undefined) {
            clear();
            refresh();
          }
        });
      });
    });
    toast.querySelector(".bulk-undo").addEventListener("click", function (e) {
      var data = new FormData();
      data.append("undo_token", e.target.dataset.token || "");
      post(bar.dataset.undoUrl, data).then(function (result) {
        show(result);
        refresh();
      });
    });
    toast.querySelector(".bulk-dismiss").addEventListener("click", function () {
      toast.hidden = true;
    });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target && e.target.id === "inbox-list") {
        state.all = false;
        state.last = null;
        update();
      }
    });
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
