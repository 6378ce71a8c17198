"""The controller's own look on every person-facing page and mail (SPEC §9 `branding`).

Display name, logo, accent colour and sender come from the catalogue; without them the
neutral default stays. The catalogue already refused a colour below 4.5:1 on white, so the
colour is used as it is on light backgrounds; on a dark screen the default accent stays,
because a colour readable on white is rarely readable on the dark ground.
"""

import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from flask import g

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#1f5fbf"


@dataclass(frozen=True)
class Branding:
    display_name: str
    logo: str | None
    color: str | None
    sender: str | None

    @property
    def accent(self) -> str:
        """The colour for mail, where no stylesheet reaches: the brand's or the default."""
        return self.color or DEFAULT_ACCENT


def of(controller) -> Branding:
    """The branding of `controller`, ready for a template; a logo's origin is allowed as an
    image source for this response (see consent/web/security.py)."""
    branding = controller.profile.get("branding") or {}
    logo = branding.get("logo")
    if logo:
        allow_image_from(logo)
    colour = branding.get("color")
    return Branding(
        display_name=branding.get("display_name") or controller.name,
        logo=logo or None,
        color=colour if colour and COLOUR.match(colour) else None,
        sender=branding.get("sender") or None,
    )


def allow_image_from(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        g.setdefault("image_origins", set()).add(f"https://{parts.netloc}")


def stylesheet(branding: Branding) -> str:
    """The few custom properties consent.css reads, for light screens only."""
    if branding.color is None:
        return ""
    return (
        "@media not (prefers-color-scheme: dark) {\n"
        f"  :root {{ --accent: {branding.color}; }}\n"
        "}\n"
    )


def sender(controller, default_from: str) -> str:
    """The From of a mail to a person: the brand's sender, else the product's address, under
    the brand's display name when the sender names nobody; without branding, the product's."""
    branding = controller.profile.get("branding") or {}
    if not branding.get("sender") and not branding.get("display_name"):
        return default_from
    name, address = parseaddr(branding.get("sender") or default_from)
    if not address:
        name, address = parseaddr(default_from)
    return formataddr((name or of(controller).display_name, address))
