/* The reminders page, improved when JavaScript runs (without it, everything still works):
   - when the patient has not chosen a time zone, the browser's zone is preselected and a
     note says so (the server's default stays until the form is saved);
   - "Copy link" copies the calendar link and says it did. */
(function () {
  "use strict";

  function preselectZone() {
    var select = document.querySelector("select[data-browser-zone]");
    var note = document.getElementById("tz-note");
    if (!select || !note || select.value !== "") return;
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return;
    }
    var option = Array.prototype.find.call(select.options, function (o) {
      return o.value === zone;
    });
    if (!option) return;
    select.value = zone;
    note.textContent = "We picked " + option.textContent + " from your browser. " +
      "Change it if it is wrong; it is kept when you save.";
    note.hidden = false;
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-status"));
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(
          function () { if (status) status.textContent = "Link copied."; },
          function () {
            field.select();
            if (status) status.textContent = "Select the link and copy it yourself.";
          }
        );
      });
    });
  }

  function start() {
    preselectZone();
    copyButtons();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
