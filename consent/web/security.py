"""Headers for pages opened from a signed link: the token in the URL must not leak or linger.

No referrer (the URL is the credential), no caching, no framing (clickjacking a withdraw
button), no indexing, and a policy that allows only our own scripts and styles.
"""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

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
    return response


def protect(blueprint) -> None:
    blueprint.after_request(token_page_headers)
