"""Every email type the bundle sends, declared once.

A declaration says what an email is (its stream, and for marketing mail the consent topic
that governs it, with the reason), what sends it (the template.yaml functions), where its
templates are, which sample events start it and which demo step shows it. `deliver` takes
the stream and topic from here, the README's table of emails is generated from here
(`make email-types`), and the tests derive their lists of types, samples and routes from
here and from template.yaml. Adding an email type starts with a declaration below.

This module is on every sender's cold-start path: standard library only.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum


class Stream(StrEnum):
    """Transactional and marketing mail travel on separate SES configuration sets."""

    TRANSACTIONAL = "transactional"
    MARKETING = "marketing"


@dataclass(frozen=True)
class EmailType:
    name: str
    # The marketing consent topic (a key of `tailor.consent.TOPICS`); None: transactional.
    topic: str | None
    # Why the email is transactional or marketing: the classification is a decision.
    why: str
    # What sets it off, in the shop's words (the README's "triggered by").
    trigger: str
    # The template.yaml functions that send it.
    senders: tuple[str, ...]
    # Samples (under events/) that the template's EventBridge rules route to the senders;
    # empty when the senders run on a schedule, a queue or received mail instead.
    samples: tuple[str, ...]
    # The title of the step in events/demo/story.json that shows it.
    demo_step: str
    # Its folder under templates/ (subject.txt.j2, body.html.j2, body.txt.j2).
    template_folder: str = ""
    # The AWS API calls one email may cost, all services together (a batch's shared calls
    # amortised): `make bench` prints the count by operation and a test holds each type to
    # its budget on the demo story, with no slack, so a call that comes back fails it. What
    # a container reads when it starts (the signing keys, the merchant's copy overrides) is
    # counted and priced per container start instead; the console's preview keeps the email
    # of one customer in 50 (`tailor.samples`), none of the story's.
    aws_call_budget: int | None = None

    @property
    def stream(self) -> Stream:
        return Stream.TRANSACTIONAL if self.topic is None else Stream.MARKETING

    @property
    def templates(self) -> str:
        return self.template_folder or self.name


_ORDER_UPDATE = "a fact about an order the customer placed: part of the purchase"
_SUPPORT = "part of a conversation the customer started with the shop"

_DECLARATIONS = (
    EmailType(
        name="order_confirmation",
        topic=None,
        why=_ORDER_UPDATE,
        trigger="`orders/create` or `OrderPlaced`",
        senders=("OrderConfirmationFunction",),
        samples=(
            "canonical/order-placed.json",
            "shopify/orders-create.json",
            "shopify/orders-create-guest.json",
            "shopify/orders-create-jpy.json",
        ),
        demo_step="Susie Oklahoma buys size-13 shoes",
        aws_call_budget=12,
    ),
    EmailType(
        name="newsletter_confirmation",
        topic=None,
        why="the double opt-in the customer just asked for; it promotes nothing",
        trigger="`NewsletterSignupRequested`",
        senders=("NewsletterSignupFunction",),
        samples=("canonical/newsletter-signup-requested.json",),
        demo_step="Mina signs up for the newsletter",
        aws_call_budget=10,
    ),
    EmailType(
        name="newsletter_welcome",
        topic="newsletter",
        why="the first newsletter mail: sent only with newsletter consent",
        trigger="`NewsletterSubscribed` (the confirmed opt-in)",
        senders=("NewsletterWelcomeFunction",),
        samples=("canonical/newsletter-subscribed.json",),
        demo_step="Susie opts in to the newsletter",
        aws_call_budget=7,
    ),
    EmailType(
        name="shipping_confirmation",
        topic=None,
        why=_ORDER_UPDATE,
        trigger="`fulfillments/create`, `fulfillments/update` (when tracking appears) "
        "or `OrderShipped`",
        senders=("ShippingConfirmationFunction",),
        samples=(
            "canonical/order-shipped.json",
            "shopify/fulfillments-create.json",
            "shopify/fulfillments-update.json",
        ),
        demo_step="Susie's parcels ship",
        aws_call_budget=13,
    ),
    EmailType(
        name="delivery_update",
        topic=None,
        why=_ORDER_UPDATE,
        trigger="`fulfillment_events/create` or `OrderDelivered`",
        senders=("DeliveryUpdateFunction",),
        samples=(
            "canonical/order-delivered.json",
            "shopify/fulfillment-events-create.json",
            "shopify/fulfillment-events-create-delivered.json",
        ),
        demo_step="Out for delivery",
        aws_call_budget=11,
    ),
    EmailType(
        name="order_cancelled",
        topic=None,
        why=_ORDER_UPDATE,
        trigger="`orders/cancelled` or `OrderCancelled`",
        senders=("OrderCancelledFunction",),
        samples=("canonical/order-cancelled.json", "shopify/orders-cancelled.json"),
        demo_step="Mina orders a polish kit, then cancels it",
        aws_call_budget=9,
    ),
    EmailType(
        name="refund_issued",
        topic=None,
        why=_ORDER_UPDATE,
        trigger="`refunds/create` or `RefundIssued`",
        senders=("RefundIssuedFunction",),
        samples=(
            "canonical/refund-issued.json",
            "shopify/refunds-create.json",
            "shopify/refunds-create-jpy.json",
        ),
        demo_step="Alex returns a pair of socks",
        aws_call_budget=9,
    ),
    EmailType(
        name="review_request",
        topic="review_requests",
        why="asks a favour the customer did not ask for: needs consent",
        trigger="delivery + `ReviewDelayDays` (a one-time schedule)",
        senders=("ReviewRequestFunction",),
        samples=(),
        demo_step="How are the shoes?",
        aws_call_budget=11,
    ),
    EmailType(
        name="replenishment_reminder",
        topic="replenishment",
        why="invites another purchase: needs consent",
        trigger="a purchase of a product tagged `replenish:270d` (a one-time schedule)",
        senders=("ReplenishmentReminderFunction",),
        samples=(),
        demo_step="Nine months later",
        aws_call_budget=10,
    ),
    EmailType(
        name="back_in_stock",
        topic="back_in_stock",
        why="the customer asked for it, but it sells: consent per topic",
        trigger="`BackInStockRequested`, then the catalog's DynamoDB stream (SQS fan-out)",
        senders=("AlertsSenderFunction",),
        samples=(),
        demo_step="Size 12 is back",
        aws_call_budget=7,
    ),
    EmailType(
        name="price_drop",
        topic="price_drops",
        why="promotes a sale: needs consent",
        trigger="`WishlistItemAdded`, `SaleAlertRequested`, `ProductSearched`, then the "
        "catalog's DynamoDB stream (SQS fan-out)",
        senders=("AlertsSenderFunction",),
        samples=(),
        demo_step="The belt goes on sale",
        aws_call_budget=8,
    ),
    EmailType(
        name="private_sale",
        topic="offers",
        why="a personal offer: needs consent",
        trigger="`PrivateSaleStarted` (SQS fan-out to wish-list holders)",
        senders=("AlertsSenderFunction",),
        samples=(),
        demo_step="A private sale for wish lists",
        aws_call_budget=8,
    ),
    EmailType(
        name="referral_invitation",
        topic=None,
        why="sent once, at a customer's request, to a friend who is not a customer: the "
        "friend gave no consent, so nothing promotional follows and no profile is kept",
        trigger='the "tell a friend" page linked from the shipping confirmation, or '
        "`ReferralInvitationRequested` from your storefront",
        senders=("ReferralInvitationFunction",),
        samples=("canonical/referral-invitation-requested.json",),
        demo_step="Susie invites a friend",
        aws_call_budget=12,
    ),
    EmailType(
        name="referral_converted",
        topic=None,
        why="the outcome of an invitation the customer sent themselves (the friend responded "
        "or bought): it reports on their own request, at most twice per friend, and sells "
        "nothing",
        trigger="the invited friend's first visit (`ReferralResponded`), newsletter signup or "
        "first order with the invitation (`orders/create` or `OrderPlaced`)",
        senders=("ReferralRewardsFunction",),
        samples=(
            "canonical/order-placed.json",
            "canonical/newsletter-subscribed.json",
            "canonical/referral-responded.json",
            "shopify/orders-create.json",
            "shopify/orders-create-guest.json",
            "shopify/orders-create-jpy.json",
        ),
        demo_step="Susie's friend buys with the invitation",
        aws_call_budget=15,
    ),
    EmailType(
        name="referral_reward",
        topic=None,
        why="delivers the reward the customer earned under the shop's referral terms: an "
        "account fact, like a credit note, owed whatever their marketing consent",
        trigger="`ReferralRewardDelayDays` after the friend's order (EventBridge Scheduler), "
        "unless `orders/cancelled` or a full `refunds/create` came first",
        senders=("ReferralRewardsFunction",),
        samples=(
            "canonical/order-cancelled.json",
            "canonical/refund-issued.json",
            "shopify/orders-cancelled.json",
            "shopify/refunds-create.json",
            "shopify/refunds-create-jpy.json",
        ),
        demo_step="After the return window, Susie's reward",
        aws_call_budget=14,
    ),
    EmailType(
        name="support_acknowledgement",
        topic=None,
        why=_SUPPORT,
        trigger="mail to `SupportAddress` (SES receiving)",
        senders=("SupportInboundFunction",),
        samples=(),
        demo_step="Susie writes in: the shoes don't match her dress",
        aws_call_budget=21,
    ),
    EmailType(
        name="support_reply",
        topic=None,
        why=_SUPPORT,
        trigger="`TicketReplyRequested`",
        senders=("SupportReplyFunction",),
        samples=("support/ticket-reply-requested.json",),
        demo_step="Maria answers Susie",
        aws_call_budget=16,
    ),
    EmailType(
        name="support_sla_digest",
        topic=None,
        why="to the shop's support lead, about the shop's own work",
        trigger="the support watchdog's schedule",
        senders=("SupportWatchdogFunction",),
        samples=(),
        demo_step="The support lead is warned",
        aws_call_budget=14,
    ),
)

EMAIL_TYPES: dict[str, EmailType] = {declared.name: declared for declared in _DECLARATIONS}


def declared(name: str) -> EmailType:
    """The declaration of an email type; an undeclared one is a programming error."""
    try:
        return EMAIL_TYPES[name]
    except KeyError:
        raise ValueError(f"email type {name!r} is not declared in tailor.email_types") from None


def readme_table() -> str:
    """The README's table of emails, in declaration order."""
    rows = [
        "| email | stream | consent topic | triggered by | why |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind in EMAIL_TYPES.values():
        topic = f"`{kind.topic}`" if kind.topic else ""
        rows.append(f"| `{kind.name}` | {kind.stream} | {topic} | {kind.trigger} | {kind.why} |")
    return "\n".join(rows) + "\n"


README_START = "<!-- email types: generated by `make email-types` from tailor/email_types.py -->\n"
README_END = "<!-- end of email types -->\n"


def with_readme_table(readme: str) -> str:
    """The README text with its generated table replaced by the current one."""
    head, start, rest = readme.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError("README.md has no email-types markers")
    return head + start + readme_table() + end + tail


if __name__ == "__main__":  # make email-types: python -m tailor.email_types README.md
    path = sys.argv[1]
    with open(path, encoding="utf-8") as readme:
        text = readme.read()
    with open(path, "w", encoding="utf-8") as readme:
        readme.write(with_readme_table(text))
