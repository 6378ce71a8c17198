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
 *
 * Looks: the widget draws inside a Shadow DOM with its own small stylesheet, so the host
 * page's CSS neither breaks it nor is touched by it. The site restyles it through CSS
 * custom properties set on the widget's element (or any ancestor), and through ::part():
 *
 *   [data-consent-widget] {
 *     --consent-widget-accent: #0b5cad;      checkbox and focus ring
 *     --consent-widget-text: #1f2328;        --consent-widget-muted: #57606a;
 *     --consent-widget-background: #fff;     --consent-widget-border: #d0d7de;
 *     --consent-widget-font: system-ui, sans-serif;   --consent-widget-font-size: 15px;
 *     --consent-widget-radius: 6px;          --consent-widget-gap: 0.5em;
 *   }
 *   [data-consent-widget]::part(purpose) { border: none; }   parts: purpose, checkbox,
 *                                                             title, description, gpc-note
 *
 * The stylesheet is a constructed one (adoptedStyleSheets), which a strict host CSP does
 * not block; a browser without them gets a <style> element, which needs style-src to allow.
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

  var STYLES = [
    ":host { display: block; }",
    ":host([hidden]) { display: none; }",
    /* all: initial cuts off what the host's styles would otherwise pass down by inheritance;
       custom properties are not reset, so the site's overrides still arrive. */
    ".consent-widget { all: initial; display: block; margin: var(--consent-widget-margin, 1em 0);",
    "  font-family: var(--consent-widget-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);",
    "  font-size: var(--consent-widget-font-size, 15px); line-height: 1.45;",
    "  color: var(--consent-widget-text, #1f2328); text-align: start; }",
    ".consent-widget *, .consent-widget *::before, .consent-widget *::after { box-sizing: border-box; }",
    ".consent-widget__purpose { display: grid; grid-template-columns: auto 1fr; column-gap: 0.6em;",
    "  align-items: start; margin: 0 0 var(--consent-widget-gap, 0.5em); padding: 0.6em 0.75em;",
    "  border: 1px solid var(--consent-widget-border, #d0d7de);",
    "  border-radius: var(--consent-widget-radius, 6px);",
    "  background: var(--consent-widget-background, #ffffff); }",
    ".consent-widget__checkbox { grid-row: 1 / span 3; width: 1.15em; height: 1.15em;",
    "  margin: 0.15em 0 0; accent-color: var(--consent-widget-accent, #0b5cad); cursor: pointer; }",
    ".consent-widget__checkbox:focus-visible { outline: 2px solid var(--consent-widget-accent, #0b5cad);",
    "  outline-offset: 2px; }",
    ".consent-widget__checkbox:disabled { cursor: not-allowed; }",
    ".consent-widget__title { grid-column: 2; font-weight: 600; cursor: pointer; }",
    ".consent-widget__description, .consent-widget__gpc-note { grid-column: 2; margin: 0.15em 0 0;",
    "  font-size: 0.93em; color: var(--consent-widget-muted, #57606a); }",
    ".consent-widget__gpc-note { font-style: italic; }"
  ].join("\n");
  var sheet = null;

  /* The surface the purposes are drawn on: a wrapper inside the element's shadow root with
     the default stylesheet, or the element itself where Shadow DOM is missing. */
  function surfaceOf(root) {
    if (!root.attachShadow) { return root; }
    var shadow = root.shadowRoot || root.attachShadow({ mode: "open" });
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLES);
      }
      shadow.adoptedStyleSheets = [sheet];
    } catch (error) {
      var style = document.createElement("style");
      style.textContent = STYLES;
      shadow.appendChild(style);
    }
    var wrapper = element("div", "consent-widget");
    wrapper.setAttribute("part", "widget");
    shadow.appendChild(wrapper);
    return wrapper;
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
    row.setAttribute("part", "purpose");
    var box = element("input", "consent-widget__checkbox");
    box.type = "checkbox";
    box.id = id;
    box.checked = false;
    box.value = purpose.slug;
    box.setAttribute("data-purpose", purpose.slug);
    box.setAttribute("part", "checkbox");
    var label = element("label", "consent-widget__title", purpose.notice.title);
    label.htmlFor = id;
    label.setAttribute("part", "title");
    var description = element("p", "consent-widget__description", purpose.notice.description);
    description.id = id + "-description";
    description.setAttribute("part", "description");
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
        note.setAttribute("part", "gpc-note");
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
    var surface = surfaceOf(root);
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
        shown.push(renderPurpose(surface, purpose, messages.gpc));
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
