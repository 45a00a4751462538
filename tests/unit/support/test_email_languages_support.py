"""The support desk's emails in each of the eight languages: Susie's acknowledgement and
the agent's reply in her language (her order's locale, as the desk has always chosen it),
with the canned response in that language too, and the lead's SLA digest in the shop's."""

from __future__ import annotations

import html as html_entities
from datetime import date
from typing import Any

import pytest
from babel.dates import format_date, format_timedelta
from tailor import copy
from tailor.support.canned import packaged
from tailor_local.invoke import invoke

from tests.helpers.events import load_event
from tests.helpers.mail import html_part, text_part
from tests.helpers.support_desk import MONDAY, compose, deliver_mail, eml
from tests.unit.test_email_languages import assert_written_as_text

SCHEDULED = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"}


def words(email_type: str, lang: str) -> dict[str, str]:
    return {**copy.packaged("common", lang), **copy.packaged(email_type, lang)}


def plain(text: str) -> str:
    text = html_entities.unescape(text).replace("\r\n", "\n")
    return text.replace("\xa0", " ").replace("\u202f", " ")


def first_static_line(canned_id: str, lang: str, paragraph: int) -> str:
    """A line of the packaged response with no field in it, as the customer reads it."""
    return packaged(lang)[canned_id].source.split("\n\n")[paragraph].splitlines()[0]


@pytest.fixture
def susie_in(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Susie's order #7001 placed in `lang`; then her mail about it reaches the desk."""

    def write(lang: str) -> Any:
        monkeypatch.setenv("TAILOR_NOW", MONDAY)
        order = load_event("canonical/order-placed.json")
        order["detail"]["locale"] = lang
        run("PurchaseHistoryFunction", order)
        run("SupportOrderIndexFunction", order)
        deliver_mail(run, eml("susie-shoes.eml"), "susie-shoes-0001")
        return run

    return write


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_the_acknowledgement_and_its_response_are_in_susies_language(
    susie_in: Any, outbox: Any, lang: str
) -> None:
    susie_in(lang)

    message = outbox.only()
    expected = words("support_acknowledgement", lang)
    html, text = plain(html_part(message)), plain(text_part(message))
    due_day = format_date(date(2026, 11, 23), "long", locale=lang)
    assert message["Subject"] == "Re: The shoes don't match my dress [T-1001]"  # the thread's
    assert f'lang="{lang}"' in html
    assert expected["preheader_due"].split("{due}")[0] in html and due_day in html
    assert expected["heading_named"].format(first_name="Susie") in text
    assert expected["request_number_order"].format(ticket="T-1001", order="#7001") in text
    assert expected["response_heading"] in text
    assert first_static_line("returns", lang, 1) in text  # "To exchange it for another size"
    assert expected["footer_reason"].format(shop="Oklahoma Outfitters") in text
    assert "[add" not in text
    assert_written_as_text(text)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_the_agents_reply_with_a_canned_response_is_in_susies_language(
    susie_in: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    shop = susie_in(lang)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:02:00+00:00")
    event = load_event("support/ticket-reply-requested.json")
    event["detail"]["text"] = "https://shop.example.com/burgundy"

    result = shop("SupportReplyFunction", event)

    assert result["status"] == "sent"
    reply = outbox.messages[-1]
    expected = words("support_reply", lang)
    html, text = plain(html_part(reply)), plain(text_part(reply))
    assert reply["Subject"] == "Re: The shoes don't match my dress [T-1001]"
    assert f'lang="{lang}"' in html
    assert expected["preheader"].format(agent="Maria", ticket="T-1001") in html
    assert expected["greeting_named"].format(first_name="Susie") in text
    assert first_static_line("exchanges", lang, 1) in text  # step 1 of the exchange
    assert f"{expected['sign_off']}\nMaria\nOklahoma Outfitters" in text
    wrote = format_date(date(2026, 11, 23), "long", locale=lang)
    assert expected["quoted_intro"].format(date=wrote) in text
    assert '<a href="https://shop.example.com/burgundy"' in html
    assert_written_as_text(text)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_the_sla_digest_is_in_the_shops_language_and_stacks_on_a_phone(
    susie_in: Any, cloud: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    susie_in("en")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:15:00+00:00")  # 13:15 Chicago

    invoke(cloud.function("SupportWatchdogFunction"), SCHEDULED, extra_env={"DEFAULT_LOCALE": lang})

    digest = outbox.messages[-1]
    expected = words("support_sla_digest", lang)
    html, text = plain(html_part(digest)), plain(text_part(digest))
    waited = plain(format_timedelta(4 * 3600, threshold=1.5, locale=lang))
    assert digest["Subject"] == expected["subject"].format(overdue=1, at_risk=0)
    assert f'lang="{lang}"' in html
    assert expected["heading"].format(overdue=1, at_risk=0, minutes=60) in text
    assert expected["overdue_heading"] in text
    assert expected["ticket_new"].format(number="T-1001") in text
    assert expected["intent_return_label"] in text
    assert f"{expected['customer']}: Susie Oklahoma <susie@example.com>" in text
    assert f"{expected['waiting_since']}: " in text and waited in text
    assert "<table" not in html.split("<body")[1].split("T-1001")[1].split("</div>")[0]
    assert_written_as_text(text.replace("<susie@example.com>", ""))


def test_a_regional_locale_is_answered_in_its_language(susie_in: Any, outbox: Any) -> None:
    susie_in("fr-CA")

    text = plain(text_part(outbox.only()))
    heading = words("support_acknowledgement", "fr")["heading_named"]
    assert heading.format(first_name="Susie") in text
    assert first_static_line("returns", "fr", 1) in text


def test_a_sender_the_desk_knows_nothing_of_is_answered_in_the_shops_language(
    cloud: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No profile, no order, so no locale: the shop's DefaultLocale, for the email and the
    response in it alike."""
    monkeypatch.setenv("TAILOR_NOW", MONDAY)
    dana = compose(
        "Hallo, kann ich meine Schuhe zurückschicken?",
        subject="Rücksendung",
        sender="Dana Lee <dana@example.com>",
        message_id="<dana.1@mail.example.com>",
    )

    def run(function: str, event: Any) -> Any:
        return invoke(cloud.function(function), event, extra_env={"DEFAULT_LOCALE": "de-AT"})

    deliver_mail(run, dana, "dana-0001", source="dana@example.com")

    expected = words("support_acknowledgement", "de")
    text = plain(text_part(outbox.only()))
    assert expected["heading_named"].format(first_name="Dana") in text
    assert expected["response_heading"] in text
    general = packaged("de")["general"].source
    assert general.split("{% else %}")[1].split(" (")[0] in text  # "Falls es um eine ..."


@pytest.mark.parametrize(("lang", "named"), [("de", "Ihre Nachricht"), ("ja", "お問い合わせ")])
def test_a_message_without_a_subject_is_named_in_the_customers_language(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, lang: str, named: str
) -> None:
    monkeypatch.setenv("TAILOR_NOW", MONDAY)
    order = load_event("canonical/order-placed.json")
    order["detail"]["locale"] = lang
    run("PurchaseHistoryFunction", order)
    run("SupportOrderIndexFunction", order)
    deliver_mail(run, compose("Where is my order #7001?", subject=""), "no-subject-0001")

    assert outbox.only()["Subject"] == f"Re: {named} [T-1001]"
