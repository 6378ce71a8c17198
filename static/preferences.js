// Progressive enhancement only: the page works fully without this file.
(function () {
  "use strict";
  var form = document.getElementById("preferences-form");
  if (!form) { return; }
  var note = form.querySelector(".dirty-note");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var initial = boxes.map(function (box) { return box.checked; });
  var submitting = false;

  function dirty() {
    return boxes.some(function (box, i) { return box.checked !== initial[i]; });
  }

  form.addEventListener("change", function () {
    if (note) { note.hidden = !dirty(); }
  });
  form.addEventListener("submit", function (event) {
    // A second click while the first submit is on its way would only repeat it.
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && dirty()) { event.preventDefault(); event.returnValue = ""; }
  });
}());
