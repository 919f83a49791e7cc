/* Filters and sorting for the evidence (the page is complete without this script). */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  // the evidence tables' sticky headers stop below the sticky filter bar, whatever its height
  function stickyTop() {
    document.documentElement.style.setProperty("--filters-height", form.offsetHeight + "px");
  }
  stickyTop();
  window.addEventListener("resize", stickyTop);
  function apply() {
    var statuses = Array.prototype.filter.call(form.elements.status, function (b) { return b.checked; })
      .map(function (b) { return b.value; });
    var target = form.elements.target.value, name = form.elements.initializer.value, shown = 0;
    document.querySelectorAll("section.target").forEach(function (section) {
      var targetOk = !target || section.getAttribute("data-target") === target;
      section.hidden = !targetOk;
      section.querySelectorAll("details.ev").forEach(function (ev) {
        var rows = ev.querySelectorAll("tr[data-status]"), visible = 0;
        rows.forEach(function (row) {
          var ok = statuses.indexOf(row.getAttribute("data-status")) >= 0;
          row.hidden = !ok;
          if (ok) { visible += 1; }
        });
        var ok = targetOk && (!name || ev.getAttribute("data-initializer") === name) && visible > 0;
        ev.hidden = !ok;
        if (ok) { shown += visible; }
        var passes = ev.querySelector("details.passes");
        if (passes && statuses.length === 1 && statuses[0] === "pass") { passes.open = true; }
      });
    });
    document.getElementById("filter-count").textContent = shown + " verdicts shown";
  }
  form.addEventListener("change", apply);
  apply();
  document.querySelectorAll("table.verdicts th[data-sort]").forEach(function (th) {
    th.classList.add("sortable");
    th.title = "sort";
    th.addEventListener("click", function () {
      var body = th.closest("table").tBodies[0], key = th.getAttribute("data-sort");
      var numeric = th.hasAttribute("data-numeric"), up = th.getAttribute("data-dir") !== "up";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
        var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return up ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      th.setAttribute("data-dir", up ? "up" : "down");
    });
  });
}());
