"""The widget's own look: a default stylesheet inside its Shadow DOM that a hostile host
stylesheet cannot break, that leaks nothing into the host page, and that the site restyles
through custom properties and ::part()."""

import pytest
from werkzeug.wrappers import Request, Response

from consent.core import api_keys
from consent.core.database import db
from tests.support.live import serving

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign up</title>
<link rel="stylesheet" href="/site.css"></head>
<body>
<form id="signup" action="/signup/done" method="post">
  <label for="email" id="site-label">Email</label> <input id="email" type="email" name="email">
  <p class="consent-widget__description" id="decoy">The host's own paragraph.</p>
  <div data-consent-widget data-api="{app}" data-key="{key}" data-locale="en"></div>
  <button type="submit">Register</button>
</form>
<script src="{app}/static/consent-widget.js" defer></script>
</body>
</html>
"""
# Everything a careless or hostile site stylesheet does to form elements, and the two
# overrides the widget documents.
SITE_CSS = """
* { color: rgb(255, 0, 0) !important; font-size: 40px !important;
    text-transform: uppercase !important; letter-spacing: 9px !important; }
input[type=checkbox], .consent-widget__checkbox { display: none !important; }
label, .consent-widget__title { visibility: hidden !important; }
p { margin: 77px !important; }
[data-consent-widget] { --consent-widget-accent: rgb(0, 128, 0); }
[data-consent-widget]::part(title) { text-decoration: underline; }
"""


class HostileSite:
    def __init__(self):
        self.app_url = self.key = ""

    def __call__(self, environ, start_response):
        path = Request(environ).path
        if path == "/signup":
            page = PAGE.format(app=self.app_url, key=self.key)
            response = Response(page, mimetype="text/html")
            # Strict: its own stylesheet only, scripts and requests to the consent service.
            response.headers["Content-Security-Policy"] = (
                f"default-src 'none'; style-src 'self'; script-src {self.app_url}; "
                f"connect-src {self.app_url}; form-action 'self'"
            )
        elif path == "/site.css":
            response = Response(SITE_CSS, mimetype="text/css")
        elif path == "/favicon.ico":
            response = Response(status=204)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)


@pytest.fixture
def hostile(app, make):
    controller = make.controller()
    make.purpose(controller, "newsletter")
    site = HostileSite()
    with serving(app) as service_url, serving(site) as host_url:
        site.app_url = service_url
        _row, site.key = api_keys.create(controller, "widget", origins=[host_url])
        db.session.commit()
        yield host_url


def style(locator, *names):
    return locator.evaluate(
        "(node, names) => { const s = getComputedStyle(node);"
        " return Object.fromEntries(names.map(n => [n, s.getPropertyValue(n)])); }",
        list(names),
    )


def test_a_hostile_host_stylesheet_neither_breaks_the_widget_nor_is_touched_by_it(hostile, browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{hostile}/signup")
        page.locator("[data-consent-widget][data-state=ready]").wait_for(state="attached")
        box = page.get_by_label("Newsletter")
        title = page.locator(".consent-widget__title")
        description = page.locator("[data-consent-widget] .consent-widget__description")
        # The host's rules do not reach inside: the box shows, the text keeps its own look.
        assert box.is_visible() and title.is_visible()
        looks = style(title, "color", "font-size", "text-transform", "letter-spacing")
        assert looks == {
            "color": "rgb(31, 35, 40)",
            "font-size": "15px",
            "text-transform": "none",
            "letter-spacing": "normal",
        }
        assert style(description, "margin-top")["margin-top"] != "77px"
        purpose = page.locator(".consent-widget__purpose")
        assert style(purpose, "border-top-style")["border-top-style"] == "solid"
        # The site's documented overrides do: a custom property and a part.
        assert style(box, "accent-color")["accent-color"] == "rgb(0, 128, 0)"
        assert "underline" in style(title, "text-decoration-line")["text-decoration-line"]
        # Nothing of the widget's stylesheet leaks out onto the host's own elements.
        decoy = page.locator("#decoy")
        assert style(decoy, "margin-top", "font-style", "color") == {
            "margin-top": "77px",
            "font-style": "normal",
            "color": "rgb(255, 0, 0)",
        }
        assert style(page.locator("#site-label"), "font-size")["font-size"] == "40px"
        box.check()
        assert box.is_checked()
        # A constructed stylesheet needs no style-src for the service: no CSP complaint.
        assert problems == []
    finally:
        context.close()
