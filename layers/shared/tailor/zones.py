"""The customer's time zone: the one answer every time shown or scheduled for them uses.

Their own zone when they (or Shopify) set one, else the zone of where their parcels go,
else the shop's. A country with one zone is CLDR's (through Babel, already a dependency:
`territory_zones`). The big countries that span several zones are looked up by state or
province (`SUBDIVISION_ZONES`), the others with several by their main zone (`COUNTRY_ZONES`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global

from tailor.events.canonical import Address

if TYPE_CHECKING:
    from tailor.settings import Settings


class KnownZone(Protocol):
    """What a profile tells about its zone (a protocol, so profiles can import this module)."""

    @property
    def time_zone(self) -> str | None: ...

    @property
    def time_zone_inferred(self) -> bool: ...


# The main zone of each state or province of the countries that span several zones, keyed
# by ISO 3166-2 code (Shopify's `province_code`, which for Mexico differs in places: its
# aliases follow). Each is the zone IANA's zone1970.tab assigns to the subdivision's most
# populous part (e.g. Texas is America/Chicago, though El Paso keeps Mountain time).
SUBDIVISION_ZONES: dict[str, dict[str, str]] = {
    "US": {
        **dict.fromkeys(
            ["CT", "DC", "DE", "FL", "GA", "KY", "MA", "MD", "ME", "NC", "NH", "NJ", "NY",
             "OH", "PA", "RI", "SC", "VA", "VT", "WV"],
            "America/New_York",
        ),
        **dict.fromkeys(
            ["AL", "AR", "IA", "IL", "KS", "LA", "MN", "MO", "MS", "ND", "NE", "OK", "SD",
             "TN", "TX", "WI"],
            "America/Chicago",
        ),
        **dict.fromkeys(("CO", "MT", "NM", "UT", "WY"), "America/Denver"),
        **dict.fromkeys(("CA", "NV", "OR", "WA"), "America/Los_Angeles"),
        "AK": "America/Anchorage",
        "AZ": "America/Phoenix",
        "HI": "Pacific/Honolulu",
        "ID": "America/Boise",
        "IN": "America/Indiana/Indianapolis",
        "MI": "America/Detroit",
        "AS": "Pacific/Pago_Pago",
        "GU": "Pacific/Guam",
        "MP": "Pacific/Saipan",
        "PR": "America/Puerto_Rico",
        "VI": "America/St_Thomas",
    },
    "CA": {
        "AB": "America/Edmonton",
        "BC": "America/Vancouver",
        "MB": "America/Winnipeg",
        "NB": "America/Moncton",
        "NL": "America/St_Johns",
        "NS": "America/Halifax",
        "NT": "America/Yellowknife",
        "NU": "America/Iqaluit",
        "ON": "America/Toronto",
        "PE": "America/Halifax",
        "QC": "America/Toronto",
        "SK": "America/Regina",
        "YT": "America/Whitehorse",
    },
    "AU": {
        "ACT": "Australia/Sydney",
        "NSW": "Australia/Sydney",
        "NT": "Australia/Darwin",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "TAS": "Australia/Hobart",
        "VIC": "Australia/Melbourne",
        "WA": "Australia/Perth",
    },
    "BR": {
        **dict.fromkeys(
            ("DF", "ES", "GO", "MG", "PR", "RJ", "RS", "SC", "SP"), "America/Sao_Paulo"
        ),
        **dict.fromkeys(("CE", "MA", "PB", "PI", "RN"), "America/Fortaleza"),
        **dict.fromkeys(("AP", "PA"), "America/Belem"),
        **dict.fromkeys(("AL", "SE"), "America/Maceio"),
        "AC": "America/Rio_Branco",
        "AM": "America/Manaus",
        "BA": "America/Bahia",
        "MS": "America/Campo_Grande",
        "MT": "America/Cuiaba",
        "PE": "America/Recife",
        "RO": "America/Porto_Velho",
        "RR": "America/Boa_Vista",
        "TO": "America/Araguaina",
    },
    "MX": {
        **dict.fromkeys(
            ["AGU", "CHP", "CMX", "COL", "DUR", "GRO", "GUA", "HID", "JAL", "MEX", "MIC",
             "MOR", "OAX", "PUE", "QUE", "SLP", "TAB", "TLA", "VER", "ZAC"],
            "America/Mexico_City",
        ),
        **dict.fromkeys(("COA", "NLE", "TAM"), "America/Monterrey"),
        **dict.fromkeys(("CAM", "YUC"), "America/Merida"),
        **dict.fromkeys(("BCS", "NAY", "SIN"), "America/Mazatlan"),
        "BCN": "America/Tijuana",
        "CHH": "America/Chihuahua",
        "ROO": "America/Cancun",
        "SON": "America/Hermosillo",
    },
}  # fmt: skip
# The main zone (the capital's) of the other countries with more than one: CLDR lists a
# country's zones without saying which is the main one.
COUNTRY_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "CD": "Africa/Kinshasa", "CL": "America/Santiago",
    "CN": "Asia/Shanghai", "CY": "Asia/Nicosia", "DE": "Europe/Berlin", "EC": "America/Guayaquil",
    "ES": "Europe/Madrid", "FM": "Pacific/Pohnpei", "GL": "America/Nuuk", "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa", "KZ": "Asia/Almaty", "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar", "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland",
    "PF": "Pacific/Tahiti", "PG": "Pacific/Port_Moresby", "PS": "Asia/Hebron",
    "PT": "Europe/Lisbon", "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "UZ": "Asia/Tashkent",
    "US": "America/New_York", "CA": "America/Toronto", "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo", "MX": "America/Mexico_City",
}  # fmt: skip
# Shopify's own codes for Mexican states where they are not ISO 3166-2's.
SHOPIFY_MX_CODES = {
    "AGS": "AGU", "BC": "BCN", "CAMP": "CAM", "CHIS": "CHP", "CHIH": "CHH", "DF": "CMX",
    "COAH": "COA", "DGO": "DUR", "GTO": "GUA", "HGO": "HID", "MICH": "MIC", "NL": "NLE",
    "QRO": "QUE", "Q ROO": "ROO", "TAMPS": "TAM", "TLAX": "TLA",
}  # fmt: skip


def customer_zone(
    profile: KnownZone | None, settings: Settings, address: Address | None = None
) -> ZoneInfo:
    """The zone to show and schedule times in for this customer.

    A zone the customer or Shopify set wins; then the zone of `address` (this order's
    shipping address, newer than what the profile learned from earlier orders); then the
    zone the profile learned; then the shop's (also for a sender without a profile)."""
    own = profile.time_zone if profile else None
    inferred = profile is not None and profile.time_zone_inferred
    explicit, learned = (None, own) if inferred else (own, None)
    for name in (explicit, zone_for_address(address), learned):
        zone = known_zone(name)
        if zone is not None:
            return zone
    return settings.shop_zone()


def zone_for_address(address: Address | None) -> str | None:
    """The IANA zone of a shipping address, or None when its country is unknown."""
    if address is None or not address.country_code:
        return None
    country = address.country_code.strip().upper()
    subdivisions = SUBDIVISION_ZONES.get(country)
    if subdivisions is not None:
        code = (address.province_code or "").strip().upper()
        if country == "MX":
            code = SHOPIFY_MX_CODES.get(code, code)
        zone = subdivisions.get(code.removeprefix(f"{country}-"))
        if zone is not None:
            return zone
    if country in COUNTRY_ZONES:
        return COUNTRY_ZONES[country]
    zones = _territory_zones().get(country)
    # A country with several zones and no entry above: its main one is not known.
    return zones[0] if zones and len(zones) == 1 else None


def known_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _territory_zones() -> dict[str, list[str]]:
    return dict(get_global("territory_zones"))
