"""The receipt of one interaction: Kantara CR v1.1 with ISO/IEC TS 27560 additions."""

from flask import current_app
from sqlalchemy import select

from consent.core import rules, signed_links
from consent.core.database import db
from consent.core.models import Event, Notice, Receipt
from consent.core.purposes import current_notices
from consent.core.signing import signing_keys
from consent.core.vocabulary import DIRECT_MARKETING, DPV_BASIS, DPV_STATE, gdpr_iri

KANTARA_VERSION = "KI-CR-v1.1.0"
COLLECTION_METHODS = {
    "preference_page": "Preference page opened from a signed link in an email",
    "one_click": "One-click unsubscribe (RFC 8058) from a signed link in an email",
    "widget": "Consent widget embedded in a web form",
    "api": "Recorded through the API by the controller",
    "import": "Imported from the controller's records",
    "console": "Recorded by staff in the console",
    "retention": "Applied automatically by the retention rules",
    "gpc": "Global Privacy Control signal sent by the browser",
    "esp": "Reported by the controller's mail service (an unsubscribe, a complaint or a hard "
    "bounce), mapped through the signed metadata of the campaign's message",
}


def url(receipt: Receipt, controller, subject, locale: str | None = None) -> str:
    """The signed link under which the person sees this receipt."""
    # A receipt link is about no purpose, so it names none (and "every purpose" is moot).
    link = signed_links.Link(
        controller.slug, subject.public_id, purposes=(), locale=locale, extra=receipt.id
    )
    return signed_links.url(link, "receipt")


def find_notice(notices, purpose_id: int, version, text_hash=None, locale=None):
    """The notice row a record points at: by hash first (it names the locale), then locale."""
    rows = [n for n in notices if n.purpose_id == purpose_id]
    if version is None:
        version = max((n.version for n in rows), default=None)
    rows = [n for n in rows if n.version == version]
    for test in (lambda n: n.text_hash == text_hash, lambda n: n.locale == locale):
        for notice in rows:
            if test(notice):
                return notice
    return rows[0] if rows else None


def _third_party_names(purpose) -> str:
    return ", ".join(
        p.get("name", "") if isinstance(p, dict) else str(p) for p in purpose.third_parties or ()
    )


def _purpose_entry(event, purpose, basis, notice) -> dict:
    entry = {
        "purpose": notice.title if notice else purpose.slug,
        "purposeDescription": notice.description if notice else "",
        "purposeCategory": [purpose.category],
        "consentType": "EXPLICIT" if basis == "consent" else "N/A",
        "piiCategory": list(purpose.pii_categories or ["Contact"]),
        "primaryPurpose": purpose.category != DIRECT_MARKETING,
        "termination": purpose.retention or purpose.consent_lifetime or "N/A",
        "thirdPartyDisclosure": bool(purpose.third_parties),
        "purposeSlug": purpose.slug,
        "scope": event.scope,
        "channel": event.channel,
        "event": event.kind,
        "eventId": event.id,
        "lawfulBasis": DPV_BASIS[basis],
        "gdprArticle": gdpr_iri(basis),
        "noticeVersion": event.notice_version or (notice.version if notice else None),
        "noticeLocale": notice.locale if notice else None,
        "noticeHash": event.notice_hash or (notice.text_hash if notice else None),
        # False when the caller named no notice version: then it is the one published then.
        "noticeRecorded": event.notice_version is not None,
    }
    if event.kind in DPV_STATE:
        entry["consentState"] = DPV_STATE[event.kind]
    if purpose.third_parties:
        entry["thirdPartyName"] = _third_party_names(purpose)
    return entry


def _entries(controller, subject, events, locale, notices=None, chain=None) -> list[dict]:
    """One purpose entry per event and purpose it is about; a marketing objection covers all.
    `notices`: the controller's notices when the caller has read them (a bulk import).
    `chain`: the subject's whole chain, the new events included, when the caller has it."""
    purposes = {p.id: p for p in controller.purposes}
    about = []
    for event in events:
        if event.purpose_id is not None:
            about.append((event, purposes[event.purpose_id], event.basis))
        elif event.scope == DIRECT_MARKETING:
            if chain is None:  # a list: a second objection in the change reads it again
                chain = list(
                    db.session.scalars(select(Event).where(Event.subject_id == subject.id))
                )
            history = rules.in_order(chain)
            about += [
                (event, p, rules.basis_in_force(p, history))
                for p in purposes.values()
                if p.category == DIRECT_MARKETING
            ]
    if not about:
        return []
    if notices is None and all(event.notice_version is None for event, _, _ in about):
        # No event names a version (a withdrawal, an objection): the current notices, which
        # the page answering the change reads too, when each purpose has one in this locale.
        current = current_notices(controller, locale)
        if all(p.id in current for _, p, _ in about):
            notices = list(current.values())
    if notices is None:
        wanted = {p.id for _, p, _ in about}
        notices = list(db.session.scalars(select(Notice).where(Notice.purpose_id.in_(wanted))))
    entries = []
    for event, purpose, basis in about:
        notice = find_notice(
            notices, purpose.id, event.notice_version, event.notice_hash, event.locale or locale
        )
        entries.append(_purpose_entry(event, purpose, basis or purpose.basis, notice))
    return entries


def build(
    controller, subject, events, receipt_id, source, locale, notices=None, chain=None
) -> dict:
    """The receipt payload for one interaction (`notices`, `chain`: see _entries)."""
    locale = locale or subject.locale or controller.default_locale
    base_url = current_app.config["PUBLIC_BASE_URL"]
    slugs = {p.id: p.slug for p in controller.purposes}
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": controller.jurisdiction,
        "consentTimestamp": int(events[-1].recorded_at.timestamp()),
        "collectionMethod": COLLECTION_METHODS[source],
        "collectionSource": source,
        "consentReceiptID": receipt_id,
        "publicKey": signing_keys()[0].x,
        "jwksUri": f"{base_url}/.well-known/jwks.json",
        "language": locale,
        "piiPrincipalId": subject.public_id,
        "piiControllers": [
            {
                "piiController": controller.name,
                "onBehalf": False,
                "contact": "Data Protection Officer" if controller.dpo else "Privacy contact",
                "address": controller.address,
                "email": controller.dpo_email,
                # Kantara requires the field; the catalogue names no telephone number.
                "phone": "",
                "piiControllerUrl": controller.policy_url,
            }
        ],
        "policyUrl": controller.policy_url,
        "policyVersion": controller.policy_version,
        "supervisoryAuthority": {
            key: value
            for key, value in controller.authority_for(subject.country).items()
            if key in ("name", "url", "complaint_url")
        },
        "services": [
            {
                "service": controller.name,
                "purposes": _entries(controller, subject, events, locale, notices, chain),
            }
        ],
        "sensitive": False,
        "spiCat": [],
        "events": [
            {
                "id": e.id,
                "seq": e.seq,
                "kind": e.kind,
                "purpose": slugs.get(e.purpose_id, e.scope),
                "scope": e.scope,
                "channel": e.channel,
                "basis": e.basis,
                "occurred_at": e.occurred_at.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "hash": e.hash,
                "prev_hash": e.prev_hash,
            }
            for e in events
        ],
    }
