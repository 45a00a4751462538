"""Back in stock: exactly the size that came back, first come first served, in waves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tailor_local.template import Template

from tests.helpers.alerts_shop import MIDDAY, SIZE, Shop, open_shop, recipients
from tests.helpers.mail import html_part, text_part


@pytest.fixture
def shop(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Shop:
    shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    return shop


def test_a_size_12_restock_emails_only_the_size_12_subscribers(shop: Shop, outbox: Any) -> None:
    shop.customer("alex@example.com", shoes="12", first_name="Alex")
    shop.back_in_stock("alex@example.com", "12")
    shop.back_in_stock("guest12@example.net", "12", minutes=5)  # a guest: email only
    shop.back_in_stock("susie@example.com", "13")

    shop.oxford({"11": 4, "12": 3, "13": 0})

    assert recipients(outbox) == ["alex@example.com", "guest12@example.net"]
    alex = next(m for m in outbox.messages if "alex" in str(m["To"]))
    assert alex["Subject"] == "Back in stock: Classic Oxford in size 12, only 3 left"
    html, text = html_part(alex), text_part(alex)
    assert "It's back, Alex!" in html
    assert "Only 3 left in your size." in text
    assert f"https://shop.example.com/cart/{SIZE['12']}:1" in html
    assert alex["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The subscriptions told are closed; Susie's size 13 still waits.
    assert shop.waiting() == [f"susie@example.com#{SIZE['13']}"]


def test_nothing_else_wakes_anyone(shop: Shop, outbox: Any) -> None:
    shop.back_in_stock("alex@example.com", "12")

    shop.oxford({"11": 3, "12": 0, "13": 0})  # another size sold one
    shop.oxford({"11": 3, "12": 0, "13": 0}, price="198.00")  # a tiny price change
    shop.oxford({"11": 5, "12": 0, "13": 0})  # more of a size that was in stock

    assert outbox.messages == []


def test_waves_tell_stock_times_factor_first_come_first_served(
    shop: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(7):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)

    shop.oxford({"11": 4, "12": 2, "13": 0})  # 2 in stock x factor 2: a wave of 4

    assert recipients(outbox) == [f"fan{n}@example.com" for n in range(4)]
    assert len(shop.waiting()) == 3

    # Half an hour later the next wave looks at the stock again: one left, two told.
    shop.oxford({"11": 4, "12": 1, "13": 0})
    later = MIDDAY + timedelta(minutes=31)
    shop.at(later, monkeypatch)
    shop.fire_schedules(later)

    assert recipients(outbox) == [f"fan{n}@example.com" for n in range(6)]
    assert shop.waiting() == [f"fan6@example.com#{SIZE['12']}"]


def test_the_next_wave_stops_when_the_size_sold_out_again(
    shop: Shop, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(3):
        shop.back_in_stock(f"fan{number}@example.com", "12", minutes=number)
    shop.oxford({"11": 4, "12": 1, "13": 0})  # a wave of 2
    assert len(outbox.messages) == 2

    shop.oxford({"11": 4, "12": 0, "13": 0})  # the fans bought it
    later = MIDDAY + timedelta(minutes=31)
    shop.at(later, monkeypatch)
    reports = shop.fire_schedules(later)

    assert len(outbox.messages) == 2
    assert shop.waiting() == [f"fan2@example.com#{SIZE['12']}"]  # waits for the next restock
    assert reports and all(report.ok for report in reports)


def test_a_duplicate_request_keeps_its_place_and_gets_one_email(shop: Shop, outbox: Any) -> None:
    shop.back_in_stock("alex@example.com", "12")
    shop.back_in_stock("alex@example.com", "12")
    shop.back_in_stock("ALEX@example.com", "12", minutes=30)

    shop.oxford({"11": 4, "12": 5, "13": 0})

    assert recipients(outbox) == ["alex@example.com"]


def test_the_email_speaks_the_customers_language(shop: Shop, outbox: Any) -> None:
    shop.customer("jonas@example.de", shoes="12", first_name="Jonas", locale="de-DE")
    shop.back_in_stock("jonas@example.de", "12")

    shop.oxford({"11": 4, "12": 9, "13": 0})

    message = outbox.only()
    assert message["Subject"] == "Wieder da: Classic Oxford in Größe 12"
    html = html_part(message)
    assert "Es ist wieder da, Jonas!" in html and "199,00" in html
    assert 'lang="de"' in html
