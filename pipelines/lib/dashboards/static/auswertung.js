/* Sozialmonitor analysis maps (need index, hot spots, offers, allocation): draws the page's JSON
   (#sm-daten) with Leaflet core only. View and level come from the <select> elements (and the URL hash
   "#ansicht=…&ebene=…", which the print command uses); the map, the legend section and the table follow
   them. A cell is [status] without a value, else [0, class, outlined, symbol, text, …]. Texts are written
   with textContent, so no property can inject markup. Other scripts (angebote.js) follow the chosen view
   through window.smZustand and the "sm-ansicht" event. */
(function () {
  "use strict";
  var node = document.getElementById("sm-daten");
  if (!node) { return; }
  var D = JSON.parse(node.textContent);
  var selView = document.getElementById("sm-ansicht");
  var selLevel = document.getElementById("sm-ebene");
  var boxSymbols = document.getElementById("sm-zeichen");
  var OUTLINE = "#4d4d4d";
  var SHAPES = {oben: "M7 1 L13 12 L1 12 Z", unten: "M1 2 L13 2 L7 13 Z"};
  var state = {view: 0, level: D.ebenen.length - 1};

  var map = L.map("sm-karte", {zoomSnap: 0.25, maxZoom: 19, attributionControl: false, keyboard: true});
  L.control.scale({imperial: false, position: "bottomleft", maxWidth: 200}).addTo(map);
  if (D.grenzen) { map.fitBounds(D.grenzen); } else { map.setView([51, 10], 6); }
  window.smKarte = map;

  function view() { return D.ansichten[state.view]; }

  function cellOf(levelIndex, featureIndex) {
    var v = view();
    return v && v.werte[levelIndex] ? v.werte[levelIndex][featureIndex] : [3];
  }

  function style(levelIndex, featureIndex) {
    var c = cellOf(levelIndex, featureIndex);
    if (c[0] !== 0) { return D.stile[c[0]]; }
    var s = {fillColor: view().farben[levelIndex][c[1]], color: OUTLINE, weight: 1, fillOpacity: 1,
             dashArray: null};
    if (c[2] === 1 && D.markierung) {
      s.color = D.markierung.color;
      s.weight = D.markierung.weight;
      s.dashArray = D.markierung.dashArray || null;
    }
    return s;
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

  function tooltip(levelIndex, featureIndex, feature) {
    var c = cellOf(levelIndex, featureIndex);
    var v = view();
    var t = D.texte;
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = feature.properties.name;
    box.appendChild(title);
    var table = document.createElement("table");
    row(table, t.ebene, D.ebenen[levelIndex].name);
    row(table, t.ansicht, v.name);
    if (c[0] === 0) {
      v.felder.forEach(function (label, k) { row(table, label, c[4 + k]); });
    } else {
      row(table, t.status, D.status[c[0]]);
    }
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
        path.smIndex = index[f.id];
        path.bindTooltip(function () { return tooltip(levelIndex, index[f.id], f); }, {sticky: true});
        path.on("mouseover", function () { path.setStyle({weight: 4, color: "#08306b", dashArray: null}); });
        path.on("mouseout", function () { path.setStyle(style(levelIndex, index[f.id])); });
        path.on("click", function () { window.location.href = f.properties.steckbrief; });
      }
    });
    layers[levelIndex] = layer;
    return layer;
  }

  function raiseMarked(layer, levelIndex) {
    // outlined districts last, so that no neighbour covers their outline
    layer.eachLayer(function (path) {
      var c = cellOf(levelIndex, path.smIndex);
      if (c[0] === 0 && c[2] === 1) { path.bringToFront(); }
    });
  }

  var symbols = L.layerGroup();
  function drawSymbols() {
    symbols.clearLayers();
    if (!D.punkte || (boxSymbols && !boxSymbols.checked)) { return; }
    D.ebenen[state.level].geo.features.forEach(function (f, i) {
      var c = cellOf(state.level, i);
      var sign = c[0] === 0 ? D.zeichen[c[3]] : null;
      if (!sign || !SHAPES[sign.form]) { return; }
      var svg = '<svg viewBox="0 0 14 14" width="14" height="14" aria-hidden="true"><path d="' +
                SHAPES[sign.form] + '" fill="#ffffff" stroke="#000000" stroke-width="1.5"/></svg>';
      L.marker(D.punkte[state.level][i], {
        icon: L.divIcon({className: "sm-zeichen", html: svg, iconSize: [14, 14]}),
        interactive: false, keyboard: false
      }).addTo(symbols);
    });
  }

  function showLegend() {
    var level = D.ebenen[state.level] ? D.ebenen[state.level].id : null;
    var id = view() ? view().id : null;
    var sections = document.querySelectorAll(".legende-teil");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = !(sections[i].getAttribute("data-ebene") === level &&
                             sections[i].getAttribute("data-ansicht") === id);
    }
  }

  function fillTable() {
    var table = document.getElementById("sm-tabelle");
    if (!table || !D.ebenen[state.level] || !view()) { return; }
    var v = view();
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    document.getElementById("sm-tabelle-titel").textContent = v.name + ", " + D.ebenen[state.level].name;
    while (head.firstChild) { head.removeChild(head.firstChild); }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var tr = document.createElement("tr");
    [D.texte.gebiet].concat(v.felder, [D.texte.status]).forEach(function (label) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      tr.appendChild(th);
    });
    head.appendChild(tr);
    D.ebenen[state.level].geo.features.forEach(function (f, i) {
      var c = cellOf(state.level, i);
      var line = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      var a = document.createElement("a");
      a.href = f.properties.steckbrief;
      a.textContent = f.properties.name;
      th.appendChild(a);
      line.appendChild(th);
      v.felder.forEach(function (_label, k) {
        var td = document.createElement("td");
        td.textContent = c[0] === 0 && c[4 + k] !== null ? c[4 + k] : "–";
        line.appendChild(td);
      });
      var status = document.createElement("td");
      status.textContent = D.status[c[0]];
      line.appendChild(status);
      body.appendChild(line);
    });
  }

  var shown = null;
  function draw() {
    var layer = D.ebenen.length ? layerFor(state.level) : null;
    if (shown && shown !== layer) { map.removeLayer(shown); }
    if (layer && shown !== layer) { layer.addTo(map); } else if (layer) { layer.setStyle(layer.options.style); }
    shown = layer;
    if (layer) { raiseMarked(layer, state.level); }
    drawSymbols();
    showLegend();
    fillTable();
    if (selLevel && D.ebenen[state.level]) { selLevel.value = D.ebenen[state.level].id; }
    if (selView && view()) { selView.value = view().id; }
    window.smZustand = {ansicht: view() ? view().id : null,
                        ebene: D.ebenen[state.level] ? D.ebenen[state.level].id : null};
    document.dispatchEvent(new CustomEvent("sm-ansicht", {detail: window.smZustand}));
  }

  function updateHash() {
    if (!view() || !D.ebenen[state.level] || !window.history || !window.history.replaceState) { return; }
    var hash = "#ansicht=" + encodeURIComponent(view().id) + "&ebene=" +
               encodeURIComponent(D.ebenen[state.level].id);
    window.history.replaceState(null, "", hash);
  }

  function indexOf(list, id, fallback) {
    var found = fallback;
    list.forEach(function (e, i) { if (e.id === id) { found = i; } });
    return found;
  }

  function choose(viewId, levelId, keepHash) {
    state.view = indexOf(D.ansichten, viewId, state.view);
    state.level = indexOf(D.ebenen, levelId, state.level);
    draw();
    if (!keepHash) { updateHash(); }
  }

  function fromHash() {
    var params = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv.length === 2) { params[kv[0]] = decodeURIComponent(kv[1]); }
    });
    return params;
  }

  if (selView) { selView.addEventListener("change", function () { choose(selView.value, null); }); }
  if (selLevel) { selLevel.addEventListener("change", function () { choose(null, selLevel.value); }); }
  if (boxSymbols) { boxSymbols.addEventListener("change", drawSymbols); }
  window.addEventListener("hashchange", function () {
    var p = fromHash();
    choose(p.ansicht || null, p.ebene || null, true);
  });

  var start = fromHash();
  state.view = indexOf(D.ansichten, start.ansicht, 0);
  state.level = indexOf(D.ebenen, start.ebene, D.ebenen.length - 1);
  symbols.addTo(map);
  window.smZeige = function (viewId, levelId) { choose(viewId, levelId); };
  draw();
  window.requestAnimationFrame(function () {
    document.body.setAttribute("data-gezeichnet", String(Math.round(window.performance.now())));
  });
}());
