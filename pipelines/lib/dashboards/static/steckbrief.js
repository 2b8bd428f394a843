/* Sozialmonitor profile charts: the spine chart, the sparklines and the time-series charts of a profile,
   drawn as inline SVG from the page's published figures (<script type="application/json"
   id="sm-diagramme">, see profile_charts.py), offline, when the page loads (print included).

   Each placeholder names its chart: data-verlauf / data-zeitreihe = an indicator of "reihen", data-spine = a
   row of "spine"; the sparkline and time-series placeholders carry the chart's text alternative
   (aria-label), which the SVG keeps. A year without a published value is null and leaves a gap. Every mark
   drawn from values gets class "sm-wert" and data-sm, the list of its (indicator, year, district) cells.
   The geometry and the number format are those of the server-side charts this replaces. */
(function () {
  "use strict";
  var node = document.getElementById("sm-diagramme");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var LINE = "#08519c", CITY = "#636363", BAND = "#c6dbef";

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  // one decimal as Python's format(x, ".1f"): a tie (x·4 odd) goes to the even digit
  function f1(x) {
    if (Number.isInteger(x * 4) && (x * 4) % 2 !== 0) {
      var t = x * 10, low = Math.floor(t);
      return ((low % 2 === 0 ? low : low + 1) / 10).toFixed(1);
    }
    return x.toFixed(1);
  }
  function mark(cells, css) {
    return ' class="sm-wert' + (css ? " " + css : "") + '" data-sm="' + esc(JSON.stringify(cells)) + '"';
  }
  function runs(years, has) {  // consecutive years with a value
    var out = [], current = [];
    years.forEach(function (y, k) {
      if (has(k)) { current.push(k); } else if (current.length) { out.push(current); current = []; }
    });
    if (current.length) { out.push(current); }
    return out;
  }
  function published(list) { return list ? list.map(function (v) { return v !== null; }) : null; }

  function sparkline(key, text) {
    var s = data.reihen[key], years = s.jahre, own = s.werte, ref = s.stadt || [];
    var rates = [];
    own.forEach(function (v) { if (v !== null) { rates.push(v[0]); } });
    ref.forEach(function (v) { if (v !== null) { rates.push(v); } });
    var low = Math.min.apply(null, rates), high = Math.max.apply(null, rates);
    var span = (high - low) || 1.0, last = years.length - 1;
    var x = years.map(function (_y, i) { return f1(3 + 114 * i / last); });
    function y(rate) { return f1(32 - 3 - 26 * (rate - low) / span); }
    var parts = ['<svg class="verlauf" viewBox="0 0 120 32" width="120" height="32" role="img" aria-label="' +
                 esc(text) + '"><title>' + esc(text) + "</title>"];
    [[ref.map(function (v) { return v; }), CITY, ' stroke-dasharray="3 2"'],
     [own.map(function (v) { return v === null ? null : v[0]; }), LINE, ""]].forEach(function (line) {
      var series = line[0];
      runs(years, function (k) { return series[k] !== undefined && series[k] !== null; }).forEach(function (run) {
        if (run.length > 1) {
          var points = run.map(function (k) { return x[k] + "," + y(series[k]); }).join(" ");
          parts.push('<polyline points="' + points + '" fill="none" stroke="' + line[1] + '" stroke-width="1.5"' +
                     line[2] + "/>");
        }
      });
    });
    own.forEach(function (v, k) {
      if (v !== null) { parts.push('<circle cx="' + x[k] + '" cy="' + y(v[0]) + '" r="2" fill="' + LINE + '"/>'); }
    });
    parts.push("</svg>");
    return parts.join("");
  }

  function timeSeries(key, text) {
    var s = data.reihen[key], years = s.jahre, own = s.werte, ref = s.stadt || [];
    var city = data.stadt, district = data.gebiet;
    var numbers = [];
    own.forEach(function (v) { if (v !== null) { numbers.push(v[0]); } });
    ref.forEach(function (v) { if (v !== null) { numbers.push(v); } });
    var band = own.map(function (v) { return v !== null && v[1] !== null && v[2] !== null; });
    own.forEach(function (v, k) { if (band[k]) { numbers.push(v[1]); } });
    own.forEach(function (v, k) { if (band[k]) { numbers.push(v[2]); } });
    var low = Math.min.apply(null, numbers), high = Math.max.apply(null, numbers);
    var span = (high - low) || 1.0, step = (320 - 44 - 10) / (years.length - 1);
    var x = years.map(function (_y, i) { return 44 + step * i; });
    function y(rate) { return 8 + (140 - 8 - 22) * (high - rate) / span; }
    function cells(run, id) { return run.map(function (k) { return [key, years[k], id]; }); }
    var parts = [
      '<svg class="zeitreihe" viewBox="0 0 320 140" width="320" height="140" role="img" aria-label="' + esc(text) +
        '"><title>' + esc(text) + "</title>",
      '<line x1="44" y1="118" x2="310" y2="118" stroke="#969696"/>',
      '<text x="40" y="' + f1(y(high) + 4) + '" text-anchor="end" font-size="10">' + esc(s.achse[0]) + "</text>",
      '<text x="40" y="' + f1(y(low)) + '" text-anchor="end" font-size="10">' + esc(s.achse[1]) + "</text>"];
    years.forEach(function (yr, k) {
      parts.push('<text x="' + f1(x[k]) + '" y="134" text-anchor="middle" font-size="10">' + yr + "</text>");
    });
    runs(years, function (k) { return band[k]; }).forEach(function (run) {
      if (run.length > 1) {
        var upper = run.map(function (k) { return f1(x[k]) + "," + f1(y(own[k][2])); });
        var lower = run.slice().reverse().map(function (k) { return f1(x[k]) + "," + f1(y(own[k][1])); });
        parts.push("<polygon" + mark(cells(run, district), "band") + ' points="' + upper.concat(lower).join(" ") +
                   '" fill="' + BAND + '" stroke="none"/>');
      } else {
        var k = run[0];
        parts.push("<line" + mark(cells(run, district), "band") + ' x1="' + f1(x[k]) + '" y1="' + f1(y(own[k][1])) +
                   '" x2="' + f1(x[k]) + '" y2="' + f1(y(own[k][2])) + '" stroke="' + BAND + '" stroke-width="6"/>');
      }
    });
    if (city !== null) {
      runs(years, function (k) { return ref[k] !== undefined && ref[k] !== null; }).forEach(function (run) {
        if (run.length > 1) {
          var points = run.map(function (k) { return f1(x[k]) + "," + f1(y(ref[k])); }).join(" ");
          parts.push("<polyline" + mark(cells(run, city), "stadt") + ' points="' + points + '" fill="none" stroke="' +
                     CITY + '" stroke-width="1.5" stroke-dasharray="4 3"/>');
        }
      });
    }
    var shown = published(own);
    runs(years, function (k) { return shown[k]; }).forEach(function (run) {
      if (run.length > 1) {
        var points = run.map(function (k) { return f1(x[k]) + "," + f1(y(own[k][0])); }).join(" ");
        parts.push("<polyline" + mark(cells(run, district), "linie") + ' points="' + points +
                   '" fill="none" stroke="' + LINE + '" stroke-width="2"/>');
      }
    });
    own.forEach(function (v, k) {
      if (v !== null) {
        parts.push("<circle" + mark(cells([k], district), "punkt") + ' cx="' + f1(x[k]) + '" cy="' + f1(y(v[0])) +
                   '" r="3" fill="' + LINE + '"><title>' + years[k] + ": " + esc(v[3]) + "</title></circle>");
      }
    });
    parts.push("</svg>");
    return parts.join("");
  }

  function spine(number) {
    var row = data.spine[number], value = row.wert, centre = row.stadt, parent = row.eltern;
    var reach = (row.spanne || []).map(function (r) { return Math.abs(r - centre); });
    if (value !== null) {
      reach.push(Math.abs(value[0] - centre));
      [value[1], value[2]].forEach(function (b) { if (b !== null) { reach.push(Math.abs(b - centre)); } });
    }
    if (parent !== null) { reach.push(Math.abs(parent - centre)); }
    var scale = 110 / ((reach.length ? Math.max.apply(null, reach) : 0.0) || 1.0);
    var flip = row.umkehr ? -1.0 : 1.0;
    function x(rate) { return 120 + flip * (rate - centre) * scale; }
    function sorted(a, b) { return a <= b ? [a, b] : [b, a]; }
    var iid = row.i, year = row.jahr;
    var parts = ['<svg class="spine-diagramm" viewBox="0 0 240 20" width="240" height="20" aria-hidden="true">'];
    if (row.spanne) {
      var outer = sorted(x(row.spanne[0]), x(row.spanne[3])), inner = sorted(x(row.spanne[1]), x(row.spanne[2]));
      parts.push('<rect x="' + f1(outer[0]) + '" y="5" width="' + f1(Math.max(outer[1] - outer[0], 0.5)) +
                 '" height="10" fill="#e0e0e0"/>');
      parts.push('<rect x="' + f1(inner[0]) + '" y="5" width="' + f1(Math.max(inner[1] - inner[0], 0.5)) +
                 '" height="10" fill="#a8a8a8"/>');
    }
    parts.push("<line" + mark([[iid, year, data.stadt]], "stadt") +
               ' x1="120" y1="1" x2="120" y2="19" stroke="#000000" stroke-width="1.5"/>');
    if (parent !== null) {
      var px = x(parent);
      parts.push("<polygon" + mark([[iid, year, data.eltern]], "eltern") + ' points="' + f1(px) + ",3 " + f1(px + 6) +
                 ",10 " + f1(px) + ",17 " + f1(px - 6) + ',10" fill="#ffffff" stroke="#000000" stroke-width="1.2"/>');
    }
    if (value !== null) {
      var cells = [[iid, year, data.gebiet]];
      if (value[1] !== null && value[2] !== null) {
        var ci = sorted(x(value[1]), x(value[2]));
        parts.push("<line" + mark(cells, "ki") + ' x1="' + f1(ci[0]) + '" y1="10" x2="' + f1(ci[1]) +
                   '" y2="10" stroke="#000000" stroke-width="1.5"/>');
      }
      parts.push("<circle" + mark(cells, "punkt") + ' cx="' + f1(x(value[0])) + '" cy="10" r="5" fill="' + row.farbe +
                 '" stroke="#000000"/>');
    }
    parts.push("</svg>");
    return parts.join("");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-verlauf]"), function (el) {
    el.outerHTML = sparkline(el.getAttribute("data-verlauf"), el.getAttribute("aria-label"));
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-zeitreihe]"), function (el) {
    el.outerHTML = timeSeries(el.getAttribute("data-zeitreihe"), el.getAttribute("aria-label"));
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-spine]"), function (el) {
    el.outerHTML = spine(Number(el.getAttribute("data-spine")));
  });
}());
