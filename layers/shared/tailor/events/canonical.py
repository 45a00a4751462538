"""Canonical Tailor events: one pydantic model per EventBridge detail-type.

Any system can publish these on the shop's bus (detail-type = the class name, detail = the
model as JSON). Shopify webhooks are translated into the same models (see `shopify.py`), so
every email is built from one shape whatever the source.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
)


def _known_currency(code: str) -> str:
    code = code.upper()
    if code not in _currencies():
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


@cache
def _currencies() -> frozenset[str]:
    # Babel's locale data loads on the first event, not at every cold start.
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _lowercase(value: str) -> str:
    return value.strip().lower()


Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_known_currency)]
Text = Annotated[str, Field(max_length=1000)]
Id = Annotated[str, Field(min_length=1, max_length=128)]
# A value of one of Shopify's enums (product status, financial status, fulfillment status,
# carrier status...). Shopify adds values in new API versions (product `unlisted` in 2025-10,
# carrier `carrier_picked_up`): an event must not be refused for one we do not know yet, so
# each reader decides what an unknown value means.
Status = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_lowercase)]


class Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", str_strip_whitespace=True, defer_build=True
    )

    detail_type: ClassVar[str] = ""


class Money(Model):
    amount: Decimal = Field(allow_inf_nan=False, max_digits=18)
    currency: Currency

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=Decimal(0), currency=currency)


class Address(Model):
    name: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    address1: Text | None = None
    address2: Text | None = None
    city: Text | None = None
    province: Text | None = None
    province_code: str | None = Field(default=None, max_length=16)
    zip: Text | None = None
    country: Text | None = None
    country_code: str | None = None


class MarketingConsent(Model):
    state: Literal["subscribed", "not_subscribed", "unsubscribed", "pending", "redacted", "invalid"]
    opt_in_level: Literal["single_opt_in", "confirmed_opt_in", "unknown"] | None = None
    updated_at: AwareDatetime | None = None


class Customer(Model):
    """Who placed an order. Guests have no customer_id."""

    customer_id: Id | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    marketing_consent: MarketingConsent | None = Field(
        default=None, description="The customer's email marketing consent as the shop knew it"
    )


class ItemLine(Model):
    """An order line as the emails after the order show it (no prices needed)."""

    line_id: Id
    product_id: Id | None = None
    variant_id: Id | None = None
    sku: Text | None = None
    title: Text
    variant_title: Text | None = None
    quantity: PositiveInt


class OrderLine(ItemLine):
    unit_price: Money = Field(description="The price of one, before discounts")
    discount: Money | None = Field(
        default=None,
        description="The line's own discounts; its share of an order-level discount is not "
        "in it (the order lists that discount once)",
    )
    image_url: str | None = Field(default=None, max_length=2048)


class Discount(Model):
    """A discount as the receipt shows it once: on the items or on shipping."""

    code: Text = Field(description="The code, or the title of an automatic discount")
    amount: Money
    on_shipping: bool = False


class OrderPlaced(Model):
    """A customer placed an order: the order confirmation and the profile follow from it."""

    detail_type: ClassVar[str] = "OrderPlaced"

    order_id: Id
    order_number: Text = Field(description="What the customer sees, e.g. #1001")
    confirmation_number: Text | None = Field(
        default=None, description="Shopify's checkout confirmation code, e.g. H2PW6YDQB"
    )
    test: bool = Field(default=False, description="Placed through a test payment gateway")
    financial_status: Status | None = Field(
        default=None, description="e.g. pending, authorized, paid, voided"
    )
    placed_at: AwareDatetime
    email: str | None = Field(default=None, max_length=320)
    locale: str | None = Field(default=None, max_length=35)
    customer: Customer = Customer()
    lines: list[OrderLine] = Field(min_length=1, max_length=1000)
    discounts: list[Discount] = Field(
        default=[], description="Order-level and shipping discounts, each once"
    )
    subtotal: Money
    shipping: Money | None = Field(default=None, description="Before shipping discounts")
    shipping_method: Text | None = Field(default=None, description="e.g. Standard, DHL Paket")
    payment_methods: list[Text] = Field(
        default=[], description="How the order is paid (gateway names), never card numbers"
    )
    payment_terms: Text | None = Field(default=None, description="e.g. Net 30")
    tax: Money | None = None
    taxes_included: bool = False
    total: Money
    shipping_address: Address | None = None
    status_url: str | None = Field(default=None, max_length=2048)
    accepts_marketing: bool | None = None

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def voided_test(self) -> bool:
        """A test order whose payment was voided: nobody bought anything, nothing is mailed."""
        return self.test and self.financial_status == "voided"


class Variant(Model):
    variant_id: Id
    title: Text = ""
    sku: Text | None = None
    size: Text | None = Field(default=None, description="The size option's value, if any")
    price: Money
    compare_at_price: Money | None = None
    inventory: int | None = Field(default=None, description="None when stock is not tracked")

    @property
    def in_stock(self) -> bool:
        return self.inventory is None or self.inventory > 0

    @property
    def on_sale(self) -> bool:
        return (
            self.compare_at_price is not None and self.compare_at_price.amount > self.price.amount
        )


class ProductUpdated(Model):
    """A product was created or changed: the catalog mirrors it."""

    detail_type: ClassVar[str] = "ProductUpdated"

    product_id: Id
    handle: Text
    title: Text
    product_type: Text = ""
    vendor: Text = ""
    tags: list[Text] = []
    status: Status = Field(default="active", description="active, draft, archived, unlisted...")
    url: str | None = Field(default=None, max_length=2048)
    image_url: str | None = Field(default=None, max_length=2048)
    image_alt: Text | None = Field(default=None, description="The image's alt text")
    variants: list[Variant] = Field(min_length=1, max_length=2000)
    updated_at: AwareDatetime

    def variant(self, variant_id: str | None) -> Variant | None:
        return next((v for v in self.variants if v.variant_id == variant_id), None)

    @property
    def listed(self) -> bool:
        """Shown in the shop's listings: only these are recommended, promoted or announced."""
        return self.status == "active"

    @property
    def purchasable(self) -> bool:
        """Sold to whoever has the link. An `unlisted` product (API 2025-10) is hidden from the
        storefront's listings and search but sells by direct link, as Shopify means it; so a
        link we already sent still works, but we never recommend one. A status we do not know
        yet is neither listed nor sold."""
        return self.status in ("active", "unlisted")


class CustomerUpdated(Model):
    """A customer account was created or changed: the profile follows."""

    detail_type: ClassVar[str] = "CustomerUpdated"

    customer_id: Id
    email: str | None = Field(default=None, max_length=320)
    first_name: Text | None = None
    last_name: Text | None = None
    locale: str | None = Field(default=None, max_length=35)
    time_zone: str | None = Field(default=None, max_length=64)
    tags: list[Text] = []
    marketing_consent: MarketingConsent | None = None
    orders_count: NonNegativeInt | None = None
    updated_at: AwareDatetime


class NewsletterSignupRequested(Model):
    """Someone asked to receive the newsletter (a signup form, a checkout box)."""

    detail_type: ClassVar[str] = "NewsletterSignupRequested"

    email: str = Field(max_length=320)
    locale: str | None = Field(default=None, max_length=35)
    first_name: Text | None = None
    source: Text = "signup_form"
    requested_at: AwareDatetime


class NewsletterSubscribed(Model):
    """A subscription was confirmed (double opt-in); the welcome email follows."""

    detail_type: ClassVar[str] = "NewsletterSubscribed"

    email: str = Field(max_length=320)
    subscribed_at: AwareDatetime


class ReferralInvitationRequested(Model):
    """A customer asked the shop to invite a friend (refer-a-friend): the friend gets one
    email with the shop's new-customer offer, and nothing after it."""

    detail_type: ClassVar[str] = "ReferralInvitationRequested"

    referrer_email: str = Field(max_length=320)
    # As the customer typed it: shown to the friend as text, never as markup.
    referrer_name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    friend_email: str = Field(max_length=320)
    note: str | None = Field(default=None, max_length=500)
    locale: str | None = Field(default=None, max_length=35)
    requested_at: AwareDatetime
    # The referrer's Shopify customer id, when known: a friend with the same id is the
    # referrer under another address.
    referrer_customer_id: Id | None = None
    include_items: bool = Field(
        default=False, description="Show the friend what the referrer bought"
    )


CANONICAL_EVENTS: tuple[type[Model], ...] = (
    OrderPlaced,
    ProductUpdated,
    CustomerUpdated,
    NewsletterSignupRequested,
    NewsletterSubscribed,
    ReferralInvitationRequested,
)

# The catalog stores products in their canonical shape.
Product = ProductUpdated
