"""What customers want: back-in-stock requests, wish lists, searches, private sales.

The storefront (a theme app block, a wish-list app, the search page) publishes these on the
shop's bus with detail-type = the class name. Shopify has no webhook topic for any of them:
its topic list covers what the shop's staff and checkout change (orders, products, and
catalogue signals such as `variants/in_stock`, which Tailor already sees through
`products/update` and the catalog mirror), never what a shopper asks for, wishes or
searches. So `SHOPIFY_TOPICS` stays empty and these events are canonical only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, model_validator

from tailor.events.canonical import Id, Model, Text
from tailor.events.shopify import Translator

Email = Annotated[str, Field(min_length=3, max_length=320)]


class BackInStockRequested(Model):
    """ "Email me when it's back": a customer or a guest (email only) asks for one variant.

    The request itself is the shopper's consent to back-in-stock mail. Name the variant, or
    its size when the storefront only knows that (the catalog resolves it)."""

    detail_type: ClassVar[str] = "BackInStockRequested"

    email: Email
    customer_id: Id | None = None
    product_id: Id
    variant_id: Id | None = None
    size: Text | None = None
    locale: str | None = Field(default=None, max_length=35)
    requested_at: AwareDatetime

    @model_validator(mode="after")
    def _variant_or_size(self) -> BackInStockRequested:
        if self.variant_id is None and not self.size:
            raise ValueError("name the variant_id or the size that is wanted")
        return self


class SaleAlertRequested(Model):
    """ "Tell me when this goes on sale": a customer or guest watches a product's price."""

    detail_type: ClassVar[str] = "SaleAlertRequested"

    email: Email
    customer_id: Id | None = None
    product_id: Id
    variant_id: Id | None = None
    locale: str | None = Field(default=None, max_length=35)
    requested_at: AwareDatetime


class WishlistItemAdded(Model):
    """A customer saved a product (optionally one variant, i.e. a size) to their wish list."""

    detail_type: ClassVar[str] = "WishlistItemAdded"

    email: Email
    customer_id: Id | None = None
    product_id: Id
    variant_id: Id | None = None
    added_at: AwareDatetime


class WishlistItemRemoved(Model):
    """A customer took a product off their wish list."""

    detail_type: ClassVar[str] = "WishlistItemRemoved"

    email: Email
    customer_id: Id | None = None
    product_id: Id
    removed_at: AwareDatetime


class ProductSearched(Model):
    """A signed-in customer searched the shop: the words, and the products shown first."""

    detail_type: ClassVar[str] = "ProductSearched"

    email: Email
    customer_id: Id | None = None
    query: Annotated[str, Field(min_length=1, max_length=200)]
    product_ids: list[Id] = Field(default_factory=list, max_length=100)
    searched_at: AwareDatetime


class PrivateSaleStarted(Model):
    """A sale for wish-list holders only: each is invited to the sale items they wished for."""

    detail_type: ClassVar[str] = "PrivateSaleStarted"

    sale_id: Id
    title: Text = "Private sale"
    product_ids: list[Id] = Field(min_length=1, max_length=100)
    discount_percent: Decimal = Field(gt=0, lt=100, max_digits=5, decimal_places=2)
    discount_code: Annotated[str, Field(max_length=255)] | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _window(self) -> PrivateSaleStarted:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


EVENTS: tuple[type[Model], ...] = (
    BackInStockRequested,
    SaleAlertRequested,
    WishlistItemAdded,
    WishlistItemRemoved,
    ProductSearched,
    PrivateSaleStarted,
)
SHOPIFY_TOPICS: dict[type[Model], dict[str, Translator]] = {}
