// The ballot's count of picks left, updated as the person chooses (the page works without it:
// the server writes the same count on every step). The count sits in a role="status" region,
// so screen readers announce the change.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot-form");
  if (!form) { return; }
  var kind = form.getAttribute("data-kind");
  var lang = document.documentElement.lang || "pl";
  var money = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function update(pool) {
    var status = pool.querySelector(".picks-left");
    if (!status) { return; }
    var chosenEl = status.querySelector("[data-chosen]");
    var leftEl = status.querySelector("[data-left]");
    var max = parseInt(pool.getAttribute("data-max"), 10) || 0;
    if (kind === "krakow") {
      var seen = {};
      var chosen = 0;
      pool.querySelectorAll(".ballot-places select").forEach(function (select) {
        if (select.value && !seen[select.value]) { seen[select.value] = true; chosen += 1; }
      });
      chosenEl.textContent = chosen;
      leftEl.textContent = Math.max(max - chosen, 0);
    } else if (kind === "approval") {
      var n = pool.querySelectorAll('input[type="checkbox"]:checked, input[type="hidden"][name^="pool_"]').length;
      chosenEl.textContent = n;
      leftEl.textContent = Math.max(max - n, 0);
    } else if (kind === "cumulative") {
      var sum = 0;
      pool.querySelectorAll('input[type="number"], input[type="hidden"][name^="pool_"]').forEach(function (input) {
        var value = parseInt(input.value, 10);
        if (value > 0) { sum += value; }
      });
      chosenEl.textContent = sum;
      leftEl.textContent = Math.max(max - sum, 0);
    } else {
      var spent = parseFloat(pool.getAttribute("data-hidden-spent") || "0");
      pool.querySelectorAll('input[type="checkbox"]:checked').forEach(function (input) {
        spent += parseFloat(input.getAttribute("data-cost") || "0");
      });
      var budget = parseFloat(pool.getAttribute("data-budget") || "0");
      chosenEl.textContent = money.format(spent) + " zł";
      leftEl.textContent = money.format(Math.max(budget - spent, 0)) + " zł";
    }
  }

  form.querySelectorAll("fieldset.ballot-pool").forEach(function (pool) {
    pool.addEventListener("change", function () { update(pool); });
    pool.addEventListener("input", function () { update(pool); });
  });
})();
