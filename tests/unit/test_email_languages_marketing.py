"""Price drops, private sales, replenishment reminders, the newsletter's double opt-in and
welcome, and the friend's referral invitation, each in the eight languages: subject,
preheader and heading from that language's copy, money, dates, durations and percentages
as that language writes them, and a text part written as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from babel.units import format_unit
from tailor import consent, copy
from tailor.profiles import Profiles
from tailor_local.template import Template

from tests.helpers.aftercare import at, subscribe
from tests.helpers.alerts_shop import MIDDAY, OXFORD, SIZE, SOCKS, Shop, open_shop
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part


@pytest.fixture(autouse=True)
def fresh_overrides() -> Iterator[None]:
    copy.clear_cache()
    yield
    copy.clear_cache()


def words(email_type: str, lang: str) -> dict[str, str]:
    return {**copy.packaged("common", lang), **copy.packaged(email_type, lang)}


def plain(text: str) -> str:
    """Babel's no-break spaces as ordinary ones, so copy and formatted values compare."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def parts(message: Any) -> tuple[str, str]:
    html = plain(html_part(message)).replace("&#39;", "'").replace("&#34;", '"')
    return html, plain(text_part(message)).replace("\r\n", "\n")


def assert_written_as_text(text: str, customer_text: str = "") -> None:
    text = text.replace(customer_text, "") if customer_text else text
    assert "<" not in text and "**" not in text and "](" not in text
    for line in text.splitlines():
        if "http" in line:
            assert re.fullmatch(r"https?://\S+", line.strip()), f"URL not on its own line: {line!r}"


def assert_no_english(text: str, email_type: str, lang: str) -> None:
    """No fixed English sentence of the email or its footer in another language's email."""
    if lang == "en":
        return
    own = set(words(email_type, lang).values())
    english = [w for w in words(email_type, "en").values() if "{" not in w and w not in own]
    leaked = [w for w in english if len(w) > 12 and plain(w) in text]
    assert not leaked, f"English in the {lang} email: {leaked}"


def assert_marketing_footer(html: str, text: str, expected: dict[str, str]) -> None:
    """The postal address, and unsubscribe and preferences in the email's language."""
    assert "120 E 4th St, Tulsa, OK 74103, USA" in html and "120 E 4th St" in text
    assert f"{expected['unsubscribe']}:\n" in text and f"{expected['preferences']}:\n" in text
    assert "/unsubscribe?t=" in text and "/unsubscribe?t=" in html


def usd(amount: str, lang: str) -> str:
    return plain(format_currency(Decimal(amount), "USD", locale=lang))


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 0, "12": 4, "13": 2})
    shop.socks()
    return shop


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_price_drop_in_each_language(shop: Shop, outbox: Any, lang: str) -> None:
    shop.customer("susie@example.com", shoes="13", first_name="Susie", locale=lang)
    shop.wish("susie@example.com")

    shop.oxford({"11": 0, "12": 4, "13": 2}, price="159.00")  # -20 %

    message = outbox.only()
    expected = words("price_drop", lang)
    assert_no_english(text_part(message), "price_drop", lang)
    html, text = parts(message)
    now, was = usd("159.00", lang), usd("199.00", lang)
    assert message["Subject"] == plain(expected["subject_size"]).format(
        title="Classic Oxford", price=now
    )
    assert f'lang="{lang}"' in html
    assert plain(expected["preheader_wish"]) in html
    heading = expected["heading_named"].format(title="Classic Oxford", first_name="Susie")
    assert plain(heading) in text
    percent = plain(format_percent(Decimal("0.2"), locale=lang))
    assert plain(expected["intro_percent"]).format(now=now, was=was, percent=percent) in text
    assert plain(expected["was_now"]).format(was=was, now=now) in text
    assert f"/cart/{SIZE['13']}:1" in text
    assert_marketing_footer(html, text, expected)
    assert_written_as_text(text)


SALE = {
    "sale_id": "wishlist-winter-2026",
    "title": "Winter wish list",
    "product_ids": [OXFORD, SOCKS],
    "discount_percent": "15",
    "discount_code": "WISHLIST",
    "starts_at": MIDDAY.isoformat(),
    "ends_at": "2026-11-24T03:00:00+00:00",  # the evening of November 23 in Los Angeles
}


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_private_sale_in_each_language(shop: Shop, outbox: Any, lang: str) -> None:
    shop.customer(
        "susie@example.com",
        shoes="13",
        first_name="Susie",
        locale=lang,
        time_zone="America/Los_Angeles",
    )
    shop.wish("susie@example.com", OXFORD)
    shop.wish("susie@example.com", SOCKS)

    shop.deliver("PrivateSaleStarted", **SALE)

    message = outbox.only()
    expected = words("private_sale", lang)
    assert_no_english(text_part(message), "private_sale", lang)
    html, text = parts(message)
    percent = plain(format_percent(Decimal("0.15"), locale=lang))
    subject = expected["subject_items_other"]
    assert message["Subject"] == plain(subject).format(percent=percent, count=2)
    # The end of the sale as the customer's clock shows it: still the 23rd in Los Angeles.
    assert plain(format_date(date(2026, 11, 23), "long", locale=lang)) in text
    assert plain(expected["heading_named"]).format(sale=SALE["title"], first_name="Susie") in text
    assert plain(expected["size"]).format(size="13") in text
    sale_price = plain(expected["was_now"]).format(was=usd("199.00", lang), now=usd("169.15", lang))
    assert sale_price in text
    assert expected["button"] + ":\n" in text
    assert_marketing_footer(html, text, expected)
    assert_written_as_text(text)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_replenishment_reminder_in_each_language(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    run("CatalogSyncFunction", load_event("canonical/product-updated.json"))
    run("PurchaseHistoryFunction", load_event("canonical/order-placed.json"))
    subscribe("susie@example.com", consent.REPLENISHMENT)
    Profiles("ProfilesTable").update(
        "susie@example.com", lambda p: p.model_copy(update={"locale": lang})
    )
    at("2027-08-17T15:00:00+00:00", monkeypatch)

    run("ReplenishmentReminderFunction", load_event("canonical/replenishment-due.json"))

    message = outbox.only()
    expected = words("replenishment_reminder", lang)
    assert_no_english(text_part(message), "replenishment_reminder", lang)
    html, text = parts(message)
    assert message["Subject"] == plain(expected["subject_socks"]).format(title="Rag Wool Socks")
    assert plain(expected["preheader_socks"]) in html
    bought = datetime(2026, 11, 20, 15, 20, tzinfo=UTC)
    months = round((datetime(2027, 8, 17, 15, tzinfo=UTC) - bought).days / 30.44)
    since = plain(format_unit(months, "duration-month", length="long", locale=lang))
    assert plain(expected["intro_socks"]).format(since=since, title="Rag Wool Socks") in text
    assert plain(expected["quantity"]).format(quantity=2) in text
    assert "https://shop.example.com/cart/2001:2" in text
    assert_marketing_footer(html, text, expected)
    assert_written_as_text(text)


def signup_in(run: Any, lang: str) -> None:
    event = load_event("canonical/newsletter-signup-requested.json")
    event["detail"]["locale"] = lang
    run("NewsletterSignupFunction", event)


@pytest.fixture
def daytime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILOR_NOW", "2026-11-20T16:00:00+00:00")


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_newsletter_confirmation_in_each_language_promotes_nothing(
    run: Any, outbox: Any, daytime: None, lang: str
) -> None:
    signup_in(run, lang)

    message = outbox.only()
    expected = words("newsletter_confirmation", lang)
    assert_no_english(text_part(message), "newsletter_confirmation", lang)
    html, text = parts(message)
    assert message["Subject"] == plain(expected["subject"])
    assert plain(expected["preheader"]) in html
    assert plain(expected["heading_named"]).format(first_name="Susie") in text
    assert f"{plain(expected['button'])}:\n" in text and "/subscribe?t=" in text
    # Transactional: no unsubscribe footer, no List-Unsubscribe, the contact address instead.
    assert "/unsubscribe?t=" not in html and message["List-Unsubscribe"] is None
    assert_written_as_text(text)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_newsletter_welcome_in_each_language(
    run: Any, outbox: Any, daytime: None, lang: str
) -> None:
    signup_in(run, lang)
    subscribe("susie@example.com")
    subscribed = load_event("canonical/newsletter-subscribed.json")

    run("NewsletterWelcomeFunction", subscribed)

    message = outbox.messages[-1]
    expected = words("newsletter_welcome", lang)
    assert_no_english(text_part(message), "newsletter_welcome", lang)
    html, text = parts(message)
    assert message["Subject"] == plain(expected["subject_named"]).format(first_name="Susie")
    assert plain(expected["preheader"]) in html
    assert plain(expected["heading_named"]).format(first_name="Susie") in text
    assert_marketing_footer(html, text, expected)
    assert_written_as_text(text)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_referral_invitation_in_each_language(run: Any, outbox: Any, lang: str) -> None:
    event = load_event("canonical/referral-invitation-requested.json")
    event["detail"].update(locale=lang, referrer_name="Susie <b>&</b>", note="Try <i>these</i>!")

    run("ReferralInvitationFunction", event)

    message = outbox.only()
    expected = words("referral_invitation", lang)
    assert_no_english(text_part(message), "referral_invitation", lang)
    html, text = parts(message)
    assert message["Subject"] == plain(expected["subject"]).format(referrer="Susie <b>&</b>")
    assert f'lang="{lang}"' in html
    # Customer text is data: escaped in HTML, never markup.
    assert "<b>" not in html and "<i>" not in html and "Susie &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert plain(expected["code_label"]) in text
    code = re.search(r"^(\S+-\S+)$", text.split(plain(expected["code_label"]))[1], re.M)
    assert code is not None and code.group(1) in html
    footer = plain(expected["footer_reason"]).format(referrer="Susie <b>&</b>")
    assert footer in text
    # The friend gave no consent: one email, no unsubscribe promises, no marketing headers.
    assert "/unsubscribe?t=" not in html and message["List-Unsubscribe"] is None
    assert_written_as_text(text.replace("Try <i>these</i>!", ""), "Susie <b>&</b>")
