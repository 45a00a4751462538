"""Staff sign-in: single-use mailed links, sessions, CSRF tokens; every failure gets nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tailor import aws

from tests.helpers.console import ORIGIN, STAFF, call, csrf, mailed_token, sign_in
from tests.helpers.mail import Outbox
from tests.helpers.support_desk import deliver_mail, eml


@pytest.fixture
def desk(run: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Susie's ticket T-1001 is open (Monday morning)."""
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T15:10:04+00:00")
    deliver_mail(run, eml("susie-shoes.eml"), "susie-shoes-0001")
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:00:00+00:00")
    return run


def test_a_staff_address_gets_a_single_use_link_that_opens_a_session(
    desk: Any, outbox: Outbox
) -> None:
    before = len(outbox.messages)
    asked = call(desk, "POST", "/console/sign-in", {"email": STAFF}, origin=ORIGIN)
    mail = outbox.messages[before]
    assert mail["To"] == STAFF and "Sign in" in mail["Subject"]
    token = mailed_token(outbox)
    assert token not in str(aws.table("ConsoleTable").scan()["Items"])  # only its digest

    landing = call(desk, "GET", f"/console/sign-in/link?token={token}")
    assert 'method="post"' in landing["body"] and "cookies" not in landing

    answer = call(desk, "POST", "/console/sign-in/link", {"token": token}, origin=ORIGIN)
    cookie = answer["cookies"][0]
    assert answer["statusCode"] == 303 and answer["headers"]["Location"] == "/console/"
    assert cookie.startswith("__Host-tailor-console=")
    assert {"Path=/", "Secure", "HttpOnly", "SameSite=Strict"} <= {
        part.strip() for part in cookie.split(";")
    }
    inbox = call(desk, "GET", "/console/", cookie=cookie.split(";")[0])
    assert inbox["statusCode"] == 200 and "T-1001" in inbox["body"]
    assert asked["statusCode"] == 200


def test_a_replayed_link_gets_nothing(desk: Any, outbox: Outbox) -> None:
    call(desk, "POST", "/console/sign-in", {"email": STAFF})
    token = mailed_token(outbox)
    first = call(desk, "POST", "/console/sign-in/link", {"token": token})

    again = call(desk, "POST", "/console/sign-in/link", {"token": token})

    assert first["statusCode"] == 303
    assert again["statusCode"] == 400 and "cookies" not in again
    assert "expired or was used already" in again["body"]
    trail = [i["action"] for i in aws.table("ConsoleTable").scan()["Items"] if "action" in i]
    assert trail.count("signed in") == 1 and "sign-in link refused" in trail


def test_an_expired_link_gets_nothing(
    desk: Any, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    call(desk, "POST", "/console/sign-in", {"email": STAFF})
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:15:01+00:00")  # 15 minutes and a second

    late = call(desk, "POST", "/console/sign-in/link", {"token": mailed_token(outbox)})

    assert late["statusCode"] == 400 and "cookies" not in late


def test_a_non_staff_address_gets_the_same_answer_and_no_mail(desk: Any, outbox: Outbox) -> None:
    before = len(outbox.messages)
    stranger = call(desk, "POST", "/console/sign-in", {"email": "susie@example.com"})
    assert len(outbox.messages) == before
    staff = call(desk, "POST", "/console/sign-in", {"email": STAFF})

    assert len(outbox.messages) == before + 1
    assert stranger["statusCode"] == staff["statusCode"] == 200
    assert stranger["body"] == staff["body"]
    links = [i for i in aws.table("ConsoleTable").scan()["Items"] if i["sk"] == "LINK"]
    assert [i["email"] for i in links] == [STAFF]


@pytest.mark.parametrize(
    "cookie",
    [None, "__Host-tailor-console=forged-session-value", "tailor-console=forged"],
)
def test_anonymous_or_forged_sessions_get_the_sign_in_page_never_data(
    desk: Any, cookie: str | None
) -> None:
    for path in ("/console/", "/console/tickets/T-1001", "/console/tickets/T-1001/draft"):
        page = call(desk, "GET", path, cookie=cookie)
        assert page["statusCode"] == 401
        assert 'action="/console/sign-in"' in page["body"]
        assert "susie" not in page["body"].lower() and "T-1001" not in page["body"]

    note = call(desk, "POST", "/console/tickets/T-1001/notes", {"note": "x"}, cookie=cookie)
    assert note["statusCode"] == 401
    assert not [i for i in aws.table("ConsoleTable").scan()["Items"] if "NOTES" in i["pk"]]


def test_an_idle_session_expires(
    desk: Any, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = sign_in(desk, outbox)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:29:00+00:00")
    assert call(desk, "GET", "/console/", cookie=cookie)["statusCode"] == 200
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:59:30+00:00")  # 30.5 idle minutes

    assert call(desk, "GET", "/console/", cookie=cookie)["statusCode"] == 401


def test_a_busy_session_still_ends_after_twelve_hours(
    desk: Any, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = sign_in(desk, outbox)  # at 16:00
    signed_in = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    for minutes in range(20, 12 * 60, 20):  # a page every 20 minutes: never idle
        monkeypatch.setenv("TAILOR_NOW", (signed_in + timedelta(minutes=minutes)).isoformat())
        assert call(desk, "GET", "/console/", cookie=cookie)["statusCode"] == 200
    monkeypatch.setenv("TAILOR_NOW", (signed_in + timedelta(hours=12)).isoformat())

    assert call(desk, "GET", "/console/", cookie=cookie)["statusCode"] == 401


@pytest.mark.parametrize("token", [None, "", "not-the-session-token"])
def test_a_form_without_the_sessions_csrf_token_changes_nothing(
    desk: Any, outbox: Outbox, token: str | None
) -> None:
    cookie = sign_in(desk, outbox)
    form = {"note": "Customer called, wants a refund"}
    if token is not None:
        form["csrf"] = token

    refused = call(desk, "POST", "/console/tickets/T-1001/notes", form, cookie=cookie)

    assert refused["statusCode"] == 403
    page = call(desk, "GET", "/console/tickets/T-1001", cookie=cookie)
    assert "wants a refund" not in page["body"]
    trail = [i["action"] for i in aws.table("ConsoleTable").scan()["Items"] if "action" in i]
    assert "note added" not in trail and "form refused: CSRF token missing or wrong" in trail


def test_a_note_with_the_token_is_kept_and_audited(desk: Any, outbox: Outbox) -> None:
    cookie = sign_in(desk, outbox)
    page = call(desk, "GET", "/console/tickets/T-1001", cookie=cookie)
    form = {"note": "Customer called, wants a refund", "csrf": csrf(page)}

    added = call(desk, "POST", "/console/tickets/T-1001/notes", form, cookie=cookie, origin=ORIGIN)

    assert added["statusCode"] == 303
    page = call(desk, "GET", "/console/tickets/T-1001", cookie=cookie)
    assert "Customer called, wants a refund" in page["body"]
    trail = [i for i in aws.table("ConsoleTable").scan()["Items"] if i["pk"].startswith("AUDIT#")]
    actions = [(i["actor"], i["action"], i.get("ticket_id")) for i in trail]
    assert (STAFF, "note added", "T-1001") in actions
    assert (STAFF, "signed in", None) in actions


def test_a_post_from_another_site_is_refused(desk: Any, outbox: Outbox) -> None:
    cookie = sign_in(desk, outbox)
    page = call(desk, "GET", "/console/tickets/T-1001", cookie=cookie)
    form = {"status": "solved", "csrf": csrf(page)}

    refused = call(
        desk,
        "POST",
        "/console/tickets/T-1001/status",
        form,
        cookie=cookie,
        origin="https://evil.example",
    )

    assert refused["statusCode"] == 403
    assert (
        aws.table("TicketsTable").get_item(Key={"pk": "TICKET#T-1001", "sk": "TICKET"})["Item"][
            "status"
        ]
        == "new"
    )


def test_every_page_forbids_script_framing_and_caching(desk: Any, outbox: Outbox) -> None:
    cookie = sign_in(desk, outbox)
    for page in (
        call(desk, "GET", "/console/sign-in"),
        call(desk, "GET", "/console/", cookie=cookie),
        call(desk, "GET", "/console/tickets/T-1001", cookie=cookie),
    ):
        headers = page["headers"]
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src" not in policy and "unsafe-inline" not in policy
        assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
        assert "<script" not in page["body"] and "style=" not in page["body"]


def test_an_address_gets_at_most_five_links_an_hour(desk: Any, outbox: Outbox) -> None:
    before = len(outbox.messages)
    answers = [call(desk, "POST", "/console/sign-in", {"email": STAFF}) for _ in range(7)]

    assert len(outbox.messages) == before + 5
    assert len({answer["body"] for answer in answers}) == 1
