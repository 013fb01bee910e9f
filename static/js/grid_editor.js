// The score grid editor: a live preview refused by the server marks its faulty cells, as a
// refused save does (the preview carries their names in data-invalid-cells).
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterSettle", function () {
    var preview = document.getElementById("grid-preview");
    if (!preview) return;
    var faulty = (preview.dataset.invalidCells || "").split(" ").filter(Boolean);
    document.querySelectorAll(".grid-editor input[name]").forEach(function (input) {
      var invalid = faulty.indexOf(input.name) !== -1;
      var row = input.closest("tr");
      var holder = row || input.closest(".field");
      if (holder) holder.classList.toggle(row ? "row--error" : "field--error", invalid);
      if (invalid) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "grid-error");
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    });
  });
})();
