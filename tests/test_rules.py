"""SPEC §3, row by row, over plain events (no database)."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from consent.core import durations, rules
from consent.core.vocabulary import KINDS

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
    marketing_related: bool = False
    similar_products: bool = False

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
    sale_reference: str | None = None
    opt_out_offered_at: datetime | None = None
    occurred_at: datetime = T0

    @property
    def id(self):
        return f"e{self.seq}"


NEWS = P(1, "newsletter", "consent", consent_lifetime="P24M", double_opt_in=True)
CUSTOMER = P(2, "customer-marketing", "legitimate_interest", similar_products=True)
INVOICES = P(3, "invoices", "contract", category="service", channels=["email", "post"])
RESEARCH = P(4, "research", "legitimate_interest", category="research")
PARTNER_OFFERS = P(5, "partner-offers", "legitimate_interest")  # not our similar products
PROFILE = P(6, "profile", "consent", category="profiling", channels=[], marketing_related=True)
AD_PROFILE = P(
    7, "ads", "legitimate_interest", category="profiling", channels=[], marketing_related=True
)


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
SALE = {"sale_reference": "order 123", "opt_out_offered_at": T0}
CUSTOMER_PROOF = step(
    "basis_asserted", CUSTOMER, basis="legitimate_interest", evidence="order 123", **SALE
)
RESEARCH_PROOF = step("basis_asserted", RESEARCH, basis="legitimate_interest", evidence="c 9")
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
        "item 3: LI outside direct marketing needs an assertion too",
        RESEARCH,
        "email",
        [],
        False,
        "basis_not_asserted",
    ),
    (
        "LI research with an assertion",
        RESEARCH,
        "email",
        [RESEARCH_PROOF],
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
        [
            RESEARCH_PROOF,
            step("objection_recorded", RESEARCH),
            step("objection_overridden", RESEARCH),
        ],
        True,
        "legitimate_interest",
    ),
    (
        "direct-marketing objection does not touch non-marketing LI",
        RESEARCH,
        "email",
        [RESEARCH_PROOF, DM_OBJECTION],
        True,
        "legitimate_interest",
    ),
    # item 1: a later assertion never undoes a person's no
    (
        "item 1: a refusal stands against a later assertion",
        CUSTOMER,
        "email",
        [step("consent_refused", CUSTOMER, channel="email"), CUSTOMER_PROOF],
        False,
        "standing_opt_out",
    ),
    (
        "item 1: a withdrawal stands too",
        CUSTOMER,
        "email",
        [CUSTOMER_PROOF, step("consent_withdrawn", CUSTOMER)],
        False,
        "standing_opt_out",
    ),
    (
        "item 1: a one-click unsubscribe stands against a new assertion",
        CUSTOMER,
        "email",
        [
            CUSTOMER_PROOF,
            step("objection_recorded", CUSTOMER, channel="email", source="one_click"),
            CUSTOMER_PROOF,
        ],
        False,
        "objected",
    ),
    (
        "item 1: only the person's own proven choice undoes it",
        CUSTOMER,
        "email",
        [
            step("consent_refused", CUSTOMER, channel="email"),
            step("objection_withdrawn", CUSTOMER, channel="email"),
            CUSTOMER_PROOF,
        ],
        True,
        "legitimate_interest",
    ),
    (
        "item 1: a no on sms leaves email alone",
        CUSTOMER,
        "email",
        [step("consent_refused", CUSTOMER, channel="sms"), CUSTOMER_PROOF],
        True,
        "legitimate_interest",
    ),
    # item 4: the existing-customer exception has conditions
    (
        "item 4: LI marketing to a proven customer",
        CUSTOMER,
        "email",
        [CUSTOMER_PROOF],
        True,
        "legitimate_interest",
    ),
    (
        "item 4: no sale named",
        CUSTOMER,
        "email",
        [step("basis_asserted", CUSTOMER, basis="legitimate_interest", opt_out_offered_at=T0)],
        False,
        "soft_opt_in_conditions",
    ),
    (
        "item 4: no chance to refuse offered before the assertion",
        CUSTOMER,
        "email",
        [
            step(
                "basis_asserted",
                CUSTOMER,
                basis="legitimate_interest",
                sale_reference="order 1",
                opt_out_offered_at=T0 + timedelta(days=90),
            )
        ],
        False,
        "soft_opt_in_conditions",
    ),
    (
        "item 4: not the controller's own similar products",
        PARTNER_OFFERS,
        "email",
        [step("basis_asserted", PARTNER_OFFERS, basis="legitimate_interest", **SALE)],
        False,
        "soft_opt_in_conditions",
    ),
    (
        "item 4: phone needs consent for that channel",
        CUSTOMER,
        "phone",
        [CUSTOMER_PROOF],
        False,
        "never_asked",
    ),
    (
        "item 4: phone with consent for that channel",
        CUSTOMER,
        "phone",
        [CUSTOMER_PROOF, given(CUSTOMER, channel="phone")],
        True,
        "consent_given",
    ),
    # item 5: channels are specific
    (
        "item 5: a direct-marketing objection on email leaves phone",
        NEWS,
        "phone",
        [
            given(channel="phone"),
            step("objection_recorded", scope="direct_marketing", channel="email"),
        ],
        True,
        "consent_given",
    ),
    (
        "item 5: one without a channel stops every channel",
        NEWS,
        "phone",
        [given(channel="phone"), DM_OBJECTION],
        False,
        "objected",
    ),
    # item 6: channels a person turns off
    (
        "item 6: a disabled channel",
        NEWS,
        "email",
        [given(channel="email"), step("channel_disabled", channel="email")],
        False,
        "channel_disabled",
    ),
    (
        "item 6: enabled again, with proof of the mailbox",
        NEWS,
        "email",
        [
            given(channel="email"),
            step("channel_disabled", channel="email"),
            step("channel_enabled", channel="email"),
        ],
        True,
        "consent_given",
    ),
    (
        "item 6: enabling without proof waits",
        NEWS,
        "email",
        [
            given(channel="email"),
            step("channel_disabled", channel="email"),
            step("channel_enabled", channel="email", mailbox_proof="none", source="api"),
        ],
        False,
        "channel_disabled",
    ),
    (
        "item 6: another channel disabled",
        NEWS,
        "email",
        [given(channel="email"), step("channel_disabled", channel="phone")],
        True,
        "consent_given",
    ),
    # item 7: marketing-related purposes follow direct marketing
    (
        "item 7: a marketing objection stops marketing profiling (Art. 21(2))",
        PROFILE,
        None,
        [given(PROFILE), step("objection_recorded", scope="direct_marketing", channel="email")],
        False,
        "objected",
    ),
    (
        "item 7: an override never re-opens a marketing-related purpose",
        AD_PROFILE,
        None,
        [
            step("basis_asserted", AD_PROFILE, basis="legitimate_interest", evidence="c 1"),
            step("objection_recorded", AD_PROFILE),
            step("objection_overridden", AD_PROFILE),
        ],
        False,
        "objected",
    ),
    ("consent profiling without channels", PROFILE, None, [given(PROFILE)], True, "consent_given"),
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
    # item 2: a purpose keeps its own basis (the ledger refuses another; the rules ignore it)
    (
        "item 2: an assertion never turns a consent purpose into legitimate interest",
        NEWS,
        "email",
        [step("basis_asserted", NEWS, basis="legitimate_interest", **SALE)],
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


def test_timeline_shows_when_a_relationship_began_and_ended():
    events = history(
        CUSTOMER_PROOF, step("basis_ended", CUSTOMER, basis="legitimate_interest"), CUSTOMER_PROOF
    )
    spans = rules.timeline(CUSTOMER, events)
    assert [(s["basis"], s["from"], s["to"]) for s in spans] == [
        ("legitimate_interest", events[0].occurred_at, events[1].occurred_at),
        ("legitimate_interest", events[2].occurred_at, None),
    ]
    consent = history(step("consent_refused", NEWS), given())
    assert rules.timeline(NEWS, consent) == [
        {"basis": "consent", "from": consent[0].occurred_at, "to": None}
    ]


def test_gpc_withdraws_consent_based_profiling_and_objects_to_the_rest():
    """Item 8: before, GPC recorded an objection that changed nothing for consent-based
    profiling while the page said it had."""
    steps = rules.gpc_objections([PROFILE, AD_PROFILE], history(given(PROFILE)))
    assert [(s.kind, s.purpose.slug) for s in steps] == [
        ("consent_withdrawn", "profile"),
        ("objection_recorded", "ads"),
    ]


def test_unsubscribe_from_all_covers_marketing_related_purposes():
    """Item 7: before, marketing profiling and ads stayed on after "unsubscribe from all"."""
    events = history(given(PROFILE), given(channel="email"))
    steps = rules.unsubscribe_all([NEWS, PROFILE, RESEARCH], "email", events)
    assert [(s.kind, s.purpose and s.purpose.slug, s.channel) for s in steps] == [
        ("consent_withdrawn", "newsletter", "email"),
        ("consent_withdrawn", "profile", None),
        ("objection_recorded", None, "email"),
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


def test_an_event_may_change_only_the_purposes_may_change_names():
    """ledger.refresh_state decides again only the purposes a new event may change
    (rules.may_change): over random chains, adding an event leaves every other purpose's
    standing decision as it was."""
    chance = random.Random(20261202)
    purposes = [NEWS, CUSTOMER, INVOICES, RESEARCH, PARTNER_OFFERS, PROFILE, AD_PROFILE]
    scopes = (None, "direct_marketing", "newsletter", "research")
    compared = 0
    for _chain in range(400):
        chain = []
        for seq in range(1, 9):
            purpose = chance.choice([None, *purposes])
            event = E(
                seq,
                chance.choice(KINDS),
                purpose_id=purpose and purpose.id,
                scope=chance.choice(scopes),
                channel=chance.choice((None, "email", "phone", "post")),
                basis=chance.choice((None, "consent", "legitimate_interest", "contract")),
                source=chance.choice(("preference_page", "import", "one_click")),
                mailbox_proof=chance.choice(("mailed_link", "none")),
                sale_reference=chance.choice((None, "order 1")),
                opt_out_offered_at=chance.choice((None, T0)),
                occurred_at=T0 + timedelta(days=chance.randrange(10)),
            )
            for other in purposes:
                if rules.may_change(other, event):
                    continue
                for channel in other.channels or [None]:
                    assert rules.standing(other, channel, rules.in_order([*chain, event])) == (
                        rules.standing(other, channel, rules.in_order(chain))
                    ), (event, other.slug, channel)
                    compared += 1
            chain.append(event)
    assert compared > 10_000
