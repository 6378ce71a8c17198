"""The base of every form: Flask-WTF's, with WTForms' own messages (a field too long, a
required choice missing) in the reader's language, their catalogue read once per process
and locale; Flask-WTF reads it from disk again on every request that builds a form."""

from functools import cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@cache
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        cache_translations = False  # WTForms would keep the first request's language

        def get_translations(self, form):
            return _wtforms_messages(str(get_locale()))
