"""The shapes of what leaves: JSON of controllers, subjects, events and receipts, and CSV
cells no spreadsheet runs as a formula. One home for the API, CLI, proof and export."""

import re

from consent.core import chain


def iso(value) -> str | None:
    return value.isoformat() if value else None


def subject_json(subject) -> dict:
    """The subject as an auditor sees it; nothing personal is left after erasure."""
    return {
        "id": subject.public_id,
        "external_id": subject.external_id,
        "email": subject.email,
        "locale": subject.locale,
        "country": subject.country,
        "created_at": iso(subject.created_at),
        "erased": subject.erased_at is not None,
        "erased_at": iso(subject.erased_at),
        "event_count": subject.event_count,
    }


def controller_json(controller, country: str | None = None) -> dict:
    """The controller as a proof bundle names it: identity, DPO, policy, and the authority
    and marketing regulator for a person living in `country`."""
    return {
        "slug": controller.slug,
        "name": controller.name,
        "address": controller.address,
        "contact_email": controller.contact_email,
        "dpo": controller.dpo,
        "dpo_email": controller.dpo_email,
        "representative": controller.profile.get("representative"),
        "jurisdiction": controller.jurisdiction,
        "supervisory_authority": controller.authority_for(country),
        "marketing_regulator": controller.marketing_regulator_for(country),
        "policy_url": controller.policy_url,
        "policy_version": controller.policy_version,
    }


def event_json(event, slugs: dict | None = None) -> dict:
    """An event with every field its hash covers; `purpose` is the slug, or the scope.

    `slugs` maps purpose ids to slugs when the caller has them; otherwise the event's
    own purpose relation is read."""
    if slugs is None:
        slugs = {event.purpose_id: event.purpose.slug} if event.purpose else {}
    fields = chain.hashed_fields(event, None, None, slugs.get(event.purpose_id, event.scope))
    del fields["controller"], fields["subject"]
    return {**fields, "hash": event.hash}


def receipt_json(receipt) -> dict:
    """A receipt as the one who caused it gets it back: its id and the signed JWS."""
    return {"id": receipt.id, "jws": receipt.jws, "created_at": iso(receipt.created_at)}


# OWASP's rule for CSV injection: a cell a spreadsheet would read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_row(values) -> list:
    """The cells of one CSV row, each text that starts like a formula prefixed with '."""
    return [
        f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
        for value in values
    ]


_QUOTED = re.compile(r'[",\n]')  # what csv.writer quotes with lineterminator "\n"


def csv_line(values) -> str:
    """One CSV line of text cells, as csv.writer writes it (QUOTE_MINIMAL, "\\n"), with
    csv_row's formula guard. The joined line is checked first: cells are looked at one by
    one only when it holds a quote, a line break or a comma too many. A fraction of
    csv.writer's cost on the long cells of campaign links, which it scans character by
    character."""
    cells = ["" if value is None else value for value in csv_row(values)]
    line = ",".join(cells)
    if '"' in line or "\n" in line or line.count(",") >= len(cells):
        line = ",".join(
            '"' + cell.replace('"', '""') + '"' if _QUOTED.search(cell) else cell for cell in cells
        )
    return line + "\n" if cells != [""] else '""\n'  # as csv.writer: a lone empty cell
