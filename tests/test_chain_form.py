"""The bytes an event's hash covers never change: an event hashed years ago verifies today.

chain.canonical is the standard library's `json.dumps(body, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)` in UTF-8, written by a faster encoder; these
tests hold the two equal for every character a text field may carry, and hold one event's
hash to the value it had when the ledger was first written.
"""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

from consent.core import chain

FIELDS = chain.HASHED_FORMS[chain.CURRENT_FORM]


def an_event(**values):
    at = datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC)
    event = {name: None for name in FIELDS}
    event.update(
        id="01a235c9-ad8c-74ff-bf73-fd2f45ac3aaa",
        seq=7,
        kind="consent_withdrawn",
        channel="email",
        basis="consent",
        source="one_click",
        actor="subject",
        notice_version=2,
        locale="nb",
        occurred_at=at,
        recorded_at=at,
        receipt_id="01a235c9-ad8c-74ff-bf73-fd2f45ac3aab",
        prev_hash="0" * 64,
        mailbox_proof="mailed_link",
        hash_version=chain.CURRENT_FORM,
    )
    event.update(values)
    return SimpleNamespace(**event)


def standard_library_form(event) -> bytes:
    body = chain.hashed_fields(event, "superoffice", "c7e1", "newsletter")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_every_character_is_written_as_the_standard_library_writes_it():
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(characters), 4096):
        text = "".join(characters[start : start + 4096])
        event = an_event(reason=text, evidence=text[::-1])
        assert chain.canonical(event, "superoffice", "c7e1", "newsletter") == (
            standard_library_form(event)
        )


def test_an_events_hash_is_the_one_it_always_had():
    event = an_event(evidence="ordre 1234 – trekke samtykke", reason='say "no"\n')
    assert chain.event_hash(event, "superoffice", "c7e1", "newsletter") == (
        "99f375653ba4422bceee5c72c5a2d1af148a71124fa56e63e27f00a68cea29b7"
    )
