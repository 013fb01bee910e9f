/* Pilote FE — the few page behaviours, asked for by data attributes, so that no template holds
   inline JavaScript and the Content-Security-Policy can forbid it.

     data-confirm="Question ?"  on a form or a submit button: asks before submitting.
     data-check-all="selected"  on a checkbox: checks or unchecks the form's boxes of that name.
     data-print                 on a button: prints the page.
     data-copy-contact          on the client form: copies the main contact into the signer.
     data-copy="text"           on a button: copies the text to the clipboard (data-copied: what
                                the button says for a moment after).
     data-bulk-count            in a bulk bar: says how many rows of its form are checked
                                (data-none, data-one, data-many with "{count}").

   The listeners are on the document, so rows swapped in by htmx behave the same. They listen in
   the capture phase: a refused confirmation stops the event before htmx or the form sees it.
   (htmx requests may also use hx-confirm, which htmx handles without evaluating code.) */
(function () {
  "use strict";

  function refused(element) {
    return element !== null && !window.confirm(element.dataset.confirm);
  }

  function stop(event) {
    event.preventDefault();
    event.stopPropagation();
  }

  document.addEventListener(
    "click",
    function (event) {
      if (!(event.target instanceof Element)) return;
      if (refused(event.target.closest("button[data-confirm], input[data-confirm]"))) {
        stop(event);
        return;
      }
      if (event.target.closest("[data-print]")) window.print();
      var copier = event.target.closest("[data-copy-contact]");
      if (copier) copyContact(copier.form);
      var copy = event.target.closest("button[data-copy]");
      if (copy) copyText(copy);
    },
    true
  );

  document.addEventListener(
    "submit",
    function (event) {
      if (event.target instanceof HTMLFormElement && event.target.matches("[data-confirm]")) {
        if (refused(event.target)) stop(event);
      }
    },
    true
  );

  // The main contact becomes the signer: "Marie Dupont" gives first name Marie, name Dupont.
  function copyContact(form) {
    if (!form) return;
    var words = (form.elements.contact_name.value || "").trim().split(/\s+/);
    var pairs = [
      ["signer_first_name", words.length > 1 ? words.slice(0, -1).join(" ") : ""],
      ["signer_last_name", words[words.length - 1] || ""],
      ["signer_email", form.elements.contact_email.value],
      ["signer_mobile", form.elements.contact_phone.value],
    ];
    pairs.forEach(function (pair) {
      if (form.elements[pair[0]] && pair[1]) form.elements[pair[0]].value = pair[1];
    });
  }

  function copyText(button) {
    if (!navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || label;
      window.setTimeout(function () { button.textContent = label; }, 1500);
    });
  }

  function countChecked(form) {
    var counter = form.querySelector("[data-bulk-count]");
    if (counter === null) return;
    var checked = form.querySelectorAll('input[name="selected"]:checked').length;
    var text = checked === 0 ? counter.dataset.none : checked === 1 ? counter.dataset.one : counter.dataset.many;
    counter.textContent = text.replace("{count}", checked.toLocaleString("fr-FR"));
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.form) return;
    if (box.matches("[data-check-all]")) {
      var name = box.dataset.checkAll;
      box.form.querySelectorAll('input[type="checkbox"]').forEach(function (each) {
        if (each.name === name) each.checked = box.checked;
      });
    }
    if (box.matches('[data-check-all], input[name="selected"]')) countChecked(box.form);
  });
})();
