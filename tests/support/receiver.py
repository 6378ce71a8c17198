"""A webhook receiver on 127.0.0.1 over real TLS: the docs' own code, behind a certificate
made for the test, with switches to make it fail."""

import datetime
import io
import ipaddress
import re
import ssl
import threading
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

from consent import ROOT

DOCS = ROOT / "docs" / "webhooks.md"


def docs_receiver(secret: str, monkeypatch) -> dict:
    """Run the receiver from docs/webhooks.md as written; its namespace (app, verify,
    handle). `handle` is replaced to keep what arrives, in `received`."""
    text = DOCS.read_text(encoding="utf-8")
    code = re.search(
        r"<!-- receiver:start -->\n```python\n(.*?)```\n<!-- receiver:end -->", text, re.S
    )
    assert code, "docs/webhooks.md has no receiver block"
    monkeypatch.setenv("CONSENT_WEBHOOK_SECRET", secret)
    namespace = {"__name__": "receiver"}
    exec(compile(code[1], str(DOCS), "exec"), namespace)  # noqa: S102  (the docs' own code)
    namespace["received"] = []
    namespace["handle"] = namespace["received"].append
    return namespace


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1; (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "receiver.pem", folder / "receiver.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class Switch:
    """WSGI middleware: answers `status` instead of the app while `failing` says so; counts
    every request it saw, with its headers and body."""

    def __init__(self, app):
        self.app = app
        self.failing = lambda body: False
        self.seen = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.lock:
            self.seen.append((environ.get("HTTP_WEBHOOK_ID"), body))
        if self.failing(body):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down for maintenance"]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


@contextmanager
def serving_tls(wsgi_app, folder: Path):
    """Serve over HTTPS on a free local port; yields (base URL, CA file that trusts it)."""
    cert_file, key_file = certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    http = make_server("127.0.0.1", 0, wsgi_app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{http.server_port}", cert_file
    finally:
        http.shutdown()
        thread.join(timeout=10)
