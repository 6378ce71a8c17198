/*
 * Consent widget: records the consent choices of a sign-up form, with a signed receipt.
 *
 *   <form id="signup" action="/signup" method="post">
 *     <input type="email" name="email" required>
 *     <div data-consent-widget data-api="https://prefs.example" data-key="ck_w_…"
 *          data-purposes="newsletter,webinars" data-locale="nl" data-form="#signup"></div>
 *     <button>Sign up</button>
 *   </form>
 *   <script src="https://prefs.example/static/consent-widget.js" defer></script>
 *
 * No dependencies, no build step. All visible text comes from the server (notice texts and
 * its localised messages), so the widget itself never speaks a language.
 */
(function () {
  "use strict";

  var ALIASES = { no: "nb", nn: "nb", nb: "nb", nl: "nl", en: "en" };
  var TIMEOUT_MS = 10000;
  var script = document.currentScript;
  var counter = 0;

  function normaliseLocale(value) {
    if (!value) { return null; }
    var language = String(value).trim().replace("_", "-").split("-")[0].toLowerCase();
    return ALIASES[language] || null;
  }

  function chooseLocale(root) {
    return normaliseLocale(root.getAttribute("data-locale")) ||
      normaliseLocale(document.documentElement.getAttribute("lang")) ||
      normaliseLocale(navigator.language);
  }

  function apiBase(root) {
    var base = root.getAttribute("data-api");
    if (!base && script && script.src) { base = new URL(script.src).origin; }
    return (base || "").replace(/\/+$/, "");
  }

  function warn(message, detail) {
    if (window.console && console.warn) { console.warn("consent-widget: " + message, detail || ""); }
  }

  function request(url, key, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var init = {
      method: options.method || "GET",
      headers: { Authorization: "Bearer " + key, Accept: "application/json" },
      credentials: "omit",
      mode: "cors",
      signal: controller ? controller.signal : undefined
    };
    if (options.body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          var error = data && data.error;
          throw new Error(response.status + " " + (error ? error.code + ": " + error.message : ""));
        }
        return data;
      });
    }).finally(function () { if (timer) { clearTimeout(timer); } });
  }

  function gpcActive() {
    return navigator.globalPrivacyControl === true;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* One purpose: an unticked checkbox (GDPR requires an active opt-in), its notice title as
     the label and the description below, tied together for screen readers. */
  function renderPurpose(root, purpose, gpcNote) {
    var id = "consent-widget-" + counter + "-" + purpose.slug.replace(/[^A-Za-z0-9_-]/g, "_");
    var blocked = purpose.category === "profiling" && gpcActive();
    var row = element("div", "consent-widget__purpose");
    var box = element("input", "consent-widget__checkbox");
    box.type = "checkbox";
    box.id = id;
    box.checked = false;
    box.value = purpose.slug;
    box.setAttribute("data-purpose", purpose.slug);
    var label = element("label", "consent-widget__title", purpose.notice.title);
    label.htmlFor = id;
    var description = element("p", "consent-widget__description", purpose.notice.description);
    description.id = id + "-description";
    var describedBy = [description.id];
    row.appendChild(box);
    row.appendChild(label);
    row.appendChild(description);
    if (blocked) {
      box.disabled = true;
      row.classList.add("consent-widget__purpose--gpc");
      if (gpcNote) {
        var note = element("p", "consent-widget__gpc-note", gpcNote);
        note.id = id + "-gpc";
        describedBy.push(note.id);
        row.appendChild(note);
      }
    }
    box.setAttribute("aria-describedby", describedBy.join(" "));
    root.appendChild(row);
    return { purpose: purpose, box: box, blocked: blocked };
  }

  function findForm(root) {
    var selector = root.getAttribute("data-form");
    var form = selector ? document.querySelector(selector) : root.closest("form");
    return form && form.tagName === "FORM" ? form : null;
  }

  function hiddenInput(form, name) {
    var input = form.querySelector("input[type=hidden][name=" + name + "]");
    if (!input) {
      input = element("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = "";
    return input;
  }

  function emailOf(form) {
    var input = form.querySelector("input[type=email]") || form.querySelector("[name=email]");
    return input ? input.value.trim() : "";
  }

  /* form.submit() skips the submit event (no loop) but also drops the clicked button, whose
     name and value the host may rely on; carry it over as a hidden field. */
  function submitForReal(form, submitter) {
    if (submitter && submitter.name) {
      var carried = element("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function init(root) {
    if (root.getAttribute("data-state")) { return; }
    counter += 1;
    root.setAttribute("data-state", "loading");
    var key = root.getAttribute("data-key");
    var base = apiBase(root);
    var form = findForm(root);
    var wanted = (root.getAttribute("data-purposes") || "").split(",")
      .map(function (slug) { return slug.trim(); })
      .filter(Boolean);
    var locale = chooseLocale(root);
    if (!form || !key || !base) {
      root.setAttribute("data-state", "failed");
      warn("needs data-key, data-api and a form (data-form or an enclosing <form>)");
      return;
    }
    var receiptInput = hiddenInput(form, "consent_receipt");
    var shown = [];
    var shownLocale = locale;
    var sending = false;

    var url = base + "/api/v1/purposes" + (locale ? "?locale=" + encodeURIComponent(locale) : "");
    request(url, key, {}).then(function (data) {
      var purposes = (data && data.purposes) || [];
      var messages = (data && data.messages) || {};
      var bySlug = {};
      purposes.forEach(function (purpose) { bySlug[purpose.slug] = purpose; });
      // Only what a person can choose: purposes resting on consent. A contract or a
      // legitimate interest is not the person's to refuse in a sign-up form.
      var named = wanted.length ? wanted : purposes.map(function (p) { return p.slug; });
      named.forEach(function (slug) {
        var purpose = bySlug[slug];
        if (!purpose || !purpose.notice) {
          warn("unknown purpose or no notice", slug);
          return;
        }
        if (purpose.basis !== "consent") {
          if (wanted.length) { warn("not a purpose a person chooses (basis " + purpose.basis + ")", slug); }
          return;
        }
        shownLocale = purpose.notice.locale || shownLocale;
        shown.push(renderPurpose(root, purpose, messages.gpc));
      });
      root.setAttribute("data-state", "ready");
    }).catch(function (error) {
      root.setAttribute("data-state", "failed");
      warn("could not load the purposes", error);
    });

    form.addEventListener("submit", function (event) {
      // Nothing shown, nothing to record; a host's own handler may also have stopped it.
      if (!shown.length || event.defaultPrevented) { return; }
      event.preventDefault();
      if (sending) { return; }
      sending = true;
      var submitter = event.submitter;
      var email = emailOf(form);
      receiptInput.value = "";
      var done = function () { submitForReal(form, submitter); };
      if (!email) {
        warn("no email address in the form; consent not recorded");
        done();
        return;
      }
      var decisions = shown.map(function (item) {
        return {
          purpose: item.purpose.slug,
          decision: item.box.checked && !item.blocked ? "given" : "refused",
          channel: "email",
          notice_version: item.purpose.notice.version
        };
      });
      request(base + "/api/v1/consents", key, {
        method: "POST",
        body: {
          subject: { email: email },
          locale: shownLocale,
          source: "widget",
          decisions: decisions
        }
      }).then(function (data) {
        receiptInput.value = (data && data.receipt && data.receipt.id) || "";
        form.dispatchEvent(new CustomEvent("consent-widget:recorded", { detail: data }));
      }).catch(function (error) {
        // The sign-up matters more than the record: submit without a receipt.
        warn("could not record the consent decisions", error);
      }).then(done);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-consent-widget]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
