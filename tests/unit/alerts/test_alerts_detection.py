"""What counts as a change worth telling someone about, decided from two catalog images."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from tailor.alerts.changes import price_change_id, repriced, restocked
from tailor.alerts.fanout import wave_size
from tailor.alerts.words import product_words, words
from tailor.events.canonical import Product

TEN = Decimal(10)


def oxford(status: str = "active", **sizes: Any) -> Product:
    """Sizes as size_12=(inventory, price, compare_at)."""
    return Product.model_validate(
        {
            "product_id": "1",
            "handle": "classic-oxford",
            "title": "Classic Oxford",
            "product_type": "Shoes",
            "tags": ["leather", "pairs-with:rag-wool-socks"],
            "status": status,
            "updated_at": datetime(2026, 11, 20, 12, tzinfo=UTC),
            "variants": [
                {
                    "variant_id": name,
                    "size": name.removeprefix("size_"),
                    "price": {"amount": price, "currency": "USD"},
                    "compare_at_price": {"amount": was, "currency": "USD"} if was else None,
                    "inventory": units,
                }
                for name, (units, price, was) in sizes.items()
            ],
        }
    )


@pytest.mark.parametrize(
    ("before", "after", "back"),
    [
        ({"size_12": (0, "199", None)}, {"size_12": (3, "199", None)}, ["size_12"]),
        ({}, {"size_12": (3, "199", None)}, ["size_12"]),  # a new variant
        ({"size_12": (0, "199", None)}, {"size_12": (None, "199", None)}, ["size_12"]),
        ({"size_12": (3, "199", None)}, {"size_12": (5, "199", None)}, []),
        ({"size_12": (None, "199", None)}, {"size_12": (5, "199", None)}, []),  # was untracked
        ({"size_12": (3, "199", None)}, {"size_12": (0, "199", None)}, []),
        ({"size_12": (0, "199", None)}, {"size_12": (-1, "199", None)}, []),
    ],
)
def test_a_restock_is_a_variant_going_from_unavailable_to_available(
    before: dict[str, Any], after: dict[str, Any], back: list[str]
) -> None:
    old = oxford(size_11=(1, "199", None), **before)
    new = oxford(size_11=(1, "199", None), **after)

    assert [v.variant_id for v in restocked(old, new)] == back


def test_a_product_made_active_again_is_back_and_a_draft_is_not() -> None:
    draft = oxford("draft", size_12=(4, "199", None))
    active = oxford(size_12=(4, "199", None))

    assert [v.variant_id for v in restocked(draft, active)] == ["size_12"]
    assert restocked(active, draft) == []
    assert [v.variant_id for v in restocked(None, active)] == ["size_12"]  # newly listed


def test_price_drops_count_from_the_threshold_and_a_sale_start_is_one_change() -> None:
    old = oxford(size_11=(1, "100", None), size_12=(1, "100", None), size_13=(1, "100", None))
    new = oxford(size_11=(1, "90", None), size_12=(1, "90.01", None), size_13=(1, "80", "100"))

    changes = {v.variant_id: v for v in repriced(old, new, TEN)}

    assert set(changes) == {"size_11", "size_13"}
    assert changes["size_11"].was.amount == Decimal(100) and not changes["size_11"].sale_started
    assert changes["size_13"].sale_started and changes["size_13"].was.amount == Decimal(100)
    assert price_change_id(new, list(changes.values())) == "sale:1:2026-11-20T12:00:00+00:00"
    drop_only = [changes["size_11"]]
    assert price_change_id(new, drop_only) == "drop:1:90"


def test_a_deeper_discount_during_a_sale_and_an_inactive_product_tell_no_one() -> None:
    on_sale = oxford(size_12=(1, "150", "200"))
    deeper = oxford(size_12=(1, "100", "200"))
    archived = oxford("archived", size_12=(1, "50", None))

    assert repriced(on_sale, deeper, TEN) == []
    assert repriced(oxford(size_12=(1, "100", None)), archived, TEN) == []
    assert repriced(None, deeper, TEN) == []  # nothing to compare with


@pytest.mark.parametrize(
    ("inventory", "size"), [(None, None), (0, 1), (1, 2), (3, 6), (10_000, 20_000)]
)
def test_a_wave_tells_stock_times_factor(inventory: int | None, size: int | None) -> None:
    assert wave_size(inventory, Decimal(2)) == size


def test_search_words_fold_plurals_and_drop_filler() -> None:
    assert words("The Brown Oxford SHOES, size 13!") == {"brown", "oxford", "shoe"}
    assert words("a the for") == set()
    assert words("socks") <= product_words(
        oxford(size_12=(1, "9", None)).model_copy(update={"title": "Wool Socks"})
    )
    assert "rag" not in product_words(oxford(size_12=(1, "9", None)))  # machine tags are not words
