"""In a real browser (headless Chromium): an administrator finds a webhook delivery that
failed for good, in Norwegian, sends it again, and the worker delivers it."""

import pytest

from consent.core.database import db
from tests.support.live import serving
from tests.support.mail import deliver
from tests.support.pages import world
from tests.support.staff import PASSWORD, staff_user
from tests.test_accessibility import AXE, WCAG
from tests.test_webhooks import deliveries, endpoints, hook, receiver, record  # noqa: F401


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


def test_an_admin_sends_a_failed_delivery_again(app, server, browser, make, receiver):  # noqa: F811
    c, s, p = world(make)
    admin = staff_user(c, "admin")
    endpoints(c, hook(receiver.url))
    app.config.update(OUTBOX_MAX_ATTEMPTS=1)
    receiver.switch.failing = lambda body: True
    record(s, "consent_withdrawn", p["newsletter"])
    deliver(app)
    [row] = deliveries()
    assert row.state == "dead"
    db.session.commit()

    context = browser.new_context(locale="nb-NO", bypass_csp=True)  # axe is let in
    page = context.new_page()
    try:
        page.goto(f"{server}/console/login?lang=nb")
        if page.locator("#controller").count():
            page.fill("#controller", c.slug)
        page.fill("#email", admin.email)
        page.fill("#password", PASSWORD)
        page.locator("form.console-login button[type=submit]").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Webhook-meldinger").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "nb"
        page.add_script_tag(content=AXE)
        found = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))",
            WCAG,
        )
        assert found == []
        failed = page.locator(f'tr[data-delivery="{row.id}"]')
        assert "Mislyktes" in failed.inner_text() and "503" in failed.inner_text()
        failed.get_by_role("button", name="Send på nytt").click()
        page.wait_for_load_state()
        assert page.get_by_role("status").inner_text().startswith(f"Melding {row.id} står klar")

        receiver.switch.failing = lambda body: False
        deliver(app)
        page.reload()
        assert "Levert" in page.locator(f'tr[data-delivery="{row.id}"]').inner_text()
        assert len(receiver.received) == 1
    finally:
        context.close()
