"""The session cookie (the staff console's sign-in), signed as Flask signs it, with its
signer made once per set of keys.

Flask makes a new signing serializer on every request, to read the cookie or to find there
is none: a mailbox provider's one-click, an API call and a preference page carry no cookie
and paid for it all the same (BENCHMARKS.md). The serializer depends only on the secret key
and its fallbacks, so it is made again when they change, never per request.
"""

from flask.sessions import SecureCookieSessionInterface


class SessionCookie(SecureCookieSessionInterface):
    def __init__(self):
        self._made: tuple = (None, None)  # (the keys it was made with, the serializer)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made_with, serializer = self._made
        if made_with != keys:
            serializer = super().get_signing_serializer(app)
            self._made = (keys, serializer)
        return serializer
