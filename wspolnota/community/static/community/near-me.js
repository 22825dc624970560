/* "Near me": with JavaScript, fill the coordinates from the browser's geolocation and search.
   Without it the form still works with a chosen district. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("use-my-location");
    if (!button || !navigator.geolocation) { return; }
    var status = document.getElementById("near-me-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) { status.textContent = button.dataset.waiting || ""; }
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("id_lat").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_lon").value = position.coords.longitude.toFixed(6);
        button.form.submit();
      }, function () {
        if (status) { status.textContent = button.dataset.failed || ""; }
      }, { timeout: 10000 });
    });
  });
})();
