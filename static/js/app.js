// Small behaviours for the whole portal. No inline scripts anywhere (CSP).
(function () {
  "use strict";

  function modal() { return document.getElementById("modal"); }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      var nav = document.getElementById("site-nav");
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) { dismiss.closest(".message").remove(); }
    var close = event.target.closest("[data-modal-close]");
    if (close && modal()) { event.preventDefault(); modal().close(); }
    // Clicking outside the search results closes them.
    var results = document.getElementById("global-search-results");
    if (results && !event.target.closest(".global-search")) { results.innerHTML = ""; }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var results = document.getElementById("global-search-results");
      if (results) { results.innerHTML = ""; }
    }
  });

  // Content swapped into the modal body opens the modal; the server closes it with HX-Trigger: closeModal.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-body" && modal()) {
      if (!modal().open) { modal().showModal(); }
      var first = modal().querySelector("input:not([type=hidden]), select, textarea, button");
      if (first) { first.focus(); }
    }
  });
  document.body && document.body.addEventListener("closeModal", function () { if (modal()) { modal().close(); } });
  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("closeModal", function () { if (modal()) { modal().close(); } });
  });

  // htmx error responses: show the message instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) { return; }
    var div = document.createElement("div");
    div.className = "message message--error";
    div.setAttribute("role", "alert");
    var status = event.detail.xhr.status;
    div.textContent = status === 403 ? "You are not allowed to do that." :
      status === 404 ? "That item no longer exists." :
      "Something went wrong (" + status + "). Please try again.";
    box.appendChild(div);
  });
})();
