"""The Results page: each email type's numbers, per language, over the last 7, 30 or 90 days,
as `tailor report` counts them, and the same numbers as CSV; staff only."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from tailor.attribution.holdout import EXPOSED, HOLDOUT, join
from tailor.attribution.report import report
from tailor.attribution.store import Results
from tailor.i18n import money
from tailor_local.template import Template

from tests.helpers.console import call, sign_in
from tests.helpers.mail import Outbox
from tests.helpers.support_desk import LEAD

NOW = "2026-11-23T16:00:00+00:00"
FORMULA = "=HYPERLINK(1)"


@pytest.fixture(scope="module")
def template() -> Template:
    """The console's shop, selling in euros."""
    return Template(
        parameters={
            "ReceivingDomain": "shop.example.com",
            "SupportLeadAddress": LEAD,
            "StaffAddresses": "maria@shop.example.com",
            "ShopCurrency": "EUR",
        }
    )


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def results(cloud: Template, monkeypatch: pytest.MonkeyPatch) -> Results:
    """Counters as the senders, SES feedback and attribution keep them: order confirmations
    in English and German this week and in English in October; review requests this week,
    with a holdout of 3 customers beside 2 who received them."""
    monkeypatch.setenv("TAILOR_NOW", NOW)
    found = Results(cloud.physical_name("ResultsTable"))
    found.count(
        "order_confirmation", "en", at("2026-11-20"), sent=10, delivered=9, bounced=1,
        clicked=3, orders=2, revenue=Decimal("123.45"), offers_shown=9, offers_taken=2,
    )  # fmt: skip
    found.count(
        "order_confirmation", "de", at("2026-11-22"), sent=4, delivered=4, complained=1,
        clicked=1, orders=1, revenue=Decimal("50.10"), offers_shown=4, offers_taken=1,
    )  # fmt: skip
    found.count(
        "order_confirmation", "en", at("2026-10-01"), sent=100, delivered=100, orders=7,
        revenue=Decimal("1000"),
    )  # fmt: skip
    found.count("review_request", "en", at("2026-11-21"), sent=5, delivered=5, unsubscribed=1)
    for n in range(2):
        join(found, f"got{n}@example.com", "review_request", EXPOSED)
    for n in range(3):
        join(found, f"kept{n}@example.com", "review_request", HOLDOUT)
    for group, revenue in ((EXPOSED, "80"), (HOLDOUT, "15")):
        found.table.update_item(
            Key={"pk": "group#review_request", "sk": group},
            UpdateExpression="ADD orders :one, revenue :revenue",
            ExpressionAttributeValues={":one": 1, ":revenue": Decimal(revenue)},
        )
    return found


class Tables(HTMLParser):
    """Each table's caption and rows of cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] = []
        self._text: list[str] | None = None
        self._caption = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("th", "td", "caption"):
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td", "caption") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if tag == "caption":
                self._caption = text
            else:
                self._rows[-1].append(text)
            self._text = None
        elif tag == "table":
            self.tables[self._caption] = self._rows


def rate(part: int, whole: int) -> str:
    return f"{part / whole:.1%}"


def expected_row(label: str, numbers: dict[str, Any]) -> list[str]:
    """A row as the report's numbers read on the page."""
    return [
        label,
        str(numbers["sent"]),
        str(numbers["delivered"]),
        rate(numbers["bounced"], numbers["sent"]),
        rate(numbers["complained"], numbers["delivered"]),
        str(numbers["unsubscribed"]),
        rate(numbers["clicked"], numbers["delivered"]),
        str(numbers["orders"]),
        money(Decimal(str(numbers["revenue"])), "EUR", "en"),
    ]


def test_the_page_shows_the_report_of_the_last_7_days_per_type_and_language(
    results: Results, run: Any, outbox: Outbox
) -> None:
    cookie = sign_in(run, outbox)
    page = call(run, "GET", "/console/results/?days=7", cookie=cookie)

    assert page["statusCode"] == 200
    found = report(results, "EUR", since=date(2026, 11, 17))
    tables = Tables(page["body"]).tables
    by_type = tables["Each email type, last 7 days"]
    assert by_type[0][-1] == "Revenue (EUR)"
    assert by_type[1:] == [
        expected_row("Order confirmation", found["order_confirmation"]),
        expected_row("Review request", found["review_request"]),
    ]
    # October's confirmations are outside the week; both languages of this week are in.
    assert by_type[1][1:3] == ["14", "13"] and by_type[1][-1] == "€173.55"
    languages = tables["Order confirmation by language, last 7 days"][1:]
    by_language = found["order_confirmation"]["by_language"]
    assert languages == [
        expected_row("German (de)", by_language["de"]),
        expected_row("English (en)", by_language["en"]),
    ]
    assert "<details" in page["body"] and "<script" not in page["body"]
    assert "taken 3 times: a take-up of 23.1%" in page["body"]  # 3 of 13 offers shown
    lift = tables["Revenue per customer, received against held out"][1]
    # €80 over 2 customers beside €15 over 3: €40 against €5 a customer.
    assert lift == ["Review request", "2", "€40.00", "3", "€5.00", "+700.0%"]


def test_a_longer_period_counts_the_older_days_too(
    results: Results, run: Any, outbox: Outbox
) -> None:
    cookie = sign_in(run, outbox)
    month = Tables(call(run, "GET", "/console/results/", cookie=cookie)["body"]).tables
    quarter = Tables(call(run, "GET", "/console/results/?days=90", cookie=cookie)["body"]).tables

    assert month["Each email type, last 30 days"][1][1] == "14"  # the default: 30 days
    assert quarter["Each email type, last 90 days"][1][1] == "114"
    found = report(results, "EUR", since=date(2026, 8, 26))
    assert quarter["Each email type, last 90 days"][1] == expected_row(
        "Order confirmation", found["order_confirmation"]
    )


def test_the_csv_has_a_row_per_type_and_per_language(
    results: Results, run: Any, outbox: Outbox
) -> None:
    results.count("review_request", FORMULA, at("2026-11-22"), sent=1)
    cookie = sign_in(run, outbox)

    answer = call(run, "GET", "/console/results/results.csv?days=30", cookie=cookie)

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["headers"]["Content-Disposition"] == (
        'attachment; filename="results-2026-10-25-to-2026-11-23.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(answer["body"])))
    found = report(results, "EUR", since=date(2026, 10, 25))
    confirmation = found["order_confirmation"]
    assert [(r["email_type"], r["language"]) for r in rows] == [
        ("order_confirmation", "all"),
        ("order_confirmation", "de"),
        ("order_confirmation", "en"),
        ("review_request", "all"),
        ("review_request", f"'{FORMULA}"),  # text, not a formula, in a spreadsheet
        ("review_request", "en"),
    ]
    total = rows[0]
    for name in ("sent", "delivered", "bounced", "complained", "clicked", "orders"):
        assert int(total[name]) == confirmation[name]
    assert Decimal(total["revenue"]) == Decimal("173.55") and total["currency"] == "EUR"
    assert (total["offers_shown"], total["offers_taken"]) == ("13", "3")
    assert int(rows[2]["sent"]) == confirmation["by_language"]["en"]["sent"] == 10
    page = call(run, "GET", "/console/results/", cookie=cookie)["body"]
    unknown = Tables(page).tables["Review request by language, last 30 days"][1]
    assert unknown[:2] == [FORMULA, "1"]  # a tag Babel does not know, shown as it is


def test_anonymous_requests_get_the_sign_in_page_and_no_numbers(
    results: Results, run: Any, outbox: Outbox
) -> None:
    cookie = sign_in(run, outbox)
    for path in ("/console/results/?days=7", "/console/results/results.csv"):
        anonymous = call(run, "GET", path)
        assert anonymous["statusCode"] == 401
        assert anonymous["headers"]["Content-Type"].startswith("text/html")
        assert "<h1>Sign in</h1>" in anonymous["body"]
        assert "onfirmation" not in anonymous["body"] and "173" not in anonymous["body"]
        # The same request from a session gets the numbers.
        staff = call(run, "GET", path, cookie=cookie)
        assert staff["statusCode"] == 200 and "173" in staff["body"]
