// What the pages need beyond htmx, bound by data attributes (the templates carry no inline
// script, so the Content-Security-Policy needs no 'unsafe-inline').
(function () {
  "use strict";

  function updateBulkCount(form) {
    const counter = form.querySelector("[data-bulk-count]");
    if (!counter) return;
    const checked = form.querySelectorAll('input[name="selected"]:checked').length;
    const text = checked === 0 ? counter.dataset.none : checked === 1 ? counter.dataset.one : counter.dataset.many;
    counter.textContent = text.replace("{count}", checked.toLocaleString("fr-FR"));
  }

  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.form) return;
    if (input.matches("[data-select-all]")) {
      input.form.querySelectorAll('input[name="selected"]').forEach(function (box) {
        box.checked = input.checked;
      });
    }
    if (input.matches('[data-select-all], input[name="selected"]')) updateBulkCount(input.form);
  });

  // A button (or form) with data-confirm asks before submitting.
  document.addEventListener("submit", function (event) {
    const source = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
    const question = source.dataset ? source.dataset.confirm : "";
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    const printer = event.target.closest("[data-print]");
    if (printer) window.print();
  });
})();
