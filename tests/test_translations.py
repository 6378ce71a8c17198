"""Catalogues: every message translated in nl and nb, compiled .mo current, no text outside
gettext in any template. Reads the sources, so a new string anywhere fails until translated."""

import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("nl", "nb")


def _msgid(message):
    return message[0] if isinstance(message, tuple | list) else message


@pytest.fixture(scope="module")
def source_messages() -> list:
    """Every message in consent/ and templates/, extracted as `make i18n-extract` does: a
    text, or (singular, plural) for ngettext."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = [
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    ]
    assert len(found) > 50, "extraction found almost nothing: is babel.cfg right?"
    return found


@pytest.fixture(scope="module")
def source_ids(source_messages) -> set[str]:
    return {_msgid(message) for message in source_messages}


# A number in a sentence needs the language's plural forms ("1 registraties" was the bug).
COUNT_PLACEHOLDER = re.compile(r"%\((count|n|num|total|number)\)[sd]|\{\{ *(count|n|num) *\}\}")


def test_no_count_outside_ngettext(source_messages):
    """Failed before: "Our record … has %(count)s entries" and "The hash chain of %(n)s
    events" were single messages, so Dutch and Norwegian read "1 registraties"."""
    singular_only = [m for m in source_messages if isinstance(m, str)]
    counted = [m for m in singular_only if COUNT_PLACEHOLDER.search(m)]
    assert counted == [], "use ngettext for: " + "; ".join(counted)


def catalogue(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_not_fuzzy(locale, source_ids):
    po = catalogue(locale)
    problems = []
    for msgid in sorted(source_ids):
        message = po.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not message.string or not all(
            message.string if isinstance(message.string, tuple | list) else [message.string]
        ):
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, f"{locale}: " + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_template_lists_the_same_messages(locale):
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        template = read_po(pot)
    po = catalogue(locale)
    missing = [m.id for m in template if m.id and po.get(m.id) is None]
    assert not missing, f"{locale} lacks messages.pot entries: {missing}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    problems = [
        f"{message.id!r}: {errors}" for message, errors in catalogue(locale).check() if errors
    ]
    assert not problems, "\n".join(problems)


def _key(value):
    """A msgid or msgstr, hashable: plural forms as a tuple (a .mo reads them as a list)."""
    return tuple(value) if isinstance(value, tuple | list) else value


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_is_up_to_date(locale):
    po = catalogue(locale)
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as mo_file:
        mo = read_mo(mo_file)
    expected = {_key(m.id): _key(m.string) for m in po if m.id and m.string and not m.fuzzy}
    compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
    stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
    stale += [str(k) for k in expected if k in compiled and expected[k] != compiled[k]]
    assert not stale, f"{locale}: run `make i18n-compile`; differs for {stale[:10]}"


# --- no visible text outside gettext ------------------------------------------------------

JINJA = re.compile(r"{#.*?#}|{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}|{{.*?}}|{%.*?%}", re.S)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]*>", re.S)
ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*')""")
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
LETTER = re.compile(r"[^\W\d_]")
# Names such as SHA-256, JSON or JWS read the same in every language.
ACRONYM = re.compile(r"\b[A-Z]{2,}[A-Z0-9]*(?:-[A-Z0-9]+)*\b")


def _wordy(text: str) -> bool:
    return bool(LETTER.search(ACRONYM.sub(" ", text)))


def visible_literals(source: str) -> list[str]:
    """Letters a reader would see that do not come from a {{ }} / {% %} / trans block."""
    text = JINJA.sub(" ", source)
    found = []
    for tag in TAG.findall(text):
        attributes = {name.lower(): value[1:-1] for name, value in ATTRIBUTE.findall(tag)}
        names = set(VISIBLE_ATTRIBUTES)
        is_input = tag[1:6].lower() == "input"
        if is_input and attributes.get("type", "").lower() in ("submit", "button", "reset"):
            names.add("value")
        found += [
            f"{n}={attributes[n]!r}" for n in names & attributes.keys() if _wordy(attributes[n])
        ]
    text = TAG.sub(" ", SCRIPT_OR_STYLE.sub(" ", text))
    found += [chunk.strip() for chunk in html.unescape(text).split("\n") if _wordy(chunk)]
    return found


def test_scanner_catches_literal_text():
    assert visible_literals("<p>Hello {{ name }}</p>") == ["Hello"]
    assert visible_literals('<img alt="Logo" src="{{ x }}">') == ["alt='Logo'"]
    assert visible_literals('<input type="submit" value="Send">') == ["value='Send'"]
    assert visible_literals("<p>{{ _('Hello') }}</p>{% trans %}Hi{% endtrans %}") == []
    assert visible_literals('<input type="hidden" name="a" value="on"><b>·</b>') == []
    assert visible_literals('<button type="submit" value="save">x{{ y }}</button>') == ["x"]
    assert visible_literals("<dt>SHA-256</dt><dd>JSON, JWS</dd>") == []


def test_no_template_text_outside_gettext():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for literal in visible_literals(path.read_text()):
            problems.append(f"{path.relative_to(ROOT)}: {literal}")
    assert not problems, "text outside gettext:\n" + "\n".join(problems)


def test_the_strings_follow_the_locale_in_force_within_one_request(app):
    """Translations are looked up once per request and locale (i18n.translations): a mail
    written in the person's language (force_locale) and a locale chosen again once the link
    is read (refresh) still get their own language, in code and in templates alike."""
    from flask import g, render_template_string
    from flask_babel import force_locale, refresh

    from consent.web.i18n import _

    def both():
        return _("Save my choices"), render_template_string('{{ _("Save my choices") }}')

    with app.test_request_context("/"):
        assert both() == ("Save my choices",) * 2
        with force_locale("nb"):
            assert both() == ("Lagre valgene mine",) * 2
        assert both() == ("Save my choices",) * 2
        g.link_locale = "nl"
        refresh()
        assert both() == ("Mijn keuzes opslaan",) * 2


def test_wtforms_own_messages_are_in_the_readers_language(app):
    """A required field WTForms itself words (consent.web.form keeps its catalogue)."""
    from flask_babel import refresh

    from consent.recipient.forms import FreshLinkForm

    for locale, message in (("nl", "Dit veld is vereist."), ("nb", "Dette feltet er påkrevd.")):
        with app.test_request_context(f"/?lang={locale}", method="POST"):
            refresh()  # the app's context (and its chosen locale) outlives the request's
            form = FreshLinkForm(meta={"csrf": False}, data={"email": "anna@example.nl"})
            assert not form.validate()
            assert form.token.errors == [message]
