/* Sozialmonitor offers map: the offers of the chosen category as clustered markers (Leaflet.markercluster).
   Follows the view auswertung.js draws (window.smZustand, event "sm-ansicht"). Markers are focusable
   (Tab, Enter opens the name, category and target group); clusters open with a click or Enter.
   "Standorte zeigen" switches the layer, "auch andere Kategorien" shows every offer. */
(function () {
  "use strict";
  var node = document.getElementById("sm-daten");
  var map = window.smKarte;
  if (!node || !map || !L.markerClusterGroup) { return; }
  var D = JSON.parse(node.textContent);
  if (!D.angebote) { return; }
  var boxShow = document.getElementById("sm-angebote");
  var boxAll = document.getElementById("sm-alle-angebote");
  var T = D.angebote.texte;

  var group = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      var n = cluster.getChildCount();
      return L.divIcon({html: "<span>" + String(n) + "</span>", className: "sm-cluster", iconSize: [34, 34]});
    }
  });

  function line(box, tag, text) {
    var el = document.createElement(tag);
    el.textContent = text;
    box.appendChild(el);
  }

  // the same shape as the legend entry (offers_page.OFFER_SVG)
  var icon = L.divIcon({className: "sm-angebot", iconSize: [18, 18],
    html: '<svg viewBox="0 0 18 18" width="18" height="18" aria-hidden="true"><circle cx="9" cy="9" r="6.5" ' +
          'fill="#08306b" stroke="#ffffff" stroke-width="2.5"/><circle cx="9" cy="9" r="8" fill="none" ' +
          'stroke="#08306b" stroke-width="1.5"/></svg>'});
  var markers = D.angebote.liste.map(function (o) {
    var marker = L.marker([o[0], o[1]], {icon: icon, title: o[2], alt: o[2], keyboard: true, riseOnHover: true});
    marker.bindPopup(function () {
      var box = document.createElement("div");
      line(box, "strong", o[2]);
      line(box, "div", T.kategorie + ": " + o[4]);
      line(box, "div", T.zielgruppe + ": " + o[5]);
      return box;
    });
    marker.smAnsicht = o[3];
    return marker;
  });

  function refresh() {
    group.clearLayers();
    var current = window.smZustand ? window.smZustand.ansicht : null;
    var all = boxAll && boxAll.checked;
    var wanted = markers.filter(function (m) { return all || m.smAnsicht === current; });
    if (boxShow && !boxShow.checked) {
      wanted = [];
      if (map.hasLayer(group)) { map.removeLayer(group); }
    } else {
      group.addLayers(wanted);
      if (!map.hasLayer(group)) { group.addTo(map); }
    }
    document.body.setAttribute("data-angebote", String(wanted.length));
  }

  document.addEventListener("sm-ansicht", refresh);
  if (boxShow) { boxShow.addEventListener("change", refresh); }
  if (boxAll) { boxAll.addEventListener("change", refresh); }
  refresh();
}());
