"""Languages: the supported locales and the choice of locale per request (aliases: vocabulary).

The only home of `_` and `_l`; other modules import them from here.
"""

from functools import cache

from babel import Locale
from flask import g, request
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString

from consent.core.vocabulary import LOCALES, normalise_locale


def translations():
    """The translations of the locale in force, looked up once per request and locale.

    Flask-Babel finds the request's state, locale and domain again on every call, a dozen
    lookups through Flask's context proxies, and a preference page asks for seventy strings.
    This keeps what it found beside Flask-Babel's own request state, keyed by the locale
    object, which `refresh()` drops and `force_locale()` replaces and restores."""
    if not g:
        return get_translations()  # outside a request: the untranslated strings
    state = g.get("_flask_babel")
    found = state and state.__dict__.get("consent_translations")
    if found is not None and found[0] is state.__dict__.get("babel_locale"):
        return found[1]
    result = get_translations()  # selects the locale, which makes the state
    g._flask_babel.consent_translations = (get_locale(), result)
    return result


def _(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def _l(string: str, **variables) -> LazyString:
    """A string translated when it is shown, in the locale in force then."""
    return LazyString(_, string, **variables)


def install(environment) -> None:
    """Templates' `_` and `ngettext` through `translations()` (Flask-Babel installs its own)."""
    environment.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: translations().unpgettext(
            context, singular, plural, num
        ),
        newstyle=True,
    )


def _from_accept_language() -> str | None:
    for value, _quality in request.accept_languages:
        locale = normalise_locale(value)
        if locale:
            return locale
    return None


def select_locale() -> Locale:
    """?lang= › token locale › subject locale › Accept-Language › controller default › en."""
    for candidate in (
        request.args.get("lang"),
        g.get("link_locale"),
        g.get("subject_locale"),
    ):
        locale = normalise_locale(candidate)
        if locale:
            return _parsed(locale)
    return _parsed(_from_accept_language() or normalise_locale(g.get("controller_locale")) or "en")


@cache
def _parsed(locale: str) -> Locale:
    """Babel's Locale, made once per supported locale: Flask-Babel parses a selector's string
    on every request, a search of Babel's locale files each time."""
    return Locale.parse(locale)


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
    "install",
    "ngettext",
    "normalise_locale",
    "select_locale",
    "select_timezone",
    "translations",
]
