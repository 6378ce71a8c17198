"""Headers for pages opened from a signed link: the token in the URL must not leak or linger.

No referrer (the URL is the credential), no caching, no framing (clickjacking a withdraw
button), no indexing, and a policy that allows only our own scripts and styles; images also
from the origin of the controller's logo when the page shows it (consent/web/branding.py).
"""

from flask import g


def content_security_policy(image_origins=()) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(["img-src 'self'", *sorted(image_origins)]),
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()

TOKEN_PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


def token_page_headers(response):
    """after_request hook for every blueprint whose URLs carry a signed token."""
    for name, value in TOKEN_PAGE_HEADERS.items():
        response.headers[name] = value
    if g.get("image_origins"):
        response.headers["Content-Security-Policy"] = content_security_policy(g.image_origins)
    return response


def protect(blueprint) -> None:
    blueprint.after_request(token_page_headers)
