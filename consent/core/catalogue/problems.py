"""What can be wrong with a catalogue file, each kind by a stable code.

A problem reads as the English sentence the CLI and the API give
(`purposes[2].notice.nb.title: missing`) and keeps its parts, so the console can say the
same in the reader's language (web/staff_words.py words every code here).
"""

# Where a problem with the whole file is, rather than with one of its keys.
FILE = "(file)"

# The English of each code; {name} is a value the problem names.
ENGLISH = {
    "not_yaml": "not valid YAML: {error}",
    "not_a_mapping": "a catalogue is a mapping of keys to values",
    "boolean_key": 'the key {key} reads as a boolean in YAML; write it in quotes ("{key}")',
    "key_not_text": "key {key} must be a string; quote it",
    "boolean_value": (
        '{value} reads as a boolean in YAML; write true or false, or "{value}" in quotes for text'
    ),
    "unquoted_colour": "an unquoted #rrggbb is a YAML comment; quote it",
    "missing": "missing",
    "unknown_key": "unknown key",
    "not_text": "{value} is not text; write it in quotes",
    "wrong_type": "expected {expected}, got {got}",
    "not_one_of": "{value} is not one of {allowed}",
    "not_valid": "{value} is not valid here",
    "empty": "must not be empty",
    "repeated": "names the same value twice",
    "invalid": "{detail}",
    "default_locale_not_offered": "{locale} is not in locales",
    "one_default_authority": "exactly one must be default, found {found}",
    "low_contrast": "{colour} has contrast {ratio}:1 on white, not 4.5:1",
    "not_a_time_zone": "{value} is not an IANA time zone",
    "not_a_duration": "{value} is not an ISO-8601 duration",
    "slug_used_twice": "{slug} is used by {other} too",
    "locale_not_offered": "not one of the offered locales",
    "only_for_consent": "only a purpose on consent has one",
    "lifetime_not_stated": "missing (the consent lifetime is stated before consent)",
    "only_for_direct_marketing": "only for a direct_marketing purpose",
    "purpose_left_out": "{slug} is missing; a purpose leaves only through retired: true",
    "used_purpose_changed": (
        "{old} -> {new} is not allowed for a purpose with events; "
        "add a new purpose and retire this one"
    ),
    "stays_retired": "a retired purpose stays retired; add a new one",
    "another_controller": "{slug} is not {own}",
}


class Problem(str):
    """One thing wrong, as its English sentence; `where` is a path in the file (or FILE),
    `code` a key of ENGLISH and `values` what the sentence names, as text."""

    where: str
    code: str
    values: dict[str, str]

    def __new__(cls, where: str, code: str, **values):
        values = {name: str(value) for name, value in values.items()}
        problem = super().__new__(cls, f"{where}: {ENGLISH[code].format(**values)}")
        problem.where, problem.code, problem.values = where, code, values
        return problem
