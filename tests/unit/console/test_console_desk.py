"""The desk in the console: the inbox's order and filters, the ticket page, the reply box."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tailor import aws

from tests.helpers.console import ORIGIN, STAFF, call, csrf, sign_in
from tests.helpers.events import load_event
from tests.helpers.mail import Outbox
from tests.helpers.support_desk import compose, deliver_mail, eml

DANA = (
    "Hi, my parcel has not arrived yet and the tracking page is blank.\n\n"
    "On Sun, 22 Nov 2026, Oklahoma Outfitters wrote:\n"
    "> Thanks for your order! We will let you know when it ships.\n"
)


@pytest.fixture
def desk(run: Any, outbox: Outbox, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """Monday: Susie's order #7001 shipped with FedEx; at 15:10 UTC she writes (T-1001),
    at 15:20 Dana asks where her parcel is (T-1002). At 16:00 Maria signs in."""
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T15:00:00+00:00")
    order = load_event("canonical/order-placed.json")
    for function in ("PurchaseHistoryFunction", "SupportOrderIndexFunction"):
        run(function, order)
    run("AftercareRecorderFunction", order)
    run("ShippingConfirmationFunction", load_event("canonical/order-shipped.json"))
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T15:10:04+00:00")
    deliver_mail(run, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T15:20:00+00:00")
    dana = compose(
        DANA,
        subject="Where is my parcel?",
        sender="Dana Lee <dana@example.com>",
        message_id="<dana.1@mail.example.com>",
    )
    deliver_mail(run, dana, "dana-0001", at="2026-11-23T15:20:00+00:00", source="dana@example.com")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:00:00+00:00")
    return run, sign_in(run, outbox)


def listed(run: Any, cookie: str, query: str = "") -> list[str]:
    page = call(run, "GET", f"/console/{query}", cookie=cookie)
    assert page["statusCode"] == 200
    return re.findall(r'<span class="id">(T-\d+)</span>', page["body"])


def post(run: Any, cookie: str, path: str, form: dict[str, str]) -> dict[str, Any]:
    token = csrf(call(run, "GET", "/console/tickets/T-1001", cookie=cookie))
    return call(run, "POST", path, {**form, "csrf": token}, cookie=cookie, origin=ORIGIN)


def test_the_inbox_lists_the_ticket_due_soonest_first(desk: tuple[Any, str]) -> None:
    run, cookie = desk
    assert listed(run, cookie) == ["T-1001", "T-1002"]
    # Solved, then reopened at 16:00: Susie's next reply is due 8 business hours on.
    post(run, cookie, "/console/tickets/T-1001/status", {"status": "solved"})
    assert listed(run, cookie) == ["T-1002"]
    assert listed(run, cookie, "?status=solved") == ["T-1001"]
    post(run, cookie, "/console/tickets/T-1001/status", {"status": "waiting_on_us"})

    assert listed(run, cookie) == ["T-1002", "T-1001"]
    stored = aws.table("TicketsTable").get_item(Key={"pk": "TICKET#T-1001", "sk": "TICKET"})
    assert stored["Item"]["due_at"] == "2026-11-24T16:00:00Z"


def test_the_inbox_filters_by_assignee_intent_and_overdue(
    desk: tuple[Any, str], outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, cookie = desk
    assigned = post(run, cookie, "/console/tickets/T-1002/assign", {"agent": "Maria"})
    assert assigned["statusCode"] == 303

    assert listed(run, cookie, "?assigned=me") == ["T-1002"]
    assert listed(run, cookie, "?assigned=nobody") == ["T-1001"]
    assert listed(run, cookie, "?intent=return") == ["T-1001"]
    assert listed(run, cookie, "?overdue=1") == []
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T19:15:00+00:00")  # Susie's 4 hours are up
    cookie = sign_in(run, outbox)
    assert listed(run, cookie, "?overdue=1") == ["T-1001"]
    trail = [i for i in aws.table("ConsoleTable").scan()["Items"] if i["pk"].startswith("AUDIT#")]
    assert (STAFF, "assigned", "T-1002", "Maria") in [
        (i["actor"], i["action"], i.get("ticket_id"), i.get("agent")) for i in trail
    ]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("#7001", ["T-1001"]),  # order number, as customers write it
        ("7001", ["T-1001"]),
        ("dana@example.com", ["T-1002"]),  # customer address
        ("Susie", ["T-1001"]),  # customer name
        ("parcel", ["T-1002"]),  # subject
        ("colour swap", ["T-1001"]),  # words of her message
        ("refund", []),
    ],
)
def test_the_inbox_search_finds_customer_order_number_and_words(
    desk: tuple[Any, str], search: str, found: list[str]
) -> None:
    run, cookie = desk
    assert listed(run, cookie, "?" + f"q={search}".replace("#", "%23").replace(" ", "+")) == found


def test_the_ticket_page_shows_thread_customer_and_order_with_shipments(
    desk: tuple[Any, str],
) -> None:
    run, cookie = desk
    susie = call(run, "GET", "/console/tickets/T-1001", cookie=cookie)["body"]
    dana = call(run, "GET", "/console/tickets/T-1002", cookie=cookie)["body"]

    assert "the shoes don&#39;t match my dress at all" in susie
    assert "Order #7001" in susie and "FedEx · tracking 794612345678" in susie
    # Her mail, then the desk's automatic answer stamped the same second.
    assert susie.index("From susie@example.com") < susie.index("Acknowledgement by desk")
    assert "<dt>Language</dt><dd>en-US</dd>" in susie and "<dt>Consent</dt>" in susie
    assert re.search(r"<h3>Orders</h3>\s*<ul><li>#7001 · 20 Nov 2026 · \$139.32</li>", susie)
    assert "1 \N{MULTIPLICATION SIGN} Classic Oxford (13)" in susie
    # Dana's quoted text is folded away under her new words.
    assert re.search(r"<details><summary>Quoted text</summary>.*Thanks for your order", dana, re.S)
    assert "No profile" in dana and "No order linked" in dana


def test_the_reply_box_starts_from_the_response_filled_from_her_order(
    desk: tuple[Any, str],
) -> None:
    run, cookie = desk
    page = call(run, "GET", "/console/tickets/T-1001?canned=exchanges", cookie=cookie)["body"]

    response = re.search(r'<textarea id="response"[^>]*>(.*?)</textarea>', page, re.S)
    assert response and "#7001" in response.group(1)
    assert '<option value="exchanges" selected>' in page


def test_a_reply_with_a_prompt_left_in_it_is_not_sent(desk: tuple[Any, str]) -> None:
    run, cookie = desk
    form = {"response": "Your tracking number is [add tracking number].", "status": "solved"}

    previewed = post(run, cookie, "/console/tickets/T-1001/preview", form)
    sent = post(run, cookie, "/console/tickets/T-1001/send", form)

    for answer in (previewed, sent):
        assert answer["statusCode"] == 422
        assert "Fill in or remove “[add tracking number]”" in answer["body"]
    trail = [i["action"] for i in aws.table("ConsoleTable").scan()["Items"] if "action" in i]
    assert "reply sent" not in trail


def test_the_preview_renders_the_support_reply_with_her_thread(desk: tuple[Any, str]) -> None:
    run, cookie = desk
    form = {"own_words": "Sorry about that!", "response": "Send them back.", "status": "solved"}

    page = post(run, cookie, "/console/tickets/T-1001/preview", form)["body"]

    assert '<dd id="preview-subject">Re: The shoes don&#39;t match my dress [T-1001]</dd>' in page
    text = re.search(r'<pre id="preview-text">(.*?)</pre>', page, re.S)
    assert text and text.group(1).index("Sorry about that!") < text.group(1).index("Send them")
    frame = call(run, "GET", "/console/tickets/T-1001/draft", cookie=cookie)
    assert "Sorry about that!" in frame["body"]
    assert "sandbox" in frame["headers"]["Content-Security-Policy"]
