/* The chat widget's settings page: the live preview (the real widget.js, mounted with
   the form's unsaved values), the colour contrast hint and the snippet's copy button. */
(function () {
  "use strict";
  var form = document.getElementById("widget-form"), box = document.getElementById("widget-preview");
  if (!form || !box || !window.WowdeskChat) return;
  var colour = form.elements.colour, picker = document.getElementById("colour-picker");
  var hint = document.getElementById("contrast"), current = null;
  function lum(hex) {
    return [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }).reduce(function (s, c, i) { return s + c * [0.2126, 0.7152, 0.0722][i]; }, 0);
  }
  function values() {
    var e = form.elements, g = {}, a = {};
    Array.prototype.forEach.call(e, function (f) {
      if (f.name && f.name.indexOf("greetings.") === 0 && f.value.trim()) g[f.name.slice(10)] = f.value.trim();
      if (f.name && f.name.indexOf("away.") === 0 && f.value.trim()) a[f.name.slice(5)] = f.value.trim();
    });
    return {
      title: e.title.value.trim(), colour: e.colour.value.trim(), position: e.position.value,
      language: e.language.value, prechat_name: e.prechat_name.value, prechat_email: e.prechat_email.value,
      sound: e.sound.checked, greetings: g, away: a, online: box.dataset.online === "1"
    };
  }
  function draw() {
    var v = values();
    if (current) current.destroy();
    var lang = v.language !== "auto" ? v.language : document.documentElement.lang;
    current = window.WowdeskChat.mount({ preview: box, config: v, lang: lang });
    if (/^#[0-9a-f]{6}$/i.test(v.colour)) {
      var ratio = 1.05 / (lum(v.colour) + 0.05), low = ratio < parseFloat(hint.dataset.min);
      hint.textContent = hint.dataset.label + ": " + ratio.toFixed(1) + ":1" + (low ? " — " + hint.dataset.low : "");
      hint.classList.toggle("low", low);
      if (picker && picker.value !== v.colour.toLowerCase()) picker.value = v.colour.toLowerCase();
    }
  }
  if (picker) picker.addEventListener("input", function () { colour.value = picker.value; draw(); });
  form.addEventListener("input", draw);
  form.addEventListener("change", draw);
  var copy = document.getElementById("copy-snippet");
  if (copy) copy.addEventListener("click", function () {
    var text = document.getElementById("embed-snippet").textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { copy.textContent = copy.dataset.done; });
  });
  draw();
})();
