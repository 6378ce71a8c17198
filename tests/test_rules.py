"""SPEC §3, row by row, over plain events (no database)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from consent.core import durations, rules

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class P:
    id: int
    slug: str
    basis: str
    category: str = "direct_marketing"
    channels: list = field(default_factory=lambda: ["email", "phone"])
    consent_lifetime: str | None = None
    double_opt_in: bool = False
    retired: bool = False

    def settings_at(self, at):
        return self


@dataclass
class E:
    seq: int
    kind: str
    purpose_id: int | None = None
    scope: str | None = None
    channel: str | None = None
    basis: str | None = None
    evidence: str | None = None
    source: str = "preference_page"
    mailbox_proof: str = "mailed_link"
    given_at: datetime | None = None
    occurred_at: datetime = T0

    @property
    def id(self):
        return f"e{self.seq}"


NEWS = P(1, "newsletter", "consent", consent_lifetime="P24M", double_opt_in=True)
CUSTOMER = P(2, "customer-marketing", "legitimate_interest")
INVOICES = P(3, "invoices", "contract", category="service", channels=["email", "post"])
RESEARCH = P(4, "research", "legitimate_interest", category="research")


def history(*steps):
    """steps: (kind, purpose or None, extra dict); one day apart, in order."""
    events = []
    for seq, (kind, purpose, extra) in enumerate(steps, start=1):
        fields = {"purpose_id": purpose.id if purpose else None, **extra}
        events.append(E(seq, kind, occurred_at=T0 + timedelta(days=seq), **fields))
    return events


def given(purpose=NEWS, **extra):
    return ("consent_given", purpose, extra)


def step(kind, purpose=None, **extra):
    return (kind, purpose, extra)


DM_OBJECTION = step("objection_recorded", scope="direct_marketing")
CUSTOMER_PROOF = step(
    "basis_asserted", CUSTOMER, basis="legitimate_interest", evidence="customer, contract 123"
)
NOW = T0 + timedelta(days=30)

CASES = [
    # consent basis
    ("never asked", NEWS, "email", [], False, "never_asked"),
    ("consent given", NEWS, "email", [given()], True, "consent_given"),
    ("consent refused", NEWS, "email", [step("consent_refused", NEWS)], False, "refused"),
    ("withdrawn", NEWS, "email", [given(), step("consent_withdrawn", NEWS)], False, "withdrawn"),
    (
        "given again after withdrawal",
        NEWS,
        "email",
        [given(), step("consent_withdrawn", NEWS), given()],
        True,
        "consent_given",
    ),
    (
        "channel off: withdrawn on phone only, email still on",
        NEWS,
        "email",
        [given(), step("consent_withdrawn", NEWS, channel="phone")],
        True,
        "consent_given",
    ),
    (
        "channel off: withdrawn on phone",
        NEWS,
        "phone",
        [given(), step("consent_withdrawn", NEWS, channel="phone")],
        False,
        "withdrawn",
    ),
    ("channel not offered", NEWS, "sms", [given()], False, "channel_not_offered"),
    (
        "widget consent unconfirmed",
        NEWS,
        "email",
        [given(source="widget", mailbox_proof="none")],
        False,
        "unconfirmed",
    ),
    (
        "imported consent on a double opt-in purpose waits too",
        NEWS,
        "email",
        [given(source="import", mailbox_proof="none")],
        False,
        "unconfirmed",
    ),
    (
        "widget consent confirmed",
        NEWS,
        "email",
        [
            given(source="widget", mailbox_proof="none"),
            step("consent_confirmed", NEWS, mailbox_proof="confirmation"),
        ],
        True,
        "consent_given",
    ),
    (
        "consent expired event",
        NEWS,
        "email",
        [given(), step("consent_expired", NEWS)],
        False,
        "lapsed",
    ),
    # legitimate interest
    (
        "LI marketing to a proven customer",
        CUSTOMER,
        "email",
        [CUSTOMER_PROOF],
        True,
        "legitimate_interest",
    ),
    (
        "LI marketing without a customer relationship",
        CUSTOMER,
        "email",
        [],
        False,
        "basis_not_asserted",
    ),
    (
        "LI non-marketing purpose needs no assertion",
        RESEARCH,
        "email",
        [],
        True,
        "legitimate_interest",
    ),
    (
        "LI objection to the purpose",
        CUSTOMER,
        "email",
        [CUSTOMER_PROOF, step("objection_recorded", CUSTOMER)],
        False,
        "objected",
    ),
    (
        "LI direct-marketing objection",
        CUSTOMER,
        "email",
        [CUSTOMER_PROOF, DM_OBJECTION],
        False,
        "objected",
    ),
    (
        "override never re-opens direct marketing",
        CUSTOMER,
        "email",
        [
            CUSTOMER_PROOF,
            step("objection_recorded", CUSTOMER),
            step("objection_overridden", CUSTOMER),
        ],
        False,
        "objected",
    ),
    (
        "override re-opens a non-marketing purpose",
        RESEARCH,
        "email",
        [step("objection_recorded", RESEARCH), step("objection_overridden", RESEARCH)],
        True,
        "legitimate_interest",
    ),
    (
        "direct-marketing objection does not touch non-marketing LI",
        RESEARCH,
        "email",
        [DM_OBJECTION],
        True,
        "legitimate_interest",
    ),
    (
        "withdrawal does not stop LI",
        CUSTOMER,
        "email",
        [CUSTOMER_PROOF, step("consent_withdrawn", CUSTOMER)],
        True,
        "legitimate_interest",
    ),
    # rule 4: any direct-marketing purpose, whatever the basis
    (
        "consent purpose with DM objection",
        NEWS,
        "email",
        [given(), DM_OBJECTION],
        False,
        "objected",
    ),
    (
        "opt back in after DM objection",
        NEWS,
        "email",
        [DM_OBJECTION, given()],
        True,
        "consent_given",
    ),
    (
        "opting back in through a campaign link waits for the mailbox",
        NEWS,
        "email",
        [DM_OBJECTION, given(mailbox_proof="none")],
        False,
        "unconfirmed",
    ),
    (
        "confirmed by mail: the objection is withdrawn for that purpose and channel",
        NEWS,
        "email",
        [
            DM_OBJECTION,
            given(mailbox_proof="none"),
            step("objection_withdrawn", NEWS, channel="email", mailbox_proof="confirmation"),
            step("consent_confirmed", NEWS, channel="email", mailbox_proof="confirmation"),
        ],
        True,
        "consent_given",
    ),
    (
        "a lift confirmed on email leaves the objection on phone",
        NEWS,
        "phone",
        [
            DM_OBJECTION,
            given(),
            step("objection_withdrawn", NEWS, channel="email", mailbox_proof="confirmation"),
        ],
        True,
        "consent_given",
    ),
    (
        "withdrawing an objection without proof of the mailbox waits",
        CUSTOMER,
        "email",
        [
            CUSTOMER_PROOF,
            step("objection_recorded", CUSTOMER),
            step("objection_withdrawn", CUSTOMER, mailbox_proof="none"),
        ],
        False,
        "unconfirmed",
    ),
    (
        "a new objection cancels a lift still waiting",
        CUSTOMER,
        "email",
        [
            CUSTOMER_PROOF,
            step("objection_recorded", CUSTOMER),
            step("objection_withdrawn", CUSTOMER, mailbox_proof="none"),
            step("objection_recorded", CUSTOMER, source="one_click", mailbox_proof="none"),
        ],
        False,
        "objected",
    ),
    (
        "withdrawing an objection with proof of the mailbox lifts it",
        CUSTOMER,
        "email",
        [
            CUSTOMER_PROOF,
            step("objection_recorded", CUSTOMER),
            step("objection_withdrawn", CUSTOMER),
        ],
        True,
        "legitimate_interest",
    ),
    # asserted bases
    ("contract not asserted", INVOICES, "email", [], False, "basis_not_asserted"),
    (
        "contract asserted",
        INVOICES,
        "email",
        [step("basis_asserted", INVOICES, basis="contract")],
        True,
        "basis_asserted",
    ),
    (
        "contract survives withdrawal and DM objection",
        INVOICES,
        "post",
        [
            step("basis_asserted", INVOICES, basis="contract"),
            step("consent_withdrawn", INVOICES),
            DM_OBJECTION,
            step("objection_recorded", INVOICES),
        ],
        True,
        "basis_asserted",
    ),
    (
        "contract ended",
        INVOICES,
        "email",
        [
            step("basis_asserted", INVOICES, basis="contract"),
            step("basis_ended", INVOICES, basis="contract"),
        ],
        False,
        "basis_ended",
    ),
    # basis changes over time: prospect → customer → former customer
    (
        "customer exception replaces consent",
        NEWS,
        "email",
        [step("basis_asserted", NEWS, basis="legitimate_interest")],
        True,
        "legitimate_interest",
    ),
    (
        "back to consent when the customer relationship ends",
        NEWS,
        "email",
        [
            step("basis_asserted", NEWS, basis="legitimate_interest"),
            step("basis_ended", NEWS, basis="legitimate_interest"),
        ],
        False,
        "never_asked",
    ),
    # rule 1: erasure and restriction
    ("erased", NEWS, "email", [given(), step("erasure_completed")], False, "erased"),
    (
        "erased contract",
        INVOICES,
        "email",
        [step("basis_asserted", INVOICES, basis="contract"), step("erasure_completed")],
        False,
        "erased",
    ),
    (
        "restricted subject-wide",
        NEWS,
        "email",
        [given(), step("restriction_started")],
        False,
        "restricted",
    ),
    (
        "restriction ended",
        NEWS,
        "email",
        [given(), step("restriction_started"), step("restriction_ended")],
        True,
        "consent_given",
    ),
    (
        "restriction of another purpose",
        NEWS,
        "email",
        [given(), step("restriction_started", CUSTOMER)],
        True,
        "consent_given",
    ),
]


@pytest.mark.parametrize(
    "purpose, channel, steps, reachable, reason",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_reachability_rule(purpose, channel, steps, reachable, reason):
    decision = rules.decide(purpose, channel, history(*steps), NOW)
    assert (decision.reachable, decision.reason) == (reachable, reason)


def test_deciding_event_is_named():
    events = history(given(), step("consent_withdrawn", NEWS))
    assert rules.decide(NEWS, "email", events, NOW).event_id == "e2"


def test_consent_lapses_after_its_lifetime():
    events = history(given())
    given_at = events[0].occurred_at
    assert rules.decide(NEWS, "email", events, given_at + timedelta(days=700)).reachable
    lapsed = rules.decide(NEWS, "email", events, given_at + timedelta(days=732))
    assert (lapsed.reachable, lapsed.reason) == (False, "lapsed")


def test_time_travel_answers_from_events_up_to_the_instant():
    events = history(given(), step("consent_withdrawn", NEWS))
    assert rules.decide(NEWS, "email", events, T0 + timedelta(days=1, hours=12)).reachable
    assert not rules.decide(NEWS, "email", events, T0 + timedelta(days=2, hours=12)).reachable
    assert rules.decide(NEWS, "email", events, T0).reason == "never_asked"


def test_timeline_shows_prospect_then_customer():
    events = history(given(), step("basis_asserted", NEWS, basis="legitimate_interest"))
    spans = rules.timeline(NEWS, events)
    assert [(s["basis"], s["from"], s["to"]) for s in spans] == [
        ("consent", events[0].occurred_at, events[1].occurred_at),
        ("legitimate_interest", events[1].occurred_at, None),
    ]


@pytest.mark.parametrize(
    "start, duration, end",
    [
        ("2026-01-31", "P1M", "2026-02-28"),
        ("2024-01-31", "P1M", "2024-02-29"),
        ("2026-03-15", "P24M", "2028-03-15"),
        ("2026-03-15", "P1Y2M10D", "2027-05-25"),
        ("2026-03-15", "P2W", "2026-03-29"),
    ],
)
def test_add_duration_uses_calendar_months(start, duration, end):
    begin = datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert durations.add_duration(begin, duration).date().isoformat() == end


@pytest.mark.parametrize("text", ["", "P", "PT", "24M", "P1.5Y", "P1YT"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        durations.parse_duration(text)
