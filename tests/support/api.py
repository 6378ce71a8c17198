"""A small world for the API, CLI and reachability tests: one controller with a consent, a
legitimate-interest and a contract purpose, a second controller, and a key of every role."""

from dataclasses import dataclass, field

from consent.core import api_keys
from consent.core.database import db

ORIGIN = "https://shop.example"


@dataclass
class World:
    controller: object
    newsletter: object
    offers: object
    service: object
    other: object
    other_purpose: object
    keys: dict = field(default_factory=dict)
    other_keys: dict = field(default_factory=dict)

    def auth(self, role: str, other: bool = False) -> dict:
        """Headers for a key of this role; a widget key is used from a page on its origin."""
        key = (self.other_keys if other else self.keys)[role]
        origin = {"Origin": ORIGIN} if role == "widget" else {}
        return {"Authorization": f"Bearer {key}", **origin}


def build(make) -> World:
    controller = make.controller()
    world = World(
        controller=controller,
        newsletter=make.purpose(controller, "newsletter", consent_lifetime="P24M"),
        offers=make.purpose(controller, "offers", basis="legitimate_interest"),
        service=make.purpose(
            controller, "service", basis="contract", category="service", channels=("email", "post")
        ),
        other=None,
        other_purpose=None,
    )
    world.other = make.controller("rival", name="Rival AS", jurisdiction="NO")
    world.other_purpose = make.purpose(world.other, "newsletter")
    for role in api_keys.ROLES:
        origins = [ORIGIN] if role == "widget" else []
        world.keys[role] = api_keys.create(controller, role, origins)[1]
        world.other_keys[role] = api_keys.create(world.other, role, origins)[1]
    db.session.commit()
    return world
