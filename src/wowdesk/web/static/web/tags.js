// Tag input: an <input data-tags> holding comma-separated words becomes chips with a
// remove button each and a box to type new ones (Enter or comma adds one, Backspace in
// the empty box removes the last). The original input stays the form's field (hidden),
// so the page posts the same comma-separated text with or without JavaScript.
(function () {
  "use strict";

  function setup(input) {
    var wrap = document.createElement("div");
    wrap.className = "tags";
    var list = document.createElement("ul");
    var box = document.createElement("input");
    box.type = "text";
    box.className = "tag-entry";
    box.setAttribute("aria-label", input.dataset.tagsLabel || "");
    if (input.getAttribute("list")) box.setAttribute("list", input.getAttribute("list"));
    wrap.appendChild(list);
    wrap.appendChild(box);
    input.insertAdjacentElement("afterend", wrap);
    input.hidden = true;

    function words() {
      return input.value.split(",").map(function (w) { return w.trim(); }).filter(Boolean);
    }
    function render() {
      list.textContent = "";
      words().forEach(function (word, i) {
        var li = document.createElement("li");
        li.className = "tag";
        li.dataset.tag = word;
        li.appendChild(document.createTextNode(word + " "));
        var x = document.createElement("button");
        x.type = "button";
        x.textContent = "\u00d7";
        x.setAttribute("aria-label", (input.dataset.tagsRemove || "Remove") + " " + word);
        x.addEventListener("click", function () {
          var rest = words();
          rest.splice(i, 1);
          input.value = rest.join(", ");
          render();
          box.focus();
        });
        li.appendChild(x);
        list.appendChild(li);
      });
    }
    function add() {
      var word = box.value.replace(/,/g, " ").trim();
      box.value = "";
      if (!word) return;
      var all = words();
      if (all.indexOf(word) < 0) all.push(word);
      input.value = all.join(", ");
      render();
    }
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === ",") {
        e.preventDefault();
        add();
      } else if (e.key === "Backspace" && !box.value) {
        var all = words();
        all.pop();
        input.value = all.join(", ");
        render();
      }
    });
    box.addEventListener("blur", add);
    render();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-tags]"), setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
