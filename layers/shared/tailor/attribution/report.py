"""The results report: per email type, and per language within it, what was sent and what
it earned, from the counters in the results table.

Revenue is in the shop's currency (Shopify's `total_price`). The order confirmation also
reports its add-to-your-order offer's take-up (offers shown, offers taken). A type with a
holdout share reports both groups' orders and revenue per customer, and the lift (over
the holdout's whole life: its groups are not kept per day). `since` limits the counters to
the days from that one on (UTC, as they are counted).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from tailor.attribution.holdout import EXPOSED, HOLDOUT
from tailor.attribution.orders import OFFER_EMAIL_TYPE
from tailor.attribution.store import COUNTERS, Results
from tailor.email_types import EMAIL_TYPES

# What each email type's entry counts, in the report's order: every counter but the
# offer's, which the entry shows apart as the offer's take-up.
REPORTED = tuple(name for name in COUNTERS if not name.startswith("offers_"))


def report(results: Results, currency: str, since: date | None = None) -> dict[str, Any]:
    """{email type: {sent, delivered, ..., revenue, currency, by_language, [offer], [holdout]}}"""
    out: dict[str, Any] = {}
    for email_type in EMAIL_TYPES:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        languages: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for item in results.counters(email_type, since):
            lang = str(item["sk"]).partition("#")[2]
            for name in COUNTERS:
                amount = Decimal(str(item.get(name, 0)))
                totals[name] += amount
                languages[lang][name] += amount
        entry: dict[str, Any] = {**_numbers(totals), "currency": currency}
        entry["by_language"] = {lang: _numbers(languages[lang]) for lang in sorted(languages)}
        if email_type == OFFER_EMAIL_TYPE:
            shown, taken = int(totals["offers_shown"]), int(totals["offers_taken"])
            entry["offer"] = {
                "shown": shown,
                "taken": taken,
                "take_up": round(taken / shown, 4) if shown else 0.0,
            }
        groups = {str(g["sk"]): g for g in results.groups(email_type)}
        if groups:
            entry["holdout"] = _lift(groups)
        out[email_type] = entry
    return out


def _numbers(counts: dict[str, Decimal]) -> dict[str, Any]:
    return {
        name: _amount(counts[name]) if name == "revenue" else int(counts[name]) for name in REPORTED
    }


def _amount(money: Decimal) -> float:
    return float(money.quantize(Decimal("0.01")))


def _lift(groups: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name in (EXPOSED, HOLDOUT):
        group = groups.get(name) or {}
        customers = int(group.get("customers", 0))
        orders = int(group.get("orders", 0))
        revenue = Decimal(str(group.get("revenue", 0)))
        shown[name] = {
            "customers": customers,
            "orders": orders,
            "revenue": float(revenue.quantize(Decimal("0.01"))),
            "orders_per_customer": round(orders / customers, 4) if customers else 0.0,
            "revenue_per_customer": float(revenue / customers) if customers else 0.0,
        }
    base = shown[HOLDOUT]["revenue_per_customer"]
    exposed = shown[EXPOSED]["revenue_per_customer"]
    shown["revenue_lift"] = round((exposed - base) / base, 4) if base else None
    return shown
