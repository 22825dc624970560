/* Progressive enhancement for the notice form: pick the area of a notice on a Leaflet map.
   Without JavaScript the centre (latitude, longitude) and radius fields work on their own.
   Here a click on the map sets the centre and the circle follows the radius field; in
   "polygon" mode each click adds a corner and the polygon is written (as GeoJSON) into a hidden
   field: nobody types GeoJSON. "Clear" goes back to the circle. */
(function () {
  "use strict";

  function number(text) {
    var value = parseFloat(String(text || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function init(el) {
    if (!window.L) { return; }
    var lat = document.getElementById(el.dataset.latInput);
    var lon = document.getElementById(el.dataset.lonInput);
    var radius = document.getElementById(el.dataset.radiusInput);
    var polygonInput = document.getElementById(el.dataset.polygonInput);
    var status = document.getElementById(el.dataset.status);
    var modeButton = el.querySelector("[data-action=mode]");
    var clearButton = el.querySelector("[data-action=clear]");
    if (!lat || !lon || !radius || !polygonInput || !status) { return; }
    el.hidden = false;

    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (districts) {
        var map = L.map(el.querySelector(".location-map"), { scrollWheelZoom: false });
        if (el.dataset.tileUrl) {
          L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
        }
        var all = L.featureGroup(districts.map(function (d) {
          return L.geoJSON(d.geometry, { interactive: false, style: { color: "#5f6b7a", weight: 1, fillOpacity: 0.1 } });
        })).addTo(map);
        if (all.getBounds().isValid()) { map.fitBounds(all.getBounds()); }
        var circle = null;
        var polygon = null;
        var corners = [];
        var drawing = false;

        function say(text) { status.textContent = text; }

        function showCircle() {
          var la = number(lat.value), lo = number(lon.value), r = number(radius.value);
          if (circle) { map.removeLayer(circle); circle = null; }
          if (la === null || lo === null || r === null || polygon) { return; }
          circle = L.circle([la, lo], { radius: r, color: "#0b4f8a" }).addTo(map);
          say(el.dataset.msgCircle.replace("{lat}", la.toFixed(5)).replace("{lon}", lo.toFixed(5)).replace("{radius}", r));
        }

        function showPolygon() {
          if (polygon) { map.removeLayer(polygon); polygon = null; }
          if (corners.length >= 3) {
            polygon = L.polygon(corners, { color: "#0b4f8a" }).addTo(map);
            var ring = corners.map(function (c) { return [Number(c[1].toFixed(6)), Number(c[0].toFixed(6))]; });
            ring.push(ring[0]);
            polygonInput.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
            if (circle) { map.removeLayer(circle); circle = null; }
          } else {
            polygonInput.value = "";
          }
          say(el.dataset.msgPolygon.replace("{count}", corners.length));
        }

        map.on("click", function (e) {
          if (drawing) {
            corners.push([e.latlng.lat, e.latlng.lng]);
            showPolygon();
            return;
          }
          lat.value = e.latlng.lat.toFixed(6);
          lon.value = e.latlng.lng.toFixed(6);
          if (!number(radius.value)) { radius.value = "300"; }
          showCircle();
        });
        [lat, lon, radius].forEach(function (input) { input.addEventListener("change", showCircle); });
        modeButton.addEventListener("click", function () {
          drawing = !drawing;
          modeButton.setAttribute("aria-pressed", drawing ? "true" : "false");
          say(drawing ? el.dataset.msgDraw : "");
        });
        clearButton.addEventListener("click", function () {
          corners = [];
          showPolygon();
          drawing = false;
          modeButton.setAttribute("aria-pressed", "false");
          showCircle();
        });
        if (polygonInput.value) {
          try {
            var shape = JSON.parse(polygonInput.value);
            corners = shape.coordinates[0].slice(0, -1).map(function (c) { return [c[1], c[0]]; });
            showPolygon();
          } catch (err) { polygonInput.value = ""; }
        }
        showCircle();
      })
      .catch(function () { el.hidden = true; /* the fields still work */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".notice-area-picker[data-geojson-url]").forEach(init);
  });
})();
