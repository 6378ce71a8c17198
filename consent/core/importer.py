"""Bulk import of subjects with their lawful bases and the consents collected elsewhere:
idempotent, per-line errors, resumable.

A batch is one transaction: its valid rows are written together with an ImportBatch row
naming the file's SHA-256 and the batch number, so after a crash a re-run skips exactly
the batches that committed. Re-importing a row changes nothing: a basis already in force
with the same evidence, or a decision already recorded with the same `given_at`, is not
recorded again, and an erased person's address comes back `suppressed` instead of being
revived. A decision is recorded now, keeps when it was given (`given_at`) and proves
nothing about the mailbox, so a double opt-in purpose waits for the person's confirmation.
"""

import csv
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consent.core import import_batch, ledger, rules, subjects
from consent.core.database import db
from consent.core.instants import parse_past_instant
from consent.core.models import Controller, ImportBatch, Notice
from consent.core.purposes import latest_version
from consent.core.vocabulary import BASES, normalise_locale

DECISIONS = {
    "given": "consent_given",
    "refused": "consent_refused",
    "withdrawn": "consent_withdrawn",
}

MAX_FIELD = 2000


class RowError(ValueError):
    """Why one row was not imported; `code` is stable, the message is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Item:
    line: int
    email: str
    external_id: str | None = None
    locale: str | None = None
    country: str | None = None
    bases: list[ledger.Change] = field(default_factory=list)  # basis_asserted
    decisions: list[ledger.Change] = field(default_factory=list)  # consent decisions


@dataclass
class Outcome:
    line: int
    email: str | None
    subject: str | None = None
    created: bool = False
    suppressed: bool = False
    events: int = 0
    error: RowError | None = None


def _text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_FIELD or "\x00" in value:
        raise RowError(f"invalid_{key}", f"{key} must be a text of at most {MAX_FIELD} characters.")
    return value.strip() or None


def parse(
    controller: Controller, raw, line: int, purposes: dict | None = None, notices=None
) -> Item:
    """Check one row (a CSV row or JSON object) completely before anything is written."""
    if not isinstance(raw, dict):
        raise RowError("invalid_row", "Each subject must be an object.")
    purposes = purposes if purposes is not None else {p.slug: p for p in controller.purposes}
    email = _text(raw, "email")
    if not email:
        raise RowError("email_required", "An email address is required.")
    try:
        email = subjects.normalise_email(email)
    except subjects.InvalidEmail:
        raise RowError("invalid_email", f"{email!r} is not a valid email address.") from None
    locale = _text(raw, "locale")
    if locale and normalise_locale(locale) is None:
        raise RowError("invalid_locale", f"Unknown locale {locale!r}; use nl, nb or en.")
    external_id = _text(raw, "external_id")
    if external_id and len(external_id) > 200:
        raise RowError("invalid_external_id", "external_id is at most 200 characters.")
    country = (_text(raw, "country") or "").upper() or None
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise RowError("invalid_country", "country is an ISO 3166 code such as NL or NO.")
    item = Item(line, email, external_id, normalise_locale(locale), country)
    bases, decisions = raw.get("bases"), raw.get("decisions")
    if bases is None and decisions is None:
        # A CSV row: a decision when it names one, a basis when it names a purpose.
        if _text(raw, "decision"):
            decisions = [raw]
        elif _text(raw, "purpose") or _text(raw, "basis"):
            bases = [raw]
    for name, entries in (("bases", bases), ("decisions", decisions)):
        if entries is not None and not isinstance(entries, list):
            raise RowError(f"invalid_{name}", f"{name} must be a list.")
    item.bases = [_basis(entry, purposes) for entry in bases or []]
    shown_in = item.locale or controller.default_locale
    notices = {} if notices is None else notices
    item.decisions = [_decision(entry, purposes, shown_in, notices) for entry in decisions or []]
    return item


def _instant(entry: dict, key: str):
    text = _text(entry, key)
    if text is None:
        return None
    try:
        return parse_past_instant(text)
    except ValueError:
        raise RowError(f"invalid_{key}", f"{key} must be a past ISO-8601 instant.") from None


def _purpose(entry: dict, purposes: dict):
    slug = _text(entry, "purpose")
    if slug not in purposes:
        raise RowError("unknown_purpose", f"Unknown purpose {slug!r}.")
    return purposes[slug]


def _basis(entry, purposes: dict) -> ledger.Change:
    if not isinstance(entry, dict):
        raise RowError("invalid_bases", "Each basis must be an object.")
    purpose = _purpose(entry, purposes)
    basis, evidence = _text(entry, "basis"), _text(entry, "evidence")
    if basis not in BASES:
        raise RowError("invalid_basis", f"Unknown lawful basis {basis!r}.")
    if not evidence:
        raise RowError("evidence_required", f"The {basis} basis needs evidence.")
    return ledger.Change(
        "basis_asserted",
        purpose,
        basis=basis,
        evidence=evidence,
        sale_reference=_text(entry, "sale_reference"),
        opt_out_offered_at=_instant(entry, "opt_out_offered_at"),
    )


def _decision(entry, purposes: dict, locale: str, notices: dict) -> ledger.Change:
    """A consent decision collected elsewhere, on the notice version the person was shown
    (the current one when the row names none)."""
    if not isinstance(entry, dict):
        raise RowError("invalid_decisions", "Each decision must be an object.")
    purpose = _purpose(entry, purposes)
    kind = DECISIONS.get(_text(entry, "decision") or "")
    if kind is None:
        raise RowError("invalid_decision", "decision must be given, refused or withdrawn.")
    shown = entry.get("notice_version")
    try:
        version = int(shown) if shown not in (None, "") else latest_version(purpose)
    except (TypeError, ValueError):
        raise RowError("invalid_notice_version", "notice_version must be a number.") from None
    key = (purpose.id, version, locale)
    if key not in notices:  # a batch asks for the same few notices again and again
        notices[key] = db.session.scalar(
            select(Notice).where(
                Notice.purpose_id == purpose.id, Notice.version == version, Notice.locale == locale
            )
        )
    notice = notices[key]
    if notice is None:
        raise RowError("unknown_notice", f"{purpose.slug} has no notice version {version}.")
    return ledger.Change(
        kind,
        purpose,
        channel=_text(entry, "channel"),
        notice_version=notice.version,
        notice_hash=notice.text_hash,
        evidence=_text(entry, "evidence"),
        given_at=_instant(entry, "given_at"),
    )


def wanted(item: Item, events: list) -> list[ledger.Change]:
    """The item's assertions and decisions, minus what is already recorded in `events` (the
    person's chain in order): a basis in force with the same evidence, a decision with the
    same kind, channel and given_at."""
    recorded = {
        (e.kind, e.purpose_id, e.channel, e.given_at) for e in events if e.given_at is not None
    }
    changes, seen = [], set()
    for change in item.bases:
        key = (change.purpose.id, change.basis, change.evidence)
        if key in seen:
            continue
        seen.add(key)
        active = rules.active_assertion(change.purpose, events)
        if active and (active.basis, active.evidence) == (change.basis, change.evidence):
            continue
        changes.append(change)
    for change in item.decisions:
        key = (change.kind, change.purpose.id, change.channel, change.given_at)
        if change.given_at is None or key not in recorded:
            recorded.add(key)
            changes.append(change)
    return changes


# A batch that meets a person created by someone else meanwhile is decided again.
ATTEMPTS = 3


def _write(controller: Controller, items: list[Item], actor: str, marker) -> list[Outcome]:
    """Decide and write the items as one set, in the current transaction, and commit;
    rows the ledger refuses come back with their error and nothing of them is written."""
    for attempt in range(ATTEMPTS):
        batch = import_batch.Batch(controller, items, actor)
        written = [batch.take(item, wanted) for item in items]
        try:
            batch.write(written)
            if marker:
                marker()
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    return [_outcome(w) for w in written]


def _outcome(written: import_batch.Written) -> Outcome:
    item = written.item
    if written.refused is not None:
        error = RowError(written.refused.code, str(written.refused))
        return Outcome(item.line, None, error=error)
    if written.person is None:
        return Outcome(item.line, item.email, suppressed=True)
    public_id = written.person.subject.public_id
    return Outcome(item.line, item.email, public_id, written.created, False, written.events)


def run_batch(controller: Controller, rows: Iterable, actor: str, marker=None) -> list[Outcome]:
    """Parse and write one batch atomically; invalid rows come back as outcomes with an error.

    `rows` are (line, raw row or RowError). A row the ledger refuses although it parsed is
    not written at all, so a batch is always all of its valid rows or nothing. `marker()`
    adds to the same transaction (ImportBatch).
    """
    purposes = {p.slug: p for p in controller.purposes}
    notices: dict = {}
    failed: list[Outcome] = []
    items = []
    for line, raw in rows:
        try:
            if isinstance(raw, RowError):
                raise raw
            items.append(parse(controller, raw, line, purposes, notices))
        except RowError as error:
            email = raw.get("email") if isinstance(raw, dict) else None
            failed.append(Outcome(line, email if isinstance(email, str) else None, error=error))
    written = _write(controller, items, actor, marker)
    return sorted(written + failed, key=lambda o: o.line)


# --- files ---


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 of the file and its number of lines, in one streaming pass."""
    digest, lines = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), lines


def detect_format(path: Path) -> str:
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, object]]:
    """(line number, row dict or RowError) for every data row of a CSV or JSON Lines file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if fmt == "jsonl":
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    yield number, json.loads(text)
                except ValueError:
                    yield number, RowError("invalid_json", "This line is not a JSON object.")
            return
        header = handle.readline()
        handle.seek(0)
        # Spreadsheets set to Dutch or Norwegian export with semicolons.
        delimiter = ";" if header.count(";") > header.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        if not reader.fieldnames or "email" not in [f.strip() for f in reader.fieldnames]:
            raise RowError("email_column_missing", "The CSV file needs an 'email' column.")
        for row in reader:
            yield reader.line_num, {(k or "").strip(): v for k, v in row.items()}


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    batches: int = 0
    skipped_batches: int = 0
    skipped_rows: int = 0  # in batches a previous run of the same file committed
    errors: list[Outcome] = field(default_factory=list)

    def describe(self) -> str:
        """One line for people: what this run did, and what earlier runs had done."""
        if self.batches == 0 and self.skipped_batches:
            return (
                f"{self.skipped_rows} rows: all already imported "
                f"({self.skipped_batches} batches by an earlier run of this file)"
            )
        line = (
            f"{self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.suppressed} suppressed, "
            f"{len(self.errors)} invalid; {self.batches} batches written"
        )
        if self.skipped_batches:
            line += f"; {self.skipped_rows} rows in {self.skipped_batches} batches already imported"
        return line

    def add(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.rows += 1
            if outcome.error:
                self.errors.append(outcome)
            elif outcome.suppressed:
                self.suppressed += 1
            elif outcome.created:
                self.created += 1
            elif outcome.events:
                self.updated += 1
            else:
                self.unchanged += 1


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def import_file(
    controller: Controller,
    path: Path,
    *,
    fmt: str | None = None,
    batch_size: int = 2000,  # one COPY per table per batch: bigger batches, fewer rounds
    actor: str = "import",
    progress: Callable[[int], None] | None = None,
    pause: float = 0.0,
) -> Summary:
    """Import a file of any size batch by batch, skipping batches a previous run committed.

    `pause` waits between batches (to watch or test an interrupted run).
    """
    path = Path(path)
    file_hash, _lines = file_digest(path)
    done = dict(
        db.session.execute(
            select(ImportBatch.batch_no, ImportBatch.rows).where(
                ImportBatch.controller_id == controller.id, ImportBatch.file_hash == file_hash
            )
        ).all()
    )
    if done:
        # Batches commit in order and all but a file's last are full: resume in the same size.
        batch_size = max(done.values())
    summary, seen_line = Summary(), 0
    rows = read_rows(path, fmt or detect_format(path))
    for number, batch in enumerate(_batches(rows, batch_size)):
        if number in done:
            summary.skipped_batches += 1
            summary.skipped_rows += len(batch)
        else:
            marker = ImportBatch(
                controller_id=controller.id, file_hash=file_hash, batch_no=number, rows=len(batch)
            )
            summary.add(run_batch(controller, batch, actor, lambda m=marker: db.session.add(m)))
            summary.batches += 1
            if pause:
                time.sleep(pause)
        if progress:
            progress(batch[-1][0] - seen_line)
        seen_line = batch[-1][0]
    return summary
