"""Languages: the supported locales and the choice of locale per request (aliases: vocabulary).

The only home of `_` and `_l`; other modules import them from here.
"""

from flask import g, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent.core.vocabulary import LOCALES, normalise_locale


def _from_accept_language() -> str | None:
    for value, _quality in request.accept_languages:
        locale = normalise_locale(value)
        if locale:
            return locale
    return None


def select_locale() -> str:
    """?lang= › token locale › subject locale › Accept-Language › controller default › en."""
    for candidate in (
        request.args.get("lang"),
        g.get("link_locale"),
        g.get("subject_locale"),
    ):
        locale = normalise_locale(candidate)
        if locale:
            return locale
    return _from_accept_language() or normalise_locale(g.get("controller_locale")) or "en"


def select_timezone() -> str:
    """Times are shown in the controller's time zone (from its catalogue), else UTC."""
    return g.get("controller_timezone") or "UTC"


def country_name(code: str | None) -> str:
    """'NO' → 'Noorwegen' / 'Norge' / 'Norway', from Babel's locale data."""
    if not code:
        return ""
    return get_locale().territories.get(code.upper(), code)


def language_name(code: str | None) -> str:
    """'nb' → 'Noors - Bokmål' / 'norsk bokmål' / 'Norwegian Bokmål', in the reader's language."""
    if not code:
        return ""
    return get_locale().languages.get(code, code)


def template_context() -> dict:
    """`current_locale` for <html lang> and the language switcher; names of countries and
    languages in the reader's language."""
    return {
        "current_locale": str(get_locale()),
        "locales": LOCALES,
        "country_name": country_name,
        "language_name": language_name,
    }


__all__ = [
    "LOCALES",
    "_",
    "_l",
    "ngettext",
    "normalise_locale",
    "select_locale",
    "select_timezone",
]
