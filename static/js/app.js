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
    if (event.key === "Tab" && modal() && modal().open) { trapFocus(event); }
  });

  // Keyboard users stay inside an open modal: Tab and Shift+Tab cycle through its controls
  // (a modal <dialog> alone lets the focus leave for the browser's own toolbar).
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  function trapFocus(event) {
    var items = Array.prototype.filter.call(modal().querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetWidth > 0 || el.offsetHeight > 0 || el.getClientRects().length > 0;
    });
    if (!items.length) { event.preventDefault(); return; }
    var first = items[0], last = items[items.length - 1], active = document.activeElement;
    var inside = modal().contains(active);
    if (event.shiftKey && (active === first || !inside)) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (active === last || !inside)) { event.preventDefault(); first.focus(); }
  }

  // The focus goes back to whatever opened the modal once it closes (Escape, Cancel or done).
  var opener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "modal-body" && !(modal() && modal().open)) {
      opener = event.detail.elt || document.activeElement;
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target !== modal()) { return; }
    if (opener && opener.isConnected) { opener.focus(); }
    opener = null;
  }, true);

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

  // Busy feedback: an action button (or the submit buttons of a form) disables itself while its
  // request runs and shows a spinner, so a slow "Send to client" cannot be sent twice.
  var BUSY = "is-busy";
  function submitButtons(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll("button:not([type=button]):not([type=reset]), input[type=submit]"));
    var outside = form.id ? Array.prototype.slice.call(document.querySelectorAll("[form='" + form.id + "']")) : [];
    return inside.concat(outside.filter(function (el) { return el.matches("button, input[type=submit]"); }));
  }
  function markBusy(elements) {
    elements.forEach(function (el) {
      if (el.tagName === "A") { el.setAttribute("aria-disabled", "true"); } else { el.disabled = true; }
      el.classList.add(BUSY);
      el.setAttribute("aria-busy", "true");
    });
    return elements;
  }
  function clearBusy(elements) {
    (elements || []).forEach(function (el) {
      if (el.tagName === "A") { el.removeAttribute("aria-disabled"); } else { el.disabled = false; }
      el.classList.remove(BUSY);
      el.removeAttribute("aria-busy");
    });
  }
  function busyTargets(elt, verb) {
    if (!elt || !elt.matches) { return []; }
    if (elt.matches("form")) {
      // A filter form that refreshes a list on every change is not an action.
      return verb === "get" ? [] : submitButtons(elt);
    }
    if (elt.matches("button, input[type=submit], a.button")) { return [elt]; }
    return [];
  }

  // htmx requests: busy from the moment the request leaves until its answer has arrived.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var verb = ((event.detail.requestConfig && event.detail.requestConfig.verb) || "").toLowerCase();
    var targets = busyTargets(elt, verb);
    if (elt && elt.matches && elt.matches("form") && event.detail.requestConfig && event.detail.requestConfig.triggeringEvent) {
      var submitter = event.detail.requestConfig.triggeringEvent.submitter;
      if (submitter && targets.indexOf(submitter) < 0) { targets.push(submitter); }
    }
    elt.__busy = markBusy(targets);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var xhr = event.detail.xhr;
    // The page is about to go elsewhere: stay busy until it does.
    if (xhr && event.detail.successful && (xhr.getResponseHeader("HX-Redirect") || xhr.getResponseHeader("HX-Location"))) { return; }
    if (elt) { clearBusy(elt.__busy); elt.__busy = null; }
  });

  // Plain form posts (no htmx): the first submit goes, a second one while the page loads does not.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get") ||
        form.hasAttribute("hx-put") || form.hasAttribute("hx-patch") || form.hasAttribute("hx-delete") ||
        (form.getAttribute("method") || "get").toLowerCase() !== "post" || form.target === "_blank") { return; }
    if (form.dataset.busy) { event.preventDefault(); return; }
    form.dataset.busy = "1";
    // Disabled after the browser has read the form, so the clicked button's name and value are still sent.
    window.setTimeout(function () { form.__busy = markBusy(submitButtons(form)); }, 0);
  });
  // Back to a page from the browser's cache: nothing is running any more.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
      delete form.dataset.busy; clearBusy(submitButtons(form));
    });
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

  // A link to a part of a section that loads after its page (/projects/7/#follow-up-12, /projects/7/#pulse):
  // the browser looked for the part before the section arrived; once it has, the page goes there (once).
  var awaited = null;
  document.addEventListener("DOMContentLoaded", function () {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (error) { id = ""; }
    if (id) { awaited = { id: id, first: document.getElementById(id) }; }
  });
  document.addEventListener("htmx:load", function () {
    if (!awaited) { return; }
    var part = document.getElementById(awaited.id);
    if (part && part !== awaited.first) { awaited = null; part.scrollIntoView(); }
  });

  // A "Copy" button copies the text of the field it names (data-copy="<id>"): the client link shown once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    field.select();
    var done = function () { button.textContent = button.getAttribute("data-copied") || "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();

// Document uploads: a real progress bar from htmx's upload progress events, and a drop zone.
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form.document-upload");
    if (!form || !event.detail.lengthComputable) { return; }
    var bar = form.querySelector(".upload-progress");
    if (bar) { bar.hidden = false; bar.value = Math.round(event.detail.loaded / event.detail.total * 100); }
  });
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (zone) { zone.classList.add("is-dragover"); }
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (zone) { zone.classList.remove("is-dragover"); }
    });
  });
})();
