/* The catalogue editor's live preview: after a pause in typing, the draft is sent to the
   preview frame in the language last chosen (the Preview buttons work without this too). */
(function () {
  "use strict";
  var form = document.getElementById("catalogue-editor");
  if (!form || !form.requestSubmit) { return; }
  var buttons = form.querySelectorAll(".preview-button");
  if (!buttons.length) { return; }
  var chosen = buttons[0];
  var timer = null;
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () { chosen = button; });
  });
  function refresh() {
    timer = null;
    form.requestSubmit(chosen);
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 500);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
}());
