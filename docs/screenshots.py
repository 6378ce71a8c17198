"""Make the screenshots in docs/screenshots/ from the demo: the preference page on a phone in
Dutch, on a desktop in Norwegian, and the printed proof (A4, as Ctrl+P gives it).

    .venv/bin/python docs/screenshots.py

Needs the development requirements (Playwright) and Debian's `chromium`; it builds a
throw-away SQLite database with the demo and serves it on a free local port.
"""

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))


def main() -> None:
    folder = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from consent import create_app
    from consent.core import api_keys, purposes, signed_links
    from consent.core.database import db
    from consent.core.models import Subject

    app = create_app()
    runner = app.test_cli_runner()
    for args in (["consent", "init-db"], ["consent", "demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (result.output, result.exception)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    with app.app_context():

        def page_of(slug: str, locale: str) -> str:
            controller = purposes.controller_by_slug(slug)
            subject = db.session.scalars(
                select(Subject).where(Subject.controller_id == controller.id).order_by(Subject.id)
            ).first()
            link = signed_links.Link(slug, subject.public_id, locale=locale, made_by="command:demo")
            return f"{base}/preferences/{signed_links.make(link, 'preferences')}"

        dutch, norwegian = page_of("superoffice", "nl"), page_of("netsecurity", "nb")
        controller = purposes.controller_by_slug("netsecurity")
        subject = db.session.scalars(
            select(Subject).where(Subject.controller_id == controller.id).order_by(Subject.id)
        ).first()
        _row, key = api_keys.create(controller, "auditor")
        db.session.commit()
        proof = f"{base}/api/v1/subjects/{subject.public_id}/proof?format=html&lang=nb"

    OUT.mkdir(exist_ok=True)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.goto(dutch)
        # What the screen shows: the brand, the first purpose, the save bar.
        phone.screenshot(path=OUT / "page-nl-phone.png")
        desktop = browser.new_page(viewport={"width": 1280, "height": 1000})
        desktop.goto(norwegian)
        desktop.screenshot(path=OUT / "page-nb-desktop.png")
        printed = browser.new_page(
            viewport={"width": 680, "height": 1001},
            extra_http_headers={"Authorization": f"Bearer {key}"},
        )
        printed.goto(proof)
        printed.emulate_media(media="print")
        # The document before its technical appendix: what an auditor reads.
        height = printed.evaluate("document.querySelector('.appendix').offsetTop")
        printed.screenshot(
            path=OUT / "proof-nb-print.png", clip={"x": 0, "y": 0, "width": 680, "height": height}
        )
        browser.close()
    server.shutdown()
    shutil.rmtree(folder)
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.png')))} in docs/screenshots/")


if __name__ == "__main__":
    main()
