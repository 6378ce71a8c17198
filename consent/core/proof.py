"""History and proof bundles: every event of a subject, its bases over time, and proof."""

from sqlalchemy import select

from consent.core import chain, checkpoints, integrity, ledger, purposes, receipts, rules
from consent.core.database import db
from consent.core.models import Notice, Receipt, utcnow
from consent.core.shapes import controller_json, event_json, iso, subject_json
from consent.core.vocabulary import NO_CHANNEL

# Decisions taken on the strength of a notice text.
NOTICED_KINDS = ("consent_given", "consent_refused", "consent_confirmed")


def spans(purpose, ordered_events) -> list[dict]:
    return [
        {"basis": span["basis"], "from": iso(span["from"]), "to": iso(span["to"])}
        for span in rules.timeline(purpose, ordered_events)
    ]


def history(controller, subject) -> dict:
    """SPEC §6: every event in chain order, and per purpose the lawful bases over time."""
    events = ledger.events_of(subject)
    ordered = rules.in_order(events)
    slugs = {p.id: p.slug for p in controller.purposes}
    bases = {}
    for purpose in controller.purposes:
        timeline = spans(purpose, ordered)
        if timeline:
            bases[purpose.slug] = timeline
    return {
        "subject": subject_json(subject),
        "events": [event_json(e, slugs) for e in events],
        "bases": bases,
    }


def decision_json(decision: rules.Decision) -> dict:
    return {
        "reachable": decision.reachable,
        "basis": decision.basis,
        "reason": decision.reason,
        "event_id": decision.event_id,
        "expires_at": iso(decision.expires_at),
    }


def reachability(purpose, ordered, now) -> dict:
    """The answer now, and the answer as it stood right after each event that touched it;
    a purpose without channels (profiling) has one answer, keyed NO_CHANNEL."""

    def answers(decide) -> dict:
        return {
            channel or NO_CHANNEL: decision_json(decide(channel))
            for channel in purpose.channels or [None]
        }

    changes = [
        {
            "event_id": event.id,
            "kind": event.kind,
            "occurred_at": iso(event.occurred_at),
            "channels": answers(
                lambda channel, i=index, e=event: rules.lapsed(
                    rules.standing(purpose, channel, ordered[: i + 1]), e.occurred_at
                )
            ),
        }
        for index, event in enumerate(ordered)
        if rules.touches(purpose, event)
    ]
    return {
        "now": answers(lambda channel: rules.decide(purpose, channel, ordered, now)),
        "changes": changes,
    }


def purpose_json(purpose, ordered, now) -> dict:
    return {
        "slug": purpose.slug,
        "category": purpose.category,
        "default_basis": purpose.basis,
        "channels": list(purpose.channels),
        "consent_lifetime": purpose.consent_lifetime,
        "double_opt_in": purpose.double_opt_in,
        "retention": purpose.retention,
        "third_parties": list(purpose.third_parties or []),
        "bases": spans(purpose, ordered),
        "reachability": reachability(purpose, ordered, now),
    }


def _notices(controller, events, receipt_rows) -> list[dict]:
    """The exact notice texts the events point at, by version and hash.

    A consent decision recorded without a notice version is matched with the notice its
    signed receipt named (the version published at the time), and says so. Withdrawals and
    objections need no notice, so none is attributed to them.
    """
    named = {}
    for receipt in receipt_rows:
        for service in receipt.payload.get("services", []):
            for entry in service.get("purposes", []):
                named[(entry.get("eventId"), entry.get("purposeSlug"))] = entry
    by_id = {p.id: p for p in controller.purposes}
    rows = list(
        db.session.scalars(
            select(Notice).where(Notice.purpose_id.in_({e.purpose_id for e in events}))
        )
    )
    found: dict[int, dict] = {}
    for event in events:
        if event.purpose_id is None:
            continue
        purpose = by_id[event.purpose_id]
        entry = named.get((event.id, purpose.slug), {})
        recorded = event.notice_version is not None
        if not recorded and event.kind not in NOTICED_KINDS:
            continue
        version = event.notice_version if recorded else entry.get("noticeVersion")
        if version is None:
            continue
        notice = receipts.find_notice(
            rows,
            purpose.id,
            version,
            event.notice_hash or entry.get("noticeHash"),
            entry.get("noticeLocale") or event.locale,
        )
        if notice is None:
            continue
        item = found.setdefault(
            notice.id,
            {
                "purpose": purpose.slug,
                "version": notice.version,
                "locale": notice.locale,
                **purposes.text_of(notice),
                "hash": notice.text_hash,
                "hash_verified": purposes.hash_of(notice) == notice.text_hash,
                "published_at": iso(notice.created_at),
                "events": [],
            },
        )
        item["events"].append(
            {
                "id": event.id,
                "kind": event.kind,
                "recorded_with_event": recorded,
                "hash_matches": (event.notice_hash or notice.text_hash) == notice.text_hash,
            }
        )
    return list(found.values())


def _receipt_json(receipt, stored_hashes: dict, keyset: dict) -> dict:
    try:
        receipts.verify(receipt.jws, keyset)
        signature_valid = True
    except receipts.InvalidReceipt:
        signature_valid = False
    listed = receipt.payload.get("events", [])
    return {
        "id": receipt.id,
        "created_at": iso(receipt.created_at),
        "signature_valid": signature_valid,
        "events_match_ledger": all(stored_hashes.get(e["id"]) == e["hash"] for e in listed),
        "payload": receipt.payload,
        "jws": receipt.jws,
    }


def chain_json(controller, subject, events) -> dict:
    problems = integrity.check_chain(subject, controller, events)
    state_problems = integrity.check_state(subject, controller, events)
    return {
        "intact": not problems,
        "length": len(events),
        "head": subject.last_hash,
        "problems": problems,
        "state_matches_ledger": not state_problems,
        "state_problems": state_problems,
        "links": [
            {"seq": e.seq, "id": e.id, "prev_hash": e.prev_hash, "hash": e.hash} for e in events
        ],
    }


def proof(controller, subject, purpose=None, now=None) -> dict:
    """The proof bundle of one subject, for one purpose or all of them.

    Made for a supervisory authority without access to our database: it carries the exact
    bytes each event hash covers, the receipts with the keys that verify them, and the
    notice texts the hashes point at.
    """
    now = now or utcnow()
    events = ledger.events_of(subject)
    ordered = rules.in_order(events)
    slugs = {p.id: p.slug for p in controller.purposes}
    chosen = [purpose] if purpose is not None else list(controller.purposes)
    scoped = [e for e in events if any(rules.touches(p, e) for p in chosen)]
    receipt_ids = {e.receipt_id for e in scoped}
    receipt_rows = db.session.scalars(
        select(Receipt)
        .where(Receipt.subject_id == subject.id, Receipt.id.in_(receipt_ids))
        .order_by(Receipt.created_at, Receipt.id)
    ).all()
    keyset = receipts.jwks()
    stored_hashes = {e.id: e.hash for e in events}
    included = checkpoints.inclusion(controller, [e.id for e in scoped])
    head = checkpoints.latest(controller)
    return {
        "generated_at": iso(now),
        "controller": controller_json(controller, subject.country),
        "subject": subject_json(subject),
        "purpose": purpose.slug if purpose is not None else None,
        "purposes": [purpose_json(p, ordered, now) for p in chosen],
        "events": [
            {
                **event_json(e, slugs),
                "canonical": chain.canonical(
                    e, controller.slug, subject.public_id, slugs.get(e.purpose_id)
                ).decode(),
                "inclusion": included[e.id],
            }
            for e in scoped
        ],
        # The signed tree head the inclusion proofs lead to (SPEC §10), or None.
        "checkpoint": checkpoints.entry(head, controller.slug) if head else None,
        "notices": _notices(controller, scoped, receipt_rows),
        "receipts": [_receipt_json(r, stored_hashes, keyset) for r in receipt_rows],
        "chain": chain_json(controller, subject, events),
        "verification": {
            "jwks": keyset,
            "event_hash": "SHA-256 (hex) of the UTF-8 bytes of each event's `canonical` text; "
            "`prev_hash` inside it is the hash of the event before it in the chain.",
            "notice_hash": "SHA-256 (hex) of title, two line feeds, description, then for each "
            "of lifetime, retention, recipients, transfers, source that is there: two line "
            "feeds, its name, a colon, a space and its text.",
            "receipt": "Compact JWS, alg EdDSA (Ed25519); the header kid names a key in jwks.",
            "inclusion": "RFC 9162: leaf = SHA-256(0x00 || event hash bytes), node = "
            "SHA-256(0x01 || left || right); each event's path leads to the checkpoint's "
            "root_hash; the checkpoint is a JWS (typ consent-checkpoint+jwt) verified by jwks.",
        },
    }
