/* Progressive enhancement: replace the server-drawn SVG of implementations with a Leaflet map.
   The table under the map lists the same projects, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  function init(el) {
    var source = document.getElementById(el.dataset.pointsId || "");
    if (!window.L || !source || !el.dataset.geojsonUrl) { return; }
    var fallback = el.innerHTML;
    var points = JSON.parse(source.textContent || "[]");
    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (districts) {
        el.innerHTML = "";
        var map = L.map(el, { scrollWheelZoom: false });
        if (el.dataset.tileUrl) {
          L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
        }
        var layer = L.geoJSON({
          type: "FeatureCollection",
          features: districts.map(function (d) { return { type: "Feature", geometry: d.geometry, properties: { name: d.full_name } }; })
        }, { style: function () { return { color: "#0b4f8a", weight: 1.5, fillColor: "#d7e4f2", fillOpacity: 0.35 }; } });
        // The view first: Leaflet cannot draw styled shapes on a map that has no view yet.
        map.fitBounds(layer.getBounds());
        layer.addTo(map);
        points.forEach(function (p) {
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = p.title + " — " + p.status;
          L.circleMarker([p.lat, p.lon], { radius: 7, color: "#ffffff", weight: 1.5, fillColor: p.colour || "#0b4f8a", fillOpacity: 1 })
            .bindPopup(link).bindTooltip(p.title).addTo(map);
        });
      })
      .catch(function () { el.innerHTML = fallback; /* keep the server-drawn map */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".impl-map-box[data-points-id]").forEach(init);
  });
})();
