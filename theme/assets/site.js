/* Site behaviour with no network and no framework: print buttons and
   in-page table filters. Loaded on every page. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    document.querySelectorAll("[data-lz-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-lz-filter-for]").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("data-lz-filter-for"));
      if (!table) return;
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        rows.forEach(function (r) {
          r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) === -1;
        });
      });
    });
  });
})();
