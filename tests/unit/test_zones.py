"""The customer's time zone: their own, else where their parcels go, else the shop's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tailor import consent, i18n, zones
from tailor.events.canonical import Address, OrderPlaced
from tailor.events.inbound import parse
from tailor.policy import decide
from tailor.profiles import Profile, record_order
from tailor.settings import Settings

from tests.helpers.events import load_event

SHOP = Settings(
    shop_name="Shop",
    shop_base_url="https://shop.example.com",
    sender_address="orders@shop.example.com",
    shop_timezone="America/Chicago",
)
NOBODY = Profile(email="alex@example.com")


def shipping(country_code: str, province_code: str | None = None) -> Address:
    return Address(city="Somewhere", country_code=country_code, province_code=province_code)


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        (shipping("US", "OK"), "America/Chicago"),  # Tulsa
        (shipping("AU", "WA"), "Australia/Perth"),
        (shipping("DE"), "Europe/Berlin"),
        (shipping("CA", "BC"), "America/Vancouver"),
        (shipping("BR", "AM"), "America/Manaus"),
        (shipping("MX", "BC"), "America/Tijuana"),  # Shopify's code for Baja California
        (shipping("MX", "MX-SON"), "America/Hermosillo"),  # ISO 3166-2
        (shipping("JP"), "Asia/Tokyo"),
        (shipping("US", "ZZ"), "America/New_York"),  # unknown state: the country's main zone
    ],
)
def test_the_shipping_address_tells_the_zone(address: Address, zone: str) -> None:
    assert zones.customer_zone(NOBODY, SHOP, address).key == zone


def test_a_zone_the_customer_set_wins_over_the_address() -> None:
    profile = NOBODY.model_copy(update={"time_zone": "Europe/Berlin"})
    assert zones.customer_zone(profile, SHOP, shipping("US", "OK")).key == "Europe/Berlin"


def test_a_zone_learned_from_an_earlier_order_gives_way_to_this_orders_address() -> None:
    learned = NOBODY.model_copy(update={"time_zone": "Europe/Berlin", "time_zone_inferred": True})
    assert zones.customer_zone(learned, SHOP).key == "Europe/Berlin"
    assert zones.customer_zone(learned, SHOP, shipping("AU", "WA")).key == "Australia/Perth"


@pytest.mark.parametrize("address", [None, shipping("XX"), Address(city="Tulsa")])
def test_unknown_customers_get_the_shops_zone(address: Address | None) -> None:
    unknown_zone = NOBODY.model_copy(update={"time_zone": "Not/AZone"})
    assert zones.customer_zone(unknown_zone, SHOP, address).key == "America/Chicago"


def test_times_carry_the_zone_name_the_customer_reads() -> None:
    winter_evening_utc = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
    tulsa = zones.customer_zone(NOBODY, SHOP, shipping("US", "OK"))
    # CLDR puts a narrow no-break space before AM/PM.
    assert i18n.time_of_day(winter_evening_utc, tulsa, "en-US") == "2:00\u202fPM CST"
    assert i18n.day(winter_evening_utc, tulsa, "en-US") == "January 15, 2026"
    berlin = zones.customer_zone(NOBODY, SHOP, shipping("DE"))
    assert i18n.time_of_day(winter_evening_utc, berlin, "de-DE") == "21:00 MEZ"
    assert i18n.day(winter_evening_utc, berlin, "de-DE") == "15. Januar 2026"
    # A language without an abbreviation for the zone names its offset instead.
    assert i18n.time_of_day(winter_evening_utc, berlin, "fr") == "21:00 UTC+01:00"


def order_shipped_to(address: dict[str, str], order_id: int = 6283749150321) -> OrderPlaced:
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"]["id"] = order_id
    event["detail"]["payload"]["shipping_address"].update(address)
    return parse(event, OrderPlaced, SHOP)[1]


PERTH = {"city": "Perth", "province_code": "WA", "country_code": "AU"}


def test_recording_an_order_learns_the_zone_but_keeps_one_the_customer_set() -> None:
    to_perth = order_shipped_to(PERTH)

    learned = record_order(NOBODY, to_perth, {})
    assert (learned.time_zone, learned.time_zone_inferred) == ("Australia/Perth", True)

    moved = record_order(learned, order_shipped_to({"province_code": "OK"}, 6283749159999), {})
    assert moved.time_zone == "America/Chicago"  # the parcels go somewhere new now

    chosen = NOBODY.model_copy(update={"time_zone": "Europe/Berlin"})
    assert record_order(chosen, to_perth, {}).time_zone == "Europe/Berlin"


def test_quiet_hours_hold_marketing_until_eight_where_the_parcels_go() -> None:
    learned = record_order(NOBODY, order_shipped_to(PERTH), {})
    subscribed = consent.change(learned, ["newsletter"], "subscribed", "signup")
    eleven_pm_in_perth = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

    decision = decide(subscribed, "newsletter", SHOP, eleven_pm_in_perth)

    assert (decision.action, decision.reason) == ("defer", "quiet hours")
    assert decision.until == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 AWST
