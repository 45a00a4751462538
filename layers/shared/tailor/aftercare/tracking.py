"""Tracking links: the carrier's own URL when the shop gave one, else its public pattern.

Shopify sends `tracking_company` as the merchant typed or picked it ("UPS", "DHL Express",
"Canada Post"...) and often a `tracking_url`. Numbers are compared and linked without
spaces. An unknown carrier gets its number shown plainly, never a guessed link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from tailor.events.fulfillment import Tracking
from tailor.links import safe_url

# name -> (how the customer reads it, public tracking URL with {number})
CARRIERS: dict[str, tuple[str, str]] = {
    "ups": ("UPS", "https://www.ups.com/track?loc=en_US&tracknum={number}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
    "dhl": (
        "DHL Express",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
        "?submit=1&tracking-id={number}",
    ),
    "dhlecommerce": (
        "DHL eCommerce",
        "https://www.dhl.com/us-en/home/tracking/tracking-ecommerce.html"
        "?submit=1&tracking-id={number}",
    ),
    "royalmail": (
        "Royal Mail",
        "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    ),
    "canadapost": (
        "Canada Post",
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
    ),
    "australiapost": ("Australia Post", "https://auspost.com.au/mypost/track/details/{number}"),
}

# What merchants and apps write for the same carriers, squashed to letters and digits.
ALIASES: dict[str, str] = {
    "unitedparcelservice": "ups",
    "upsmailinnovations": "ups",
    "unitedstatespostalservice": "usps",
    "federalexpress": "fedex",
    "fedexground": "fedex",
    "fedexexpress": "fedex",
    "dhlexpress": "dhl",
    "dhlecommerceasia": "dhlecommerce",
    "dhlglobalmail": "dhlecommerce",
    "postescanada": "canadapost",
    "auspost": "australiapost",
}


@dataclass(frozen=True)
class TrackingLink:
    number: str
    url: str | None


@dataclass(frozen=True)
class Shipment:
    carrier: str | None  # as the customer reads it; None when no carrier was named
    known_carrier: bool
    links: tuple[TrackingLink, ...]


def carrier_key(name: str | None) -> str | None:
    if not name:
        return None
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    key = ALIASES.get(squashed, squashed)
    return key if key in CARRIERS else None


def normalize_number(number: str) -> str:
    return re.sub(r"\s+", "", number)


def links(carrier: str | None, tracking: list[Tracking]) -> Shipment:
    """The carrier's name and a link per tracking number (the shop's URL first)."""
    key = carrier_key(carrier)
    name = CARRIERS[key][0] if key else (carrier.strip() if carrier else None)
    if name and name.lower() == "other":
        name = None
    found = []
    for item in tracking:
        number = normalize_number(item.number)
        url = safe_url(item.url)
        if url is None and key is not None:
            url = CARRIERS[key][1].format(number=quote(number, safe=""))
        found.append(TrackingLink(number, url))
    return Shipment(carrier=name, known_carrier=key is not None, links=tuple(found))
