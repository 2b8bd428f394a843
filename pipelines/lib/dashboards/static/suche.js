/* Sozialmonitor search on the start page: districts and indicators from window.smSuchindex
   (suchindex.js, written at release time: [kind, name, code, detail, href], no values), offline.
   Every word typed must occur in the name, code or detail (case, umlauts and accents ignored). Arrow keys
   move between the hits, Enter opens one, Escape returns to the field. Texts are set with textContent. */
(function () {
  "use strict";
  var input = document.getElementById("sm-suche");
  var list = document.getElementById("sm-treffer");
  var count = document.getElementById("sm-suche-anzahl");
  var entries = window.smSuchindex || [];
  if (!input || !list) { return; }
  var MAX = 20;

  function norm(text) {
    return String(text).toLowerCase().replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue")
      .replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  var keys = entries.map(function (e) { return {name: norm(e[1]), all: norm(e[1] + " " + e[2] + " " + e[3])}; });

  function hits(query) {
    var words = norm(query).split(/\s+/).filter(function (w) { return w.length; });
    if (!words.length) { return []; }
    var found = [];
    entries.forEach(function (e, i) {
      var k = keys[i];
      if (words.every(function (w) { return k.all.indexOf(w) >= 0; })) {
        // names starting with the first word first, then exact codes, then the rest (in index order)
        var rank = k.name.indexOf(words[0]) === 0 ? 0 : (norm(e[2]) === words[0] ? 1 : 2);
        found.push({e: e, rank: rank, i: i});
      }
    });
    found.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
    return found;
  }

  function links() { return list.querySelectorAll("a"); }

  function show() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var query = input.value.trim();
    var found = hits(query);
    found.slice(0, MAX).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.e[4];
      a.textContent = h.e[1];
      var note = document.createElement("span");
      note.className = "art";
      note.textContent = " " + h.e[0] + " · " + h.e[3] + " · " + h.e[2];
      a.appendChild(note);
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!query) { count.textContent = ""; }
    else if (!found.length) { count.textContent = "Keine Treffer für „" + query + "“."; }
    else if (found.length > MAX) { count.textContent = found.length + " Treffer, die ersten " + MAX + " stehen hier."; }
    else { count.textContent = found.length === 1 ? "1 Treffer" : found.length + " Treffer"; }
  }

  function move(from, delta) {
    var all = links();
    if (!all.length) { return; }
    var i = Array.prototype.indexOf.call(all, from) + delta;
    if (i < 0) { input.focus(); return; }
    all[Math.min(i, all.length - 1)].focus();
  }

  input.addEventListener("input", show);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(null, 1); }
    else if (ev.key === "Enter") {
      var first = links()[0];
      if (first) { ev.preventDefault(); window.location.href = first.href; }
    } else if (ev.key === "Escape") { input.value = ""; show(); }
  });
  list.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(ev.target, 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(ev.target, -1); }
    else if (ev.key === "Escape") { ev.preventDefault(); input.focus(); }
  });
  if (input.value) { show(); }
  document.body.setAttribute("data-suche", String(entries.length));
}());
