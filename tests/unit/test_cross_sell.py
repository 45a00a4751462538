"""Cross-sell rules: pairings, co-purchases, promotions, sizes, stock, never what was bought."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tailor.events.canonical import Money, Product, Variant
from tailor.profiles import Profile, Purchase
from tailor.recommend import cross_sell

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def product(
    pid: str,
    *,
    handle: str | None = None,
    product_type: str = "Misc",
    tags: list[str] | None = None,
    sizes: dict[str, int] | None = None,
    stock: int | None = 10,
    price: str = "10.00",
    compare_at: str | None = None,
    status: str = "active",
) -> Product:
    if sizes:
        variants = [
            Variant(
                variant_id=f"{pid}-{size}", title=size, size=size, price=usd(price), inventory=qty
            )
            for size, qty in sizes.items()
        ]
    else:
        variants = [
            Variant(
                variant_id=f"{pid}-1",
                price=usd(price),
                compare_at_price=usd(compare_at) if compare_at else None,
                inventory=stock,
            )
        ]
    return Product(
        product_id=pid,
        handle=handle or pid,
        title=pid.title(),
        product_type=product_type,
        tags=tags or [],
        status=status,  # type: ignore[arg-type]
        variants=variants,
        updated_at=NOW,
    )


class FakeCatalog:
    def __init__(self, *products: Product, pairs: dict[str, dict[str, int]] | None = None) -> None:
        self.products = {p.product_id: p for p in products}
        self.pairs = pairs or {}

    def get_many(self, product_ids: Iterable[str]) -> dict[str, Product]:
        return {pid: self.products[pid] for pid in product_ids if pid in self.products}

    def bought_with(self, product_id: str, limit: int = 1000) -> dict[str, int]:
        return self.pairs.get(product_id, {})

    def promoted(self, limit: int = 25) -> list[str]:
        return [p.product_id for p in self.products.values() if any(v.on_sale for v in p.variants)]

    def ids_for_handles(self, handles: Iterable[str]) -> dict[str, str]:
        by_handle = {p.handle: p.product_id for p in self.products.values()}
        return {h: by_handle[h] for h in handles if h in by_handle}


SHOES = product("shoes", product_type="Shoes", sizes={"11": 3, "12": 0, "13": 2})
SUSIE = Profile(email="susie@example.com", sizes={"shoes": "13"})


def test_merchant_pairing_beats_popular_co_purchases() -> None:
    shoes = product("shoes", tags=["pairs-with:rag-socks"])
    catalog = FakeCatalog(
        shoes, product("rag-socks"), product("laces"), pairs={"shoes": {"laces": 50}}
    )

    pick = cross_sell({"shoes": shoes}, SUSIE, catalog, NOW)

    assert pick is not None and pick.product.product_id == "rag-socks" and pick.reason == "paired"


def test_what_other_buyers_bought_together_wins_without_pairings() -> None:
    catalog = FakeCatalog(
        SHOES, product("laces"), product("polish"), pairs={"shoes": {"laces": 2, "polish": 7}}
    )

    pick = cross_sell({"shoes": SHOES}, SUSIE, catalog, NOW)

    assert pick is not None and pick.product.product_id == "polish"
    assert pick.reason == "bought_together"


def test_closeout_is_suggested_when_nothing_else_is_known() -> None:
    catalog = FakeCatalog(SHOES, product("rag-socks", price="9.00", compare_at="18.00"))

    pick = cross_sell({"shoes": SHOES}, SUSIE, catalog, NOW)

    assert pick is not None and pick.reason == "promoted" and pick.variant.on_sale


def test_never_suggests_what_is_already_in_the_order() -> None:
    socks = product("rag-socks", compare_at="20.00")
    catalog = FakeCatalog(SHOES, socks, pairs={"shoes": {"rag-socks": 9}})

    assert cross_sell({"shoes": SHOES, "rag-socks": socks}, SUSIE, catalog, NOW) is None


def test_out_of_stock_and_inactive_items_are_skipped() -> None:
    catalog = FakeCatalog(
        SHOES,
        product("gone", stock=0),
        product("draft", status="draft"),
        pairs={"shoes": {"gone": 10, "draft": 9}},
    )

    assert cross_sell({"shoes": SHOES}, SUSIE, catalog, NOW) is None


def test_sized_item_is_offered_only_in_the_customers_size() -> None:
    boots = product("boots", product_type="Shoes", sizes={"12": 4, "13": 1})
    catalog = FakeCatalog(SHOES, boots, pairs={"shoes": {"boots": 3}})

    pick = cross_sell({"shoes": SHOES}, SUSIE, catalog, NOW)

    assert pick is not None and pick.variant.size == "13"


def test_sized_item_without_the_customers_size_in_stock_is_not_offered() -> None:
    boots = product("boots", product_type="Shoes", sizes={"12": 4, "13": 0})
    catalog = FakeCatalog(SHOES, boots, pairs={"shoes": {"boots": 3}})

    assert cross_sell({"shoes": SHOES}, SUSIE, catalog, NOW) is None


def test_sized_item_is_offered_for_the_customer_to_choose_the_size_when_it_is_unknown() -> None:
    hats = product("hats", product_type="Hats", sizes={"S": 4, "M": 0})
    catalog = FakeCatalog(SHOES, hats, pairs={"shoes": {"hats": 3}})

    pick = cross_sell({"shoes": SHOES}, SUSIE, catalog, NOW)

    assert pick is not None and pick.product.product_id == "hats"
    assert pick.variant is None  # no size guessed: the customer picks it on the product page
    sold_out = product("hats", product_type="Hats", sizes={"S": 0, "M": 0})
    assert cross_sell({"shoes": SHOES}, SUSIE, FakeCatalog(SHOES, sold_out), NOW) is None


def bought(days_ago: int) -> Purchase:
    return Purchase(last_order_id="earlier", last_bought_at=NOW - timedelta(days=days_ago))


def test_never_suggests_what_the_customer_bought_in_the_last_twelve_months() -> None:
    socks = product("rag-socks")
    laces = product("laces", price="5.00")
    shoes = product("shoes", product_type="Shoes", tags=["pairs-with:rag-socks"], sizes={"13": 2})
    catalog = FakeCatalog(shoes, socks, laces, pairs={"shoes": {"laces": 2}})

    def pick_for(days_ago: int) -> str | None:
        owner = SUSIE.model_copy(update={"purchases": {"rag-socks": bought(days_ago)}})
        pick = cross_sell({"shoes": shoes}, owner, catalog, NOW)
        return pick.product.product_id if pick else None

    assert pick_for(200) == "laces"
    assert pick_for(400) == "rag-socks"  # bought over a year ago: fine to suggest again
