// SPDX-License-Identifier: Apache-2.0
// The console's only script: reloads live pages every few seconds unless the user is busy
// with a form, and ticks every box of a table at once. Everything else works without it.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-refresh") || "", 10);
  if (seconds > 0) {
    setInterval(function () {
      var busy = document.activeElement && /INPUT|SELECT|TEXTAREA|BUTTON/.test(document.activeElement.tagName);
      var open = document.querySelector("details[open]");
      if (!busy && !open && document.visibilityState === "visible") {
        location.reload();
      }
    }, seconds * 1000);
  }
  document.querySelectorAll("input.select-all").forEach(function (all) {
    all.addEventListener("change", function () {
      all.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
})();
