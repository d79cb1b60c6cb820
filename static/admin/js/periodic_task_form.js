// The crontab help text of django-celery-beat's periodic task form: shows the schedule in
// words under the crontab field. Loaded as a file because the CSP allows no inline scripts.
"use strict";
(function () {
  const $ = django.jQuery;
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const originalHelp = JSON.parse(document.getElementById("crontab-help").textContent);
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    const help = $(".field-crontab .help");
    help.text(originalHelp);
    const words = readable[$("#id_crontab").val()];
    if (words) {
      help.append(document.createElement("br"), document.createTextNode(words));
    }
  });
})();
