"""The order confirmation and back-in-stock emails in each of the eight languages: every
word from that language's copy file, money and dates as that language writes them, a text
part written as text, and merchants' copy overrides from the mail bucket."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from tailor import aws, copy
from tailor_local.template import Template

from tests.helpers.alerts_shop import SIZE, Shop, open_shop
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part
from tests.helpers.orders import stock_the_shop


@pytest.fixture(autouse=True)
def fresh_overrides() -> Iterator[None]:
    """Overrides are cached per container for a minute; each test starts and ends without."""
    copy.clear_cache()
    yield
    copy.clear_cache()


def words(email_type: str, lang: str) -> dict[str, str]:
    return {**copy.packaged("common", lang), **copy.packaged(email_type, lang)}


def assert_written_as_text(text: str) -> None:
    assert "<" not in text and "**" not in text and "[" not in text and "](" not in text
    for line in text.splitlines():
        if "http" in line:
            assert re.fullmatch(r"https?://\S+", line.strip()), f"URL not on its own line: {line!r}"


def confirmation_in(run: Any, outbox: Any, lang: str) -> Any:
    stock_the_shop(run)
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"]["customer_locale"] = lang
    run("OrderConfirmationFunction", event)
    return outbox.only()


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_order_confirmation_is_entirely_in_the_customers_language(
    run: Any, outbox: Any, lang: str
) -> None:
    message = confirmation_in(run, outbox, lang)

    expected = words("order_confirmation", lang)
    html, text = html_part(message), text_part(message).replace("\xa0", " ")
    assert message["Subject"] == expected["subject"].format(number="#1001")
    assert f'lang="{lang}"' in html
    assert expected["preheader"] in html.replace("&#39;", "'")
    assert expected["heading_new_named"].format(first_name="Alex") in text
    assert f"{expected['total']} … " in text and f"{expected['subtotal']} … " in text
    total = format_currency(Decimal("238.16"), "USD", locale=lang).replace("\xa0", " ")
    placed = format_date(date(2026, 11, 20), "long", locale=lang)
    assert total in text and placed in text
    assert "1 × Classic Oxford" in text
    assert_written_as_text(text)


def test_a_canadian_french_order_reads_french_with_canadian_money(run: Any, outbox: Any) -> None:
    message = confirmation_in(run, outbox, "fr-CA")

    text = text_part(message).replace("\xa0", " ").replace("\u202f", " ")
    assert message["Subject"] == "Commande #1001 confirmée"
    assert "238,16 $ US" in text  # fr_CA writes US dollars so


def test_an_unwritten_language_falls_back_to_the_shops_default_then_english(
    run: Any, outbox: Any
) -> None:
    message = confirmation_in(run, outbox, "pl-PL")  # DefaultLocale is en in the local shop

    assert message["Subject"] == "Order #1001 is confirmed"
    assert 'lang="en"' in html_part(message)


def put_override(cloud: Template, lang: str, mapping: dict[str, str]) -> None:
    """What a merchant uploads: the changed keys of one language's order confirmation."""
    aws.client("s3").put_object(
        Bucket=cloud.physical_name("MailBucket"),
        Key=f"copy/order_confirmation/{lang}.json",
        Body=json.dumps(mapping).encode(),
    )


def test_a_merchants_override_in_the_mail_bucket_changes_the_subject(
    run: Any, outbox: Any, cloud: Template
) -> None:
    put_override(cloud, "de", {"subject": "Danke! Bestellung {number} ist bei uns"})

    message = confirmation_in(run, outbox, "de-DE")

    assert message["Subject"] == "Danke! Bestellung #1001 ist bei uns"
    assert "Vielen Dank für Ihre erste Bestellung, Alex!" in text_part(message)


def test_an_invalid_override_is_ignored_and_the_packaged_copy_used(
    run: Any, outbox: Any, cloud: Template, caplog: pytest.LogCaptureFixture
) -> None:
    put_override(cloud, "en", {"subject": "Order {nummer} is in"})  # a misspelt placeholder

    message = confirmation_in(run, outbox, "en")

    assert message["Subject"] == "Order #1001 is confirmed"
    warnings = [r for r in caplog.records if r.getMessage() == "copy override ignored"]
    assert warnings and "'subject'" in warnings[0].__dict__["error"]


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    return shop


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_back_in_stock_in_each_language_with_a_lawful_marketing_footer(
    shop: Shop, outbox: Any, lang: str
) -> None:
    shop.customer("alex@example.com", shoes="12", first_name="Alex", locale=lang)
    shop.back_in_stock("alex@example.com", "12")

    shop.oxford({"11": 4, "12": 3, "13": 0}, price="159.00", compare_at="199.00")

    message = outbox.only()
    expected = words("back_in_stock", lang)
    html, text = html_part(message), text_part(message).replace("\xa0", " ")
    assert message["Subject"] == expected["subject_left_size_other"].format(
        title="Classic Oxford", size="12", count=3
    )
    assert expected["preheader_left_other"].format(count=3) in html.replace("&#39;", "'")
    assert expected["heading_named"].format(first_name="Alex") in text
    now = format_currency(Decimal("159"), "USD", locale=lang).replace("\xa0", " ")
    was = format_currency(Decimal("199"), "USD", locale=lang).replace("\xa0", " ")
    assert expected["was_now"].format(was=was, now=now) in text
    assert f"/cart/{SIZE['12']}:1" in text
    # Marketing mail: the postal address, and unsubscribe and preferences in its language.
    assert "120 E 4th St, Tulsa, OK 74103, USA" in html and "120 E 4th St" in text
    assert f"{expected['unsubscribe']}:\n" in text.replace("\r\n", "\n")
    assert "/unsubscribe?t=" in text and "/preferences?t=" in text
    assert "/unsubscribe?t=" in html
    assert_written_as_text(text)
