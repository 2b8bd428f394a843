/* Sozialmonitor comparison page: draws the page's JSON (#sm-vergleich) — the chosen districts side by side
   and a scatter of two indicators on one level (plain SVG). A cell [0, rate, ci_low, ci_high, comparison]
   is published; a bare [status] is not, shows its status text and is never drawn. The chosen districts are
   in the URL hash ("#gebiete=P01,P03"). Texts are written with textContent. */
(function () {
  "use strict";
  var node = document.getElementById("sm-vergleich");
  if (!node) { return; }
  var D = JSON.parse(node.textContent);
  var sel = document.getElementById("sm-gebiete");
  var selX = document.getElementById("sm-x"), selY = document.getElementById("sm-y");
  var selLevel = document.getElementById("sm-streu-ebene");
  var SVG = (document.querySelector("svg") || {}).namespaceURI;  // from the page's own hatch pattern
  var CLASSES = ["besser", "aehnlich", "schlechter", "neutral", "neutral"];  // order of D.vergleiche
  var COLOURS = ["#2171b5", "#fec44f", "#d94801", "#807dba", "#807dba"];
  var at = {};
  D.gebiete.forEach(function (g, i) { at[g.id] = i; });

  function el(name, attrs, text) {
    var e = name.indexOf("svg:") === 0 ? document.createElementNS(SVG, name.slice(4)) : document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function num(text) { return parseFloat(String(text).replace(/\./g, "").replace(",", ".")); }
  function unit(ind) { return ind.einheit ? " " + ind.einheit : ""; }

  function chosen() {
    var ids = [];
    for (var i = 0; i < sel.options.length; i++) { if (sel.options[i].selected) { ids.push(sel.options[i].value); } }
    return ids;
  }
  function choose(ids) {
    for (var i = 0; i < sel.options.length; i++) { sel.options[i].selected = ids.indexOf(sel.options[i].value) >= 0; }
  }
  function fromHash() {
    var m = /(?:^#|&)gebiete=([^&]*)/.exec(window.location.hash);
    if (!m) { return null; }
    return decodeURIComponent(m[1]).split(",").filter(function (id) { return id in at; });
  }
  function defaults() {
    var finest = D.ebenen.length ? D.ebenen[D.ebenen.length - 1].id : null;
    var ids = D.gebiete.length ? [D.gebiete[0].id] : [];
    D.gebiete.forEach(function (g) { if (g.ebene === finest && ids.length < 3 && ids.indexOf(g.id) < 0) { ids.push(g.id); } });
    return ids;
  }

  function fillTable(ids) {
    var table = document.getElementById("sm-vergleich-tabelle");
    var head = table.querySelector("thead"), body = table.querySelector("tbody");
    while (head.firstChild) { head.removeChild(head.firstChild); }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var tr = el("tr");
    tr.appendChild(el("th", {scope: "col"}, "Indikator"));
    tr.appendChild(el("th", {scope: "col"}, "Jahr"));
    ids.forEach(function (id) {
      var th = el("th", {scope: "col"});
      var g = D.gebiete[at[id]];
      th.appendChild(el("a", {href: g.steckbrief}, g.name));
      tr.appendChild(th);
    });
    head.appendChild(tr);
    D.indikatoren.forEach(function (ind, n) {
      var row = el("tr");
      row.appendChild(el("th", {scope: "row"}, ind.name + (ind.einheit ? " (" + ind.einheit + ")" : "")));
      row.appendChild(el("td", {}, String(ind.jahr)));
      ids.forEach(function (id) {
        var c = D.zellen[n][at[id]];
        var td = el("td", {"class": c[0] === 0 ? "zahl" : "zahl ohne-wert"});
        if (c[0] === 0) {
          td.appendChild(el("span", {"class": "wert"}, c[1] + unit(ind)));
          if (c[2] !== null) { td.appendChild(el("span", {"class": "ki"}, "KI " + c[2] + " – " + c[3])); }
          if (c[4] !== null && c[4] !== undefined && D.gebiete[at[id]].id !== D.gebiete[0].id) {
            td.appendChild(el("span", {"class": "vergleich " + CLASSES[c[4]]}, D.vergleiche[c[4]]));
          }
        } else {
          td.textContent = D.status[c[0]];
        }
        row.appendChild(td);
      });
      body.appendChild(row);
    });
  }

  function fillScatter(ids) {
    var box = document.getElementById("sm-streu-bild"), none = document.getElementById("sm-streu-ohne");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    none.textContent = "";
    var xi = Number(selX.value), yi = Number(selY.value), level = selLevel.value;
    var ix = D.indikatoren[xi], iy = D.indikatoren[yi];
    if (!ix || !iy || !SVG) { return; }
    var points = [], missing = [];
    D.gebiete.forEach(function (g, i) {
      if (g.ebene !== level) { return; }
      var cx = D.zellen[xi][i], cy = D.zellen[yi][i];
      if (cx[0] === 0 && cy[0] === 0) { points.push({g: g, x: num(cx[1]), y: num(cy[1]), tx: cx[1], ty: cy[1]}); }
      else {
        var why = cx[0] !== 0 ? D.status[cx[0]] : D.status[cy[0]];
        missing.push(g.name + " (" + why + ")");
      }
    });
    var W = 640, H = 420, L = 70, R = 20, T = 20, B = 60;
    function span(vals) {
      var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
      if (!vals.length) { lo = 0; hi = 1; }
      if (hi === lo) { lo -= 1; hi += 1; }
      var pad = (hi - lo) * 0.05;
      return [lo - pad, hi + pad];
    }
    var sx = span(points.map(function (p) { return p.x; })), sy = span(points.map(function (p) { return p.y; }));
    function X(v) { return L + (W - L - R) * (v - sx[0]) / (sx[1] - sx[0]); }
    function Y(v) { return H - B - (H - T - B) * (v - sy[0]) / (sy[1] - sy[0]); }
    var svg = el("svg:svg", {"class": "streu-diagramm", width: W, height: H, viewBox: "0 0 " + W + " " + H,
      role: "img", "aria-label": "Streudiagramm " + ix.name + " (" + ix.jahr + ") gegen " + iy.name + " (" + iy.jahr +
        "): " + points.map(function (p) { return p.g.name + " " + p.tx + " / " + p.ty; }).join("; ")});
    svg.appendChild(el("svg:rect", {x: L, y: T, width: W - L - R, height: H - T - B, fill: "#ffffff", stroke: "#969696"}));
    function fmt(v) { return v.toLocaleString("de-DE", {maximumFractionDigits: 1}); }
    [0, 0.5, 1].forEach(function (f) {
      var vx = sx[0] + f * (sx[1] - sx[0]), vy = sy[0] + f * (sy[1] - sy[0]);
      svg.appendChild(el("svg:text", {x: X(vx), y: H - B + 16, "text-anchor": "middle", "font-size": 11}, fmt(vx)));
      svg.appendChild(el("svg:text", {x: L - 6, y: Y(vy) + 4, "text-anchor": "end", "font-size": 11}, fmt(vy)));
    });
    svg.appendChild(el("svg:text", {x: L + (W - L - R) / 2, y: H - 18, "text-anchor": "middle", "font-size": 12},
                       ix.name + unit(ix) + ", " + ix.jahr));
    svg.appendChild(el("svg:text", {x: 14, y: T + (H - T - B) / 2, "text-anchor": "middle", "font-size": 12,
                                    transform: "rotate(-90 14 " + (T + (H - T - B) / 2) + ")"},
                       iy.name + unit(iy) + ", " + iy.jahr));
    // the chosen districts last, on top of the others
    points.sort(function (a, b) { return (ids.indexOf(a.g.id) >= 0) - (ids.indexOf(b.g.id) >= 0); });
    points.forEach(function (p) {
      var picked = ids.indexOf(p.g.id) >= 0;
      var dot = el("svg:circle", {cx: X(p.x), cy: Y(p.y), r: picked ? 7 : 5, "class": "streu-punkt" + (picked ? " gewaehlt" : ""),
                                  fill: picked ? COLOURS[2] : COLOURS[0], stroke: "#000000", "data-gebiet": p.g.id});
      dot.appendChild(el("svg:title", {}, p.g.name + ": " + p.tx + unit(ix) + " / " + p.ty + unit(iy)));
      svg.appendChild(dot);
      if (picked) {
        svg.appendChild(el("svg:text", {x: X(p.x) + 9, y: Y(p.y) - 8, "font-size": 12, "font-weight": "bold",
                                        stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke"}, p.g.name));
      }
    });
    box.appendChild(svg);
    if (missing.length) { none.textContent = "Ohne Punkt (kein veröffentlichter Wert): " + missing.join(", "); }
  }

  function draw(keepHash) {
    var ids = chosen();
    fillTable(ids);
    fillScatter(ids);
    if (!keepHash && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#gebiete=" + ids.map(encodeURIComponent).join(","));
    }
  }

  choose(fromHash() || defaults());
  if (selY && D.indikatoren.length > 1) { selY.value = "1"; }
  sel.addEventListener("change", function () { draw(); });
  [selX, selY, selLevel].forEach(function (s) { s.addEventListener("change", function () { fillScatter(chosen()); }); });
  window.addEventListener("hashchange", function () { var ids = fromHash(); if (ids) { choose(ids); draw(true); } });
  window.smVergleiche = function (ids) { choose(ids); draw(); };
  draw(true);
  document.body.setAttribute("data-gezeichnet", "1");
}());
