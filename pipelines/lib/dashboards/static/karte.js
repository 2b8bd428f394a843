/* Sozialmonitor indicator maps: tooltips and legend switching. Needs only Leaflet core. */

/* Tooltip content for one district: only the properties the feature carries (hidden cells carry no
   values), written with textContent so that no property can inject markup. */
function smTooltip(feature, labels) {
  var p = feature.properties || {};
  var box = document.createElement("div");
  var title = document.createElement("strong");
  title.textContent = p.name || "";
  box.appendChild(title);
  var table = document.createElement("table");
  var rows = [
    ["level", labels.level],
    ["rate", labels.rate],
    ["ci", labels.ci],
    ["numerator", labels.numerator],
    ["denominator", labels.denominator],
    ["status_text", labels.status]
  ];
  rows.forEach(function (row) {
    var value = p[row[0]];
    if (!row[1] || value === undefined || value === null) {
      return;
    }
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    th.textContent = row[1];
    var td = document.createElement("td");
    td.textContent = value;
    tr.appendChild(th);
    tr.appendChild(td);
    table.appendChild(tr);
  });
  box.appendChild(table);
  return box;
}

/* Show the legend of the level chosen in the layer control (its label is the layer name). */
function smShowLegend(levelLabel) {
  var sections = document.querySelectorAll("[data-ebene]");
  for (var i = 0; i < sections.length; i++) {
    sections[i].hidden = sections[i].getAttribute("data-ebene") !== levelLabel;
  }
}
