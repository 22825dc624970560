/* Progressive enhancement: replace the server-drawn SVG with a Leaflet map when JavaScript runs.
   Without a tile server configured, only the district boundaries are drawn. */
(function () {
  "use strict";
  function init(el) {
    if (!window.L || !el.dataset.geojsonUrl) { return; }
    var fallback = el.innerHTML;
    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (districts) {
        var only = el.dataset.only ? parseInt(el.dataset.only, 10) : null;
        el.innerHTML = "";
        var map = L.map(el, { scrollWheelZoom: false });
        if (el.dataset.tileUrl) {
          L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
        }
        var detail = el.dataset.detailUrl || "";
        var features = districts
          .filter(function (d) { return only === null || d.number === only; })
          .map(function (d) { return { type: "Feature", geometry: d.geometry, properties: { number: d.number, name: d.full_name } }; });
        if (!features.length) { el.innerHTML = fallback; return; }
        var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: function () { return { color: "#0b4f8a", weight: 2, fillColor: "#d7e4f2", fillOpacity: 0.45 }; },
          onEachFeature: function (feature, lyr) {
            var url = detail.replace(/\/0\/$/, "/" + feature.properties.number + "/");
            var link = document.createElement("a");
            link.href = url;
            link.textContent = feature.properties.name;
            lyr.bindPopup(link);
            lyr.bindTooltip(feature.properties.name);
          }
        });
        // The view first: Leaflet cannot draw styled shapes on a map that has no view yet.
        map.fitBounds(layer.getBounds());
        layer.addTo(map);
      })
      .catch(function () { el.innerHTML = fallback; /* keep the server-drawn map */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-geojson-url]").forEach(init);
  });
})();
