"""Delivery messages -> one email per recipient, each told at most once per change.

Per message: the product (or the sale's products) is read once, the recipients' profiles
in one BatchGetItem, and what was told is recorded 25 to a BatchWriteItem call at the end.
The one sending policy (suppression, consent for the topic, quiet hours, frequency cap)
sorts the recipients. Those it lets through now are claimed 50 to a transaction (see
`claims`): the claim (a back-in-stock subscription leaves the queue; anyone else gets a
"told" mark for this change) together with their frequency-cap slot. So one email costs
one SES call plus a small share of the per-message reads and writes. The others (skipped,
deferred, nothing to show them, profile changed meanwhile) are claimed one at a time and
`deliver` decides again for each.

Nothing is told twice: a redelivered message finds its recipients done and skips them.
Nothing is lost unreported: a recipient whose send fails is released (a subscription goes
back to its place in the queue, the slot is given back) and the message fails, so only the
unfinished recipients are tried again; a claim an attempt left unfinished (it died, or could
not write what became of it) fails the message until it reaches the dead-letter queue,
since its email may have gone out (alerts are at most once, see `tailor.idempotency`). A
deferred recipient keeps its claim, and the schedule that `deliver` creates sends to it
later. A recipient whose size sold out in the meantime is released to wait for the next
restock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from tailor import clock, policy
from tailor.alerts import claims, store
from tailor.alerts.config import AlertSettings, get_alert_settings
from tailor.alerts.work import Delivery, Recipient, digest, sqs_event
from tailor.batches import sqs_batch
from tailor.catalog import Catalog
from tailor.delivery import deliver
from tailor.email_types import declared
from tailor.emails import back_in_stock, price_drop, private_sale
from tailor.events.canonical import Product, Variant
from tailor.idempotency import Deferred
from tailor.links import signer_from_secret
from tailor.observability import lambda_context, logger
from tailor.profiles import MarketingSlot, Profile, Profiles
from tailor.recommend import fitting_variant
from tailor.settings import Settings, get_settings

# Stop taking recipients when the invocation has less than this left (the rest are retried).
RESERVE_MILLIS = 10_000


class RecipientsFailed(RuntimeError):
    """Some recipients could not be sent to; they are released and the message is retried."""


class Unavailable(Exception):
    """Nothing to show this recipient (sold out, not in their size, product gone)."""


def handle_queue(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def one(record: SQSRecord) -> None:
        delivery = Delivery.model_validate_json(record.body)
        logger.set_correlation_id(delivery.change_id)
        Sending(delivery, get_settings(), get_alert_settings()).run()

    return sqs_batch(event, one)


@dataclass(frozen=True)
class Letter:
    """A recipient the policy lets through now, with their claim and what they are shown."""

    recipient: Recipient
    claim: store.Claim
    profile: Profile
    email: tuple[str, dict[str, Any]]  # email type, context


@dataclass
class Sending:
    delivery: Delivery
    settings: Settings
    alerts: AlertSettings
    closed: list[tuple[str, str]] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    failed: int = 0

    def __post_init__(self) -> None:
        self.interests = store.Interests(self.alerts.need("interests_table"))
        self.profiles = Profiles(self.settings.need("profiles_table"))
        self.now = clock.now()
        catalog = Catalog(self.settings.need("catalog_table"))
        if self.delivery.sale is not None:
            self.products = catalog.get_many(self.delivery.sale.product_ids)
        elif self.delivery.product_id:
            product = catalog.get(self.delivery.product_id)
            self.products = {product.product_id: product} if product else {}
        else:
            self.products = {}

    # ------------------------------------------------------------------ the message
    def run(self) -> None:
        """Recipients the policy lets through now are claimed together and sent; the rest
        (skipped, deferred, nothing to show, changed meanwhile) are handled one at a time."""
        recipients = self.delivery.recipients
        profiles = self.profiles.get_many(r.email for r in recipients)
        together, alone = self._sort(recipients, profiles)
        try:
            for start in range(0, len(together), claims.PER_CALL):
                alone += self._send_together(together[start : start + claims.PER_CALL])
            for number, (recipient, profile) in enumerate(alone):
                self._check_time(len(alone) - number)
                self._attempt(self._one, recipient, profile)
        finally:
            self.interests.finish(self.closed, self.done, self.now, self.alerts.notified_days)
            logger.info(
                "alerts delivered",
                extra={"email_type": self.delivery.email_type, **self.counts},
            )
        if self.failed:
            raise RecipientsFailed(f"{self.failed} recipient(s) failed and will be retried")

    def _sort(
        self, recipients: list[Recipient], profiles: Mapping[str, Profile]
    ) -> tuple[list[Letter], list[tuple[Recipient, Profile]]]:
        together: list[Letter] = []
        alone: list[tuple[Recipient, Profile]] = []
        for recipient in recipients:
            profile = profiles[recipient.email]
            try:
                email = self._email(recipient, profile)
            except Unavailable:
                alone.append((recipient, profile))
                continue
            topic = declared(email[0]).topic
            decision = policy.decide(profile, topic, self.settings, self.now)
            if decision.action == "send":
                together.append(Letter(recipient, self._claim(recipient), profile, email))
            else:
                alone.append((recipient, profile))
        return together, alone

    def _send_together(self, letters: list[Letter]) -> list[tuple[Recipient, Profile]]:
        """Claim the letters' recipients and slots in one transaction, then send each.
        Returns the recipients whose profile changed meanwhile, read again, to go alone."""
        keep_days = self.alerts.notified_days
        asks = [
            claims.Ask(self.interests.take_write(letter.claim, self.now, keep_days), letter.profile)
            for letter in letters
        ]
        results = claims.claim_together(asks, self.profiles, self.now)
        changed: list[Recipient] = []
        held: list[tuple[Letter, MarketingSlot]] = []
        for letter, ask, result in zip(letters, asks, results, strict=True):
            if result is claims.Held.TAKEN:
                self._taken(letter.claim)
            elif result is claims.Held.CHANGED:
                changed.append(letter.recipient)
            else:
                held.append((letter, ask.slot(self.now)))
        for number, (letter, slot) in enumerate(held):
            unsent = held[number:]  # the message stops if this raises: give these back
            try:
                self._check_time(len(unsent))
                unsent = held[number + 1 :]  # from here on, _tell gives back its own
                self._attempt(
                    self._tell, letter.claim, letter.recipient, letter.profile, slot, letter.email
                )
            except BaseException:
                for other, other_slot in unsent:
                    self._release(other.claim, other_slot)
                raise
        if not changed:
            return []
        fresh = self.profiles.get_many(r.email for r in changed)
        return [(recipient, fresh[recipient.email]) for recipient in changed]

    def _check_time(self, left: int) -> None:
        context = lambda_context.get()
        if context is not None and context.get_remaining_time_in_millis() < RESERVE_MILLIS:
            raise RecipientsFailed(f"ran out of time with {left} recipient(s) to go")

    def _attempt(self, tell: Callable[..., None], *recipient: Any) -> None:
        """One recipient: AWS failing stops the message; anything else fails only them."""
        try:
            tell(*recipient)
        except (ClientError, BotoCoreError):
            raise  # AWS is failing or throttling: stop, retry the message later
        except Exception:
            logger.exception(
                "alert to one recipient failed; released for a retry",
                extra={"email_type": self.delivery.email_type},
            )
            self.failed += 1

    def _count(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    # ------------------------------------------------------------------ one recipient
    def _claim(self, recipient: Recipient) -> store.Claim:
        subscription = None
        if self.delivery.email_type == "back_in_stock":
            assert self.delivery.product_id is not None and recipient.variant_id is not None
            subscription = store.Subscription(
                email=recipient.email,
                product_id=self.delivery.product_id,
                variant_id=recipient.variant_id,
                since=recipient.since or "",
                size=recipient.size,
            )
        return store.Claim(self.delivery.change_id, recipient.key, subscription)

    def _one(self, recipient: Recipient, profile: Profile) -> None:
        """Claim one recipient on its own, then tell them."""
        claim = self._claim(recipient)
        if not self.interests.take(claim, self.now, self.alerts.notified_days):
            self._taken(claim)
            return
        self._tell(claim, recipient, profile)

    def _taken(self, claim: store.Claim) -> None:
        """A claim this change could not take. One an earlier attempt of this change left
        unfinished may or may not have been sent: never sent again (alerts are at most
        once), and never counted as told; the message fails, so SQS tries it again while
        that attempt may still finish, then moves it to the dead-letter queue."""
        holder = self.interests.holder(claim)
        if holder is store.Holder.UNFINISHED:
            logger.error(
                "an earlier attempt claimed this recipient and did not finish; not sent again",
                extra={"email_type": self.delivery.email_type},
            )
            self._count("unfinished")
            self.failed += 1
        else:
            self._count("already_told")

    def _tell(
        self,
        claim: store.Claim,
        recipient: Recipient,
        profile: Profile,
        slot: MarketingSlot | None = None,
        email: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        """Send to a claimed recipient and record what became of the claim."""
        kind = self.delivery.email_type
        try:
            outcome = self._send(recipient, profile, slot, email)
        except Unavailable as why:
            self._count("unavailable")
            logger.info(f"{kind}: not sent, {why}", extra={"product_id": self.delivery.product_id})
            if claim.subscription is not None:
                self.interests.release(claim)  # waits for the next restock
            else:
                self.done.append(claim.key)
            return
        except Deferred:
            self._count("deferred")
            self.interests.defer(claim)
            return
        except BaseException:
            self._release(claim)
            raise
        self._count(str(outcome.get("status", "sent")))
        (self.closed if claim.subscription is not None else self.done).append(claim.key)

    def _release(self, claim: store.Claim, slot: MarketingSlot | None = None) -> None:
        try:
            self.interests.release(claim)
            if slot is not None:
                self.profiles.release_marketing(slot)
        except (ClientError, BotoCoreError):
            logger.exception(
                "could not release a claim; the message fails until it is dead-lettered"
            )

    def _send(
        self,
        recipient: Recipient,
        profile: Profile,
        slot: MarketingSlot | None,
        email: tuple[str, dict[str, Any]] | None,
    ) -> Mapping[str, Any]:
        """Build what this recipient is shown and send it through the sending policy."""
        email_type, context = email or self._email(recipient, profile)
        return deliver(
            email_type,
            context,
            profile,
            # A deferred send runs this function again for this recipient alone.
            retry_event=sqs_event(
                self.delivery.only(recipient),
                f"deferred-{digest(self.delivery.change_id, recipient.key)}",
            ),
            dedupe_key=f"{self.delivery.change_id}|{recipient.key}",
            slot=slot,
        )

    def _email(self, recipient: Recipient, profile: Profile) -> tuple[str, dict[str, Any]]:
        if self.delivery.email_type == "back_in_stock":
            product, variant = self._restocked(recipient)
            context = back_in_stock.back_in_stock_context(
                product, variant, profile, self.alerts.few_left, self.settings
            )
            return back_in_stock.EMAIL_TYPE, context
        if self.delivery.email_type == "price_drop":
            product, variant = self._cheaper_in_their_size(recipient, profile)
            changed = next(v for v in self.delivery.variants if v.variant_id == variant.variant_id)
            context = price_drop.price_drop_context(
                product,
                variant,
                changed.was,
                profile,
                self.settings,
                sale=changed.sale_started,
                reasons=recipient.reasons,
                query=recipient.query,
            )
            return price_drop.EMAIL_TYPE, context
        assert self.delivery.sale is not None
        context = private_sale.private_sale_context(
            self.delivery.sale,
            self._sale_items(recipient, profile),
            profile,
            self.settings,
            base_url=self.alerts.need("private_sale_url"),
            signer=signer_from_secret(self.settings.need("link_signing_secret_arn")),
        )
        return private_sale.EMAIL_TYPE, context

    # ------------------------------------------------------------------ what to show
    def _product(self) -> Product:
        product = self.products.get(self.delivery.product_id or "")
        if product is None or product.status != "active":
            raise Unavailable("the product is no longer in the catalog")
        return product

    def _restocked(self, recipient: Recipient) -> tuple[Product, Variant]:
        product = self._product()
        variant = product.variant(recipient.variant_id)
        if variant is None:
            raise Unavailable("the variant they asked for no longer exists")
        if not variant.in_stock:
            raise Unavailable("sold out again before the email went out")
        return product, variant

    def _cheaper_in_their_size(
        self, recipient: Recipient, profile: Profile
    ) -> tuple[Product, Variant]:
        product = self._product()
        cheaper = {v.variant_id: v for v in self.delivery.variants}
        current = {v.variant_id: v for v in product.variants}
        candidates = [
            v
            for v in product.variants
            if v.variant_id in cheaper and v.price.amount <= cheaper[v.variant_id].now.amount
        ]
        if recipient.variant_id is not None and recipient.variant_id in current:
            wished = current[recipient.variant_id]
            if wished in candidates and wished.in_stock:
                return product, wished
            raise Unavailable("the size they chose is not reduced or not in stock")
        variant = fitting_variant(product.model_copy(update={"variants": candidates}), profile)
        if variant is None:
            raise Unavailable("not reduced and in stock in their size")
        return product, variant

    def _sale_items(self, recipient: Recipient, profile: Profile) -> list[tuple[Product, Variant]]:
        items = []
        for product_id, wished_id in recipient.wished.items():
            product = self.products.get(product_id)
            if product is None or product.status != "active":
                continue
            wished = product.variant(wished_id)
            variant = wished if wished is not None and wished.in_stock else None
            variant = variant or fitting_variant(product, profile)
            if variant is not None:
                items.append((product, variant))
        if not items:
            raise Unavailable("none of their wished-for sale items is in stock in their size")
        return items
