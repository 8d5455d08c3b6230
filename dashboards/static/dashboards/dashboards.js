// The dashboard's filters: empty fields stay out of the request, and so out of the pushed URL.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-dashboard-filters]")) { return; }
    var parameters = event.detail.parameters;
    ["start", "end", "rep", "pm", "client_name"].forEach(function (name) {
      if (parameters[name] === "") { delete parameters[name]; }
    });
  });
})();
