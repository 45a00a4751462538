"""The pages a customer sees (preferences, double opt-in, unsubscribe, referral, link
errors) in each of the eight languages: every word from that language's page copy and none
left in English. The language is the customer's profile's, else the browser's
(Accept-Language by q-value), else the shop's default; the preference page lets the
customer choose it, and the next email follows the choice."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tailor import aws, copy, i18n, profiles, web
from tailor.events.canonical import CustomerUpdated
from tailor.links import (
    OFFER_PURPOSE,
    OPT_IN_PURPOSE,
    PREFERENCES_PURPOSE,
    UNSUBSCRIBE_PURPOSE,
    signer_from_secret,
)
from tailor.profiles import Profile
from tailor.referrals.tokens import SHARE_PURPOSE
from tailor_local.template import Template

from tests.helpers.events import load_event, url_request
from tests.helpers.orders import stock_the_shop

CUSTOMER = "alex.rivera@example.com"  # as in the Shopify order sample
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def midday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILOR_NOW", NOW.isoformat())


@pytest.fixture(autouse=True)
def fresh_overrides() -> Iterator[None]:
    """Overrides are cached per container for a minute; each test starts and ends without."""
    copy.clear_cache()
    yield
    copy.clear_cache()


def customer_speaks(lang: str | None) -> None:
    item: dict[str, Any] = {"email": CUSTOMER, "version": 1}
    if lang:
        item["locale"] = lang
    aws.table("ProfilesTable").put_item(Item=item)


def token(purpose: str, **claims: Any) -> str:
    return signer_from_secret("LinkSigningSecret").sign(purpose, {"e": CUSTOMER, **claims})


def browsing(request: dict[str, Any], accept_language: str) -> dict[str, Any]:
    request["headers"] = {**request["headers"], "accept-language": accept_language}
    return request


def assert_page_in(lang: str, response: dict[str, Any], *keys: str, **values: str) -> None:
    """The page is marked as `lang`, shows `keys` of its copy (filled from `values`) and not
    a fragment of English copy that `lang` words differently."""
    body = html.unescape(response["body"])
    words = copy.blocks("pages", lang)
    assert f'<html lang="{lang}">' in response["body"]
    assert response["headers"]["Content-Language"] == lang
    for key in keys:
        assert words[key].format(**values) in body, f"{lang}: {key} missing"
    if lang == copy.SOURCE_LANGUAGE:
        return
    english = copy.blocks("pages", copy.SOURCE_LANGUAGE)
    for key, text in english.items():
        if text == words[key]:
            continue  # the same word in both languages ("Newsletter")
        for fragment in re.split(r"\{[^}]*\}", text):
            if len(fragment.strip()) > 3:
                assert fragment.strip() not in body, f"{lang}: English {key!r} left"


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_the_preference_page_is_in_the_customers_language(run: Any, lang: str) -> None:
    customer_speaks(lang)

    page = run(
        "PreferencesFunction", url_request("/preferences", {"t": token(PREFERENCES_PURPOSE)})
    )

    assert page["statusCode"] == 200
    assert_page_in(
        lang,
        page,
        "preferences_heading",
        "topics_legend",
        "topic_newsletter",
        "topic_referrals",
        "always_sent",
        "language_label",
        "save",
        "unsubscribe_all",
    )
    assert re.search(rf'<option value="{lang}" lang="{lang}" selected>', page["body"])
    assert re.search(r'<label for="language">', page["body"])  # the choice has a label


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_double_opt_in_pages_are_in_the_customers_language(run: Any, lang: str) -> None:
    customer_speaks(lang)
    opt_in = token(OPT_IN_PURPOSE)

    confirm = run("PreferencesFunction", url_request("/subscribe", {"t": opt_in}))
    done = run("PreferencesFunction", url_request("/subscribe", method="POST", form={"t": opt_in}))

    assert_page_in(lang, confirm, "subscribe_title", "subscribe_intro", "subscribe_button")
    assert_page_in(lang, done, "subscribed_title", "subscribed_message", "continue", shop="")


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_unsubscribe_pages_are_in_the_customers_language(run: Any, lang: str) -> None:
    customer_speaks(lang)
    one_click = token(UNSUBSCRIBE_PURPOSE, t="price_drops")
    words = copy.blocks("pages", lang)

    confirm = run("PreferencesFunction", url_request("/unsubscribe", {"t": one_click}))
    done = run(
        "PreferencesFunction",
        url_request(
            "/unsubscribe", {"t": one_click}, method="POST", body="List-Unsubscribe=One-Click"
        ),
    )
    refused = run(
        "PreferencesFunction", url_request("/preferences", {"t": one_click})
    )  # a one-click link never opens the preference page

    assert_page_in(
        lang,
        confirm,
        "unsubscribe_title",
        "unsubscribe_topic",
        "unsubscribe_button",
        "unsubscribe_choose",
        topic=words["topic_price_drops"],
    )
    assert_page_in(lang, done, "unsubscribed_title", "unsubscribed_message")
    assert refused["statusCode"] == 403
    assert_page_in(lang, refused, "unsubscribe_only_title", "unsubscribe_only_message")


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_the_referral_page_is_in_the_customers_language(run: Any, lang: str) -> None:
    customer_speaks(lang)

    page = run("ReferralPageFunction", url_request("/", {"t": token(SHARE_PURPOSE)}))

    assert page["statusCode"] == 200
    assert_page_in(
        lang,
        page,
        "refer_intro",
        "refer_friend_label",
        "refer_name_label",
        "refer_note_label",
        "refer_items_label",
        "refer_button",
    )
    assert '<label for="friend">' in page["body"] and 'id="friend"' in page["body"]


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_a_refused_referral_form_names_the_fields_in_the_customers_language(
    run: Any, lang: str
) -> None:
    customer_speaks(lang)
    form = run("ReferralPageFunction", url_request("/", {"t": token(SHARE_PURPOSE)}))
    form_token = re.search(r'name="f" value="([^"]+)"', form["body"])
    assert form_token

    refused = run(
        "ReferralPageFunction",
        url_request(
            "/",
            method="POST",
            form={"f": form_token.group(1), "friend": "not an address", "name": "Susie"},
        ),
    )

    assert refused["statusCode"] == 400
    words = copy.blocks("pages", lang)
    assert_page_in(lang, refused, "refer_button")
    assert words["problem_friend_email"] in html.unescape(refused["body"])


@pytest.mark.parametrize("lang", copy.SUPPORTED)
@pytest.mark.parametrize(
    ("function", "path"),
    [
        ("PreferencesFunction", "/preferences"),
        ("ReferralPageFunction", "/"),
        ("ReferralPageFunction", "/r"),
        ("OfferRedirectFunction", "/"),
        ("PrivateSaleLinkFunction", "/"),
    ],
)
def test_a_broken_link_gets_the_error_page_in_the_browsers_language(
    run: Any, lang: str, function: str, path: str
) -> None:
    request = browsing(url_request(path, {"t": "forged.link"}), f"{lang};q=0.9, pl")

    page = run(function, request)

    assert page["statusCode"] == 400
    assert_page_in(lang, page, "invalid_link_title", "invalid_link_message")


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("pl", "en"),  # the shop's default
        ("pl, ja;q=0.4, de;q=0.5", "de"),
        ("en;q=0.2, nl", "nl"),
        ("*, it;q=0.1", "it"),
        ("de;q=0, es", "es"),  # q=0: not acceptable
        ("pt-BR;q=abc, ja", "ja"),  # a malformed q-value counts as not acceptable
        ("", "en"),
    ],
)
def test_the_browsers_language_is_the_first_supported_by_q_value(
    run: Any, accept_language: str, lang: str
) -> None:
    page = run("PreferencesFunction", browsing(url_request("/nowhere"), accept_language))

    assert page["statusCode"] == 404
    assert_page_in(lang, page, "not_found_title", "not_found_message")


@pytest.mark.parametrize(
    ("accept_language", "default", "lang"),
    [("pl", "de-DE", "de"), ("pl, fr;q=0.1", "de-DE", "fr"), ("pl", "sv", "en")],
)
def test_an_unsupported_browser_language_falls_back_to_the_shops_default(
    monkeypatch: pytest.MonkeyPatch, accept_language: str, default: str, lang: str
) -> None:
    shop = {
        "SHOP_NAME": "Oklahoma Outfitters",
        "SHOP_BASE_URL": "https://shop.example.com",
        "SENDER_ADDRESS": "shop@example.com",
        "SHOP_TIMEZONE": "UTC",
        "DEFAULT_LOCALE": default,
    }
    for name, value in shop.items():
        monkeypatch.setenv(name, value)

    assert web.language(browsing(url_request("/"), accept_language)) == lang


def test_the_profiles_language_wins_over_the_browsers(run: Any) -> None:
    customer_speaks("ja-JP")
    request = url_request("/preferences", {"t": token(PREFERENCES_PURPOSE)})

    page = run("PreferencesFunction", browsing(request, "de-DE,de;q=0.9"))

    assert_page_in("ja", page, "preferences_heading")


def test_accept_language_orders_by_q_then_by_position() -> None:
    assert web.accept_language("fr-CA,fr;q=0.9,en;q=0.8") == ["fr-CA", "fr", "en"]
    assert web.accept_language("en;q=0.5, de, ja;q=0.5 , *") == ["de", "en", "ja"]
    assert web.accept_language("de;q=0, fr;Q=1.0, it;q=2") == ["fr"]
    assert web.accept_language(None) == []


def order_confirmation_for_the_customer(run: Any, outbox: Any) -> Any:
    stock_the_shop(run)
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    payload.pop("customer_locale", None)  # the order says nothing: the profile decides
    run("OrderConfirmationFunction", event)
    return outbox.messages[-1]


def test_the_language_chosen_on_the_preference_page_is_kept_and_used_for_the_next_email(
    run: Any, outbox: Any
) -> None:
    customer_speaks("en-US")
    preferences = token(PREFERENCES_PURPOSE)

    saved = run(
        "PreferencesFunction",
        url_request(
            "/preferences",
            method="POST",
            form={"t": preferences, "topic": ["newsletter"], "language": "ja", "action": "save"},
        ),
    )

    assert_page_in("ja", saved, "saved", "saved_detail")
    profile = aws.table("ProfilesTable").get_item(Key={"email": CUSTOMER})["Item"]
    assert profile["locale"] == "ja" and profile["locale_chosen"] is True
    assert profile["consent"]["newsletter"]["state"] == "subscribed"
    again = run("PreferencesFunction", url_request("/preferences", {"t": preferences}))
    assert_page_in("ja", again, "preferences_heading")
    message = order_confirmation_for_the_customer(run, outbox)
    assert message["Subject"] == copy.packaged("order_confirmation", "ja")["subject"].format(
        number="#1001"
    )


def test_shopifys_locale_no_longer_overrides_a_chosen_language() -> None:
    update = CustomerUpdated(customer_id="7001", email=CUSTOMER, locale="en", updated_at=NOW)
    chosen = profiles.choose_language(Profile(email=CUSTOMER, locale="en-US"), "ja")
    assert chosen.locale == "ja"

    assert profiles.apply_customer(chosen, update).locale == "ja"
    assert profiles.apply_customer(Profile(email=CUSTOMER, locale="ja"), update).locale == "en"


def test_choosing_the_language_one_already_reads_keeps_the_region(run: Any) -> None:
    customer_speaks("de-AT")

    run(
        "PreferencesFunction",
        url_request(
            "/preferences",
            method="POST",
            form={"t": token(PREFERENCES_PURPOSE), "language": "de", "action": "save"},
        ),
    )

    profile = aws.table("ProfilesTable").get_item(Key={"email": CUSTOMER})["Item"]
    assert profile["locale"] == "de-AT" and not profile.get("locale_chosen")


def test_an_unknown_language_choice_changes_nothing(run: Any) -> None:
    customer_speaks("fr")

    refused = run(
        "PreferencesFunction",
        url_request(
            "/preferences",
            method="POST",
            form={"t": token(PREFERENCES_PURPOSE), "language": "pl", "topic": ["offers"]},
        ),
    )

    assert refused["statusCode"] == 400
    assert_page_in("fr", refused, "unknown_choice_title")
    profile = aws.table("ProfilesTable").get_item(Key={"email": CUSTOMER})["Item"]
    assert profile["locale"] == "fr" and "consent" not in profile


@pytest.mark.parametrize("lang", ["de", "ja"])
def test_a_private_sale_link_too_early_names_the_opening_in_the_browsers_language(
    run: Any, lang: str
) -> None:
    from tailor.emails.private_sale import PRIVATE_SALE_PURPOSE

    opens = NOW + timedelta(hours=2)
    sale = signer_from_secret("LinkSigningSecret").sign(
        PRIVATE_SALE_PURPOSE,
        {"s": "wishlist", "p": "1", "v": "1", "nb": int(opens.timestamp())},
        NOW + timedelta(days=3),
    )

    page = run("PrivateSaleLinkFunction", browsing(url_request("/", {"t": sale}), lang))

    assert page["statusCode"] == 425
    when = i18n.day_and_time(opens, ZoneInfo("UTC"), lang)
    assert_page_in(lang, page, "sale_not_started_title", "sale_not_started_message", opens=when)


def test_a_merchants_override_of_page_copy_shows_on_the_page(run: Any, cloud: Template) -> None:
    aws.client("s3").put_object(
        Bucket=cloud.physical_name("MailBucket"),
        Key="copy/pages/de.json",
        Body=json.dumps({"preferences_heading": "Ihre Post von uns"}).encode(),
    )
    customer_speaks("de")

    page = run(
        "PreferencesFunction", url_request("/preferences", {"t": token(PREFERENCES_PURPOSE)})
    )

    assert "<h1>Ihre Post von uns</h1>" in page["body"]


@pytest.mark.parametrize(("profile", "lang"), [("ja-JP", "ja"), (None, "de")])
def test_an_ended_offer_speaks_the_customers_language_else_the_browsers(
    run: Any, profile: str | None, lang: str
) -> None:
    customer_speaks(profile)
    ended = signer_from_secret("LinkSigningSecret").sign(
        OFFER_PURPOSE, {"o": "1001", "p": "1", "e": CUSTOMER}, NOW - timedelta(minutes=1)
    )

    page = run("OfferRedirectFunction", browsing(url_request("/", {"t": ended}), "de-DE"))

    assert page["statusCode"] == 410
    assert_page_in(lang, page, "offer_ended_title", "offer_ended_message")
