/* Sozialmonitor indicator maps: draws the page's JSON (#sm-daten) with Leaflet core only.
   Level and year come from the two <select> elements (and the URL hash "#ebene=…&jahr=…", which the
   print command uses); the map, the legend section and the table follow them. Texts are written with
   textContent, so no property can inject markup. */
(function () {
  "use strict";
  var node = document.getElementById("sm-daten");
  if (!node) { return; }
  var D = JSON.parse(node.textContent);
  var selLevel = document.getElementById("sm-ebene");
  var selYear = document.getElementById("sm-jahr");
  var state = {level: 0, year: D.jahre.length ? String(D.jahre[D.jahre.length - 1]) : null};
  state.level = D.ebenen.length - 1;

  var map = L.map("sm-karte", {zoomSnap: 0.25, attributionControl: false, keyboard: true});
  L.control.scale({imperial: false, position: "bottomleft", maxWidth: 200}).addTo(map);
  if (D.grenzen) { map.fitBounds(D.grenzen); } else { map.setView([51, 10], 6); }
  window.smKarte = map;

  function cellOf(levelIndex, featureIndex) {
    var year = D.werte[state.year];
    return year ? year[levelIndex][featureIndex] : [3];
  }

  function style(levelIndex, featureIndex) {
    var c = cellOf(levelIndex, featureIndex);
    if (c[0] !== 0) { return D.stile[c[0]]; }
    return {fillColor: D.farben[state.year][levelIndex][c[6]], color: "#4d4d4d", weight: 1, fillOpacity: 1,
            className: "sm-klasse"};
  }

  function row(table, label, value) {
    if (value === null || value === undefined) { return; }
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    th.textContent = label;
    var td = document.createElement("td");
    td.textContent = value;
    tr.appendChild(th);
    tr.appendChild(td);
    table.appendChild(tr);
  }

  function rateText(c) { return c[1] + D.einheit; }
  function derived(c) { return c[8] === 1; }
  function ciText(c) { return c[2] === null ? (derived(c) ? D.texte.ohne_ki : null) : c[2] + " – " + c[3]; }
  function comparisonText(c) { return c[7] === null || c[7] === undefined ? null : D.vergleiche[c[7]]; }

  function tooltip(levelIndex, featureIndex, feature) {
    var c = cellOf(levelIndex, featureIndex);
    var t = D.texte;
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = feature.properties.name;
    box.appendChild(title);
    var table = document.createElement("table");
    row(table, t.ebene, D.ebenen[levelIndex].name);
    row(table, t.jahr, state.year);
    if (c[0] === 0) {
      row(table, t.rate, rateText(c));
      row(table, t.ki, ciText(c));
      row(table, t.zaehler, derived(c) ? (c[4] === null ? "" : c[4] + ", ") + t.abgeleitet : c[4]);
      row(table, t.nenner, c[5]);
      row(table, t.vergleich, comparisonText(c));
    }
    row(table, t.status, D.status[c[0]]);
    box.appendChild(table);
    var hint = document.createElement("div");
    hint.className = "sm-hinweis";
    hint.textContent = t.steckbrief;
    box.appendChild(hint);
    return box;
  }

  var layers = [];
  function layerFor(levelIndex) {
    if (layers[levelIndex]) { return layers[levelIndex]; }
    var index = {};
    D.ebenen[levelIndex].geo.features.forEach(function (f, i) { index[f.id] = i; });
    var layer = L.geoJSON(D.ebenen[levelIndex].geo, {
      style: function (f) { return style(levelIndex, index[f.id]); },
      onEachFeature: function (f, path) {
        path.bindTooltip(function () { return tooltip(levelIndex, index[f.id], f); }, {sticky: true});
        path.on("mouseover", function () { path.setStyle({weight: 3, color: "#000000"}); });
        path.on("mouseout", function () { path.setStyle(style(levelIndex, index[f.id])); });
        path.on("click", function () { window.location.href = f.properties.steckbrief; });
      }
    });
    layers[levelIndex] = layer;
    return layer;
  }

  function showLegend() {
    var level = D.ebenen[state.level] ? D.ebenen[state.level].id : null;
    var sections = document.querySelectorAll(".legende-teil");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = !(sections[i].getAttribute("data-ebene") === level &&
                             sections[i].getAttribute("data-jahr") === state.year);
    }
  }

  function fillTable() {
    var body = document.querySelector("#sm-tabelle tbody");
    var caption = document.getElementById("sm-tabelle-titel");
    if (!body || !D.ebenen[state.level]) { return; }
    caption.textContent = D.ebenen[state.level].name + ", " + state.year;
    while (body.firstChild) { body.removeChild(body.firstChild); }
    D.ebenen[state.level].geo.features.forEach(function (f, i) {
      var c = cellOf(state.level, i);
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      var a = document.createElement("a");
      a.href = f.properties.steckbrief;
      a.textContent = f.properties.name;
      th.appendChild(a);
      tr.appendChild(th);
      var cells = c[0] === 0 ? [rateText(c), ciText(c), comparisonText(c),
                                D.status[0] + (derived(c) ? "; Zähler " + D.texte.abgeleitet : "")]
                             : [null, null, null, D.status[c[0]]];
      cells.forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text === null ? "–" : text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }


  // the SVG namespace, from the page's own hatch pattern (no URL written into the script)
  var SVG = (document.querySelector("svg") || {}).namespaceURI;
  var RANK_COLOURS = ["#2171b5", "#fec44f", "#d94801", "#807dba", "#807dba"];  // order of D.vergleiche
  function num(text) { return text === null || text === undefined ? null
    : parseFloat(String(text).replace(/\./g, "").replace(",", ".")); }
  function svgEl(name, attrs) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function fillRanking() {
    var box = document.getElementById("sm-rangfolge-bild");
    var level = D.ebenen[state.level];
    if (!box || !level || !SVG) { return; }
    document.getElementById("sm-rangfolge-ebene").textContent = level.name + ", " + state.year;
    while (box.firstChild) { box.removeChild(box.firstChild); }
    var rows = [], missing = [];
    level.geo.features.forEach(function (f, i) {
      var c = cellOf(state.level, i);
      if (c[0] === 0) { rows.push({name: f.properties.name, c: c, rate: num(c[1]), lo: num(c[2]), hi: num(c[3])}); }
      else { missing.push(f.properties.name + " (" + D.status[c[0]] + ")"); }
    });
    var down = D.richtung === "higher_is_worse";
    rows.sort(function (a, b) { return down ? a.rate - b.rate : b.rate - a.rate; });
    var city = num((D.stadt || {})[state.year]);
    var all = [];
    rows.forEach(function (r) { all.push(r.rate); if (r.lo !== null) { all.push(r.lo, r.hi); } });
    if (city !== null) { all.push(city); }
    var low = Math.min.apply(null, all.concat([0])), high = Math.max.apply(null, all.concat([0]));
    var left = 190, width = 560, rowH = 16, span = (high - low) || 1;
    function x(v) { return left + (width - left - 50) * (v - low) / span; }
    var svg = svgEl("svg", {"class": "rang-diagramm", width: width, height: rows.length * rowH + 6,
                            viewBox: "0 0 " + width + " " + (rows.length * rowH + 6), role: "img",
                            "aria-label": "Rangfolge " + level.name + " " + state.year +
                              ": " + rows.map(function (r) { return r.name + " " + r.c[1] + D.einheit; }).join("; ")});
    rows.forEach(function (r, i) {
      var y = i * rowH + 11;
      var label = svgEl("text", {x: left - 8, y: y + 4, "text-anchor": "end", "font-size": 11});
      label.textContent = (i + 1) + ". " + r.name;
      svg.appendChild(label);
      if (r.lo !== null) {
        svg.appendChild(svgEl("line", {x1: x(r.lo), x2: x(r.hi), y1: y, y2: y, stroke: "#000000",
                                       "stroke-width": 1.5, "class": "rang-ki"}));
      }
      var colour = r.c[7] === null || r.c[7] === undefined ? "#ffffff" : RANK_COLOURS[r.c[7]];
      svg.appendChild(svgEl("circle", {cx: x(r.rate), cy: y, r: 5, fill: colour, stroke: "#000000",
                                       "class": "rang-punkt"}));
      var value = svgEl("text", {x: width - 45, y: y + 4, "font-size": 11});
      value.textContent = r.c[1];
      svg.appendChild(value);
    });
    if (city !== null && rows.length) {
      svg.appendChild(svgEl("line", {x1: x(city), x2: x(city), y1: 0, y2: rows.length * rowH + 6,
                                     stroke: "#636363", "stroke-dasharray": "4 3", "class": "rang-stadt"}));
    }
    box.appendChild(svg);
    var none = document.getElementById("sm-rangfolge-ohne");
    none.textContent = missing.length ? "Ohne Rang (kein veröffentlichter Wert): " + missing.join(", ") : "";
  }

  // the finest level mostly withheld in this year: offer the coarsest level without a withheld cell
  function offerCoarse() {
    var box = document.getElementById("sm-grob");
    if (!box) { return; }
    var target = (D.grob || {})[state.year];
    var finest = D.ebenen.length - 1;
    if (target === undefined || target === null || state.level !== finest) { box.hidden = true; return; }
    document.getElementById("sm-grob-text").textContent = "Auf der Ebene " + D.ebenen[finest].name + " ist " +
      state.year + " mehr als die Hälfte der Gebiete nicht ausgewiesen.";
    var button = document.getElementById("sm-grob-knopf");
    button.textContent = "Ebene " + D.ebenen[target].name + " zeigen (ohne Lücken)";
    button.onclick = function () { choose(D.ebenen[target].id, state.year); };
    box.hidden = false;
  }

  var shown = null;
  function draw() {
    var layer = D.ebenen.length ? layerFor(state.level) : null;
    if (shown && shown !== layer) { map.removeLayer(shown); }
    if (layer && shown !== layer) { layer.addTo(map); } else if (layer) { layer.setStyle(layer.options.style); }
    shown = layer;
    showLegend();
    fillTable();
    fillRanking();
    offerCoarse();
    if (selLevel && D.ebenen[state.level]) { selLevel.value = D.ebenen[state.level].id; }
    if (selYear && state.year) { selYear.value = state.year; }
  }

  function restyle() {
    // setStyle with the style function of the layer: every path gets the colours of the chosen year
    if (shown) { shown.setStyle(shown.options.style); }
  }

  function updateHash() {
    if (!D.ebenen[state.level] || !window.history || !window.history.replaceState) { return; }
    var hash = "#ebene=" + encodeURIComponent(D.ebenen[state.level].id) + "&jahr=" + state.year;
    window.history.replaceState(null, "", hash);
  }

  function choose(levelId, year, keepHash) {
    var levelIndex = state.level;
    D.ebenen.forEach(function (e, i) { if (e.id === levelId) { levelIndex = i; } });
    var yearText = year && D.werte[String(year)] ? String(year) : state.year;
    var levelChanged = levelIndex !== state.level || !shown;
    state.level = levelIndex;
    state.year = yearText;
    if (levelChanged) { draw(); } else { restyle(); showLegend(); fillTable(); fillRanking(); offerCoarse();
      if (selYear) { selYear.value = state.year; } }
    if (!keepHash) { updateHash(); }
  }

  function step(delta) {
    var i = D.jahre.indexOf(Number(state.year)) + delta;
    if (i >= 0 && i < D.jahre.length) { choose(null, D.jahre[i]); }
  }

  function fromHash() {
    var params = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv.length === 2) { params[kv[0]] = decodeURIComponent(kv[1]); }
    });
    return params;
  }

  if (selLevel) { selLevel.addEventListener("change", function () { choose(selLevel.value, state.year); }); }
  if (selYear) { selYear.addEventListener("change", function () { choose(null, selYear.value); }); }
  var earlier = document.getElementById("sm-frueher");
  var later = document.getElementById("sm-spaeter");
  if (earlier) { earlier.addEventListener("click", function () { step(-1); }); }
  if (later) { later.addEventListener("click", function () { step(1); }); }
  window.addEventListener("hashchange", function () {
    var p = fromHash();
    choose(p.ebene || null, p.jahr || null, true);
  });

  var start = fromHash();
  state.level = -1;
  D.ebenen.forEach(function (e, i) { if (e.id === start.ebene) { state.level = i; } });
  if (state.level < 0) { state.level = D.ebenen.length - 1; }
  if (start.jahr && D.werte[start.jahr]) { state.year = start.jahr; }
  window.smZeige = function (levelId, year) { choose(levelId, year); };
  draw();
  window.requestAnimationFrame(function () {
    document.body.setAttribute("data-gezeichnet", String(Math.round(window.performance.now())));
  });
}());
