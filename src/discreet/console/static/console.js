// discreet console: the only script (the Content-Security-Policy allows no inline script).
// It adds conveniences only; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Buttons with data-confirm ask before their form is sent (erasure, revoke, disable).
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    var question = button.getAttribute("data-confirm");
    if (!question) { return; }
    button.addEventListener("click", function (event) {
      if (!window.confirm(question)) { event.preventDefault(); }
    });
  });
  // Filter selects apply at once.
  document.querySelectorAll("form.filters select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
