/* Progressive enhancement for the project form: pick the location on a Leaflet map.
   Without JavaScript the latitude and longitude fields work on their own; the server checks
   that the point lies inside the chosen district either way. Here a click (or a drag of the
   marker) fills both fields, typing in them moves the marker, and a point outside the district
   of the chosen pool is announced at once (the same rule the server applies). */
(function () {
  "use strict";

  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function inPolygon(lon, lat, rings) {
    if (!inRing(lon, lat, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) { if (inRing(lon, lat, rings[k])) { return false; } }
    return true;
  }

  function contains(geometry, lon, lat) {
    if (geometry.type === "Polygon") { return inPolygon(lon, lat, geometry.coordinates); }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (p) { return inPolygon(lon, lat, p); });
    }
    return false;
  }

  function number(text) {
    var value = parseFloat(String(text || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function init(el) {
    if (!window.L) { return; }
    var latInput = document.getElementById(el.dataset.latInput);
    var lonInput = document.getElementById(el.dataset.lonInput);
    var poolInput = document.getElementById(el.dataset.poolInput);
    var status = document.getElementById(el.dataset.status);
    var poolsData = document.getElementById(el.dataset.pools);
    if (!latInput || !lonInput || !status) { return; }
    var pools = poolsData ? JSON.parse(poolsData.textContent) : {};
    var canvas = el.querySelector(".location-map");
    el.hidden = false;

    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (districts) {
        var map = L.map(canvas, { scrollWheelZoom: false });
        if (el.dataset.tileUrl) {
          L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
        }
        var byNumber = {};
        var layers = {};
        districts.forEach(function (d) {
          byNumber[d.number] = d;
          layers[d.number] = L.geoJSON(d.geometry, { interactive: false }).addTo(map);
          layers[d.number].bindTooltip(d.full_name);
        });
        var all = L.featureGroup(Object.keys(layers).map(function (n) { return layers[n]; }));
        var marker = null;

        function chosenDistrict() {
          var number = poolInput ? pools[poolInput.value] : null;
          return number ? byNumber[number] : null;
        }

        function style() {
          var chosen = chosenDistrict();
          Object.keys(layers).forEach(function (n) {
            var on = chosen && String(chosen.number) === n;
            layers[n].setStyle({ color: on ? "#0b4f8a" : "#5f6b7a", weight: on ? 3 : 1,
                                 fillColor: on ? "#d7e4f2" : "#eeeeee", fillOpacity: on ? 0.5 : 0.2 });
          });
          var target = chosen ? layers[chosen.number] : all;
          if (target.getBounds().isValid()) { map.fitBounds(target.getBounds()); }
        }

        function check(lat, lon) {
          var chosen = chosenDistrict();
          if (lat === null || lon === null) { status.textContent = ""; return; }
          if (chosen && !contains(chosen.geometry, lon, lat)) {
            status.textContent = el.dataset.msgOutside.replace("{district}", chosen.full_name);
            status.classList.add("field-error");
          } else {
            status.textContent = el.dataset.msgPicked
              .replace("{lat}", lat.toFixed(6)).replace("{lon}", lon.toFixed(6));
            status.classList.remove("field-error");
          }
        }

        function place(lat, lon, fill) {
          if (lat === null || lon === null) { return; }
          if (!marker) {
            marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: el.dataset.markerTitle, alt: el.dataset.markerTitle }).addTo(map);
            marker.on("dragend", function () {
              var p = marker.getLatLng();
              place(p.lat, p.lng, true);
            });
          } else {
            marker.setLatLng([lat, lon]);
          }
          if (fill) {
            latInput.value = lat.toFixed(6);
            lonInput.value = lon.toFixed(6);
          }
          check(lat, lon);
        }

        map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, true); });
        [latInput, lonInput].forEach(function (input) {
          input.addEventListener("change", function () {
            place(number(latInput.value), number(lonInput.value), false);
          });
        });
        if (poolInput) {
          poolInput.addEventListener("change", function () {
            style();
            check(number(latInput.value), number(lonInput.value));
          });
        }
        style();
        place(number(latInput.value), number(lonInput.value), false);
      })
      .catch(function () { el.hidden = true; /* the fields still work */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".location-picker[data-geojson-url]").forEach(init);
  });
})();
