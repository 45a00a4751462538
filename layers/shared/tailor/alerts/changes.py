"""The catalog's stream -> the changes someone may care about, as work for the fan-out.

Each record's old and new images (deserialised by Powertools, never by hand) are compared:
- a restock: a variant's stock goes from zero, or from not existing, to positive (or to
  untracked); a product that becomes active again makes its stock available again;
- a price drop: a variant's price falls by at least PRICE_DROP_PERCENT, outside a sale;
- a sale start: a compare-at price appears above the price.
Nothing else wakes anyone. An image that does not describe a product, or a record of a
product removed from the catalog, is logged and skipped (retrying cannot change it); a
record that cannot be read at all fails alone (Powertools reports it, Lambda retries it,
bisects, and after the retry limit sends it to the on-failure queue).

The handler never sends email: it writes one message per change to the fan-out queue, in
SendMessageBatch calls, after the whole batch is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from tailor.alerts.config import AlertSettings, get_alert_settings
from tailor.alerts.store import Interests
from tailor.alerts.work import FanoutMessage, PriceAlert, PricedVariant, Queue, Restock, digest
from tailor.batches import stream_batch
from tailor.events.canonical import Product, Variant
from tailor.observability import logger


def _available(product: Product | None, variant: Variant | None) -> bool:
    return (
        product is not None
        and variant is not None
        and product.status == "active"
        and variant.in_stock
    )


def restocked(old: Product | None, new: Product) -> list[Variant]:
    """Variants unavailable before (sold out, absent, product inactive) and available now."""
    before = {v.variant_id: v for v in old.variants} if old else {}
    return [
        v
        for v in new.variants
        if _available(new, v) and not _available(old, before.get(v.variant_id))
    ]


def repriced(old: Product | None, new: Product, percent: Decimal) -> list[PricedVariant]:
    """Variants whose sale started, or whose price fell by `percent` or more outside a sale."""
    if old is None or new.status != "active":
        return []
    before = {v.variant_id: v for v in old.variants}
    factor = 1 - percent / 100
    found = []
    for variant in new.variants:
        was = before.get(variant.variant_id)
        if was is None or was.price.currency != variant.price.currency:
            continue
        sale_started = variant.on_sale and not was.on_sale
        dropped = not was.on_sale and variant.price.amount <= was.price.amount * factor
        if sale_started or dropped:
            found.append(
                PricedVariant(
                    variant_id=variant.variant_id,
                    was=variant.compare_at_price
                    if sale_started and variant.compare_at_price
                    else was.price,
                    now=variant.price,
                    sale_started=sale_started,
                )
            )
    return found


def price_change_id(product: Product, variants: list[PricedVariant]) -> str:
    """At most one alert per product per sale: a sale is known by when it started, a plain
    price drop by the price it dropped to."""
    if any(v.sale_started for v in variants):
        return f"sale:{product.product_id}:{product.updated_at.isoformat()}"
    lowest = min(v.now.amount for v in variants)
    return f"drop:{product.product_id}:{lowest}"


@dataclass
class StreamReader:
    settings: AlertSettings
    interests: Interests
    work: list[FanoutMessage]

    def read(self, record: DynamoDBRecord) -> None:
        stream = record.dynamodb
        if stream is None:
            raise ValueError("stream record without a dynamodb section")
        keys = stream.keys
        product_id = str(keys.get("product_id", "")) if keys else ""
        if record.event_name is DynamoDBRecordEventName.REMOVE:
            logger.info(
                "product removed from the catalog: nothing to tell",
                extra={"product_id": product_id},
            )
            return
        new = self._product(stream.new_image, product_id, "new")
        if new is None:
            return
        old = self._product(stream.old_image, product_id, "old") if stream.old_image else None
        if stream.old_image and old is None:
            return
        change = digest(record.event_id or "", product_id)
        found: list[FanoutMessage] = []
        for variant in restocked(old, new):
            if not self.interests.anyone_waiting(new.product_id, variant.variant_id):
                logger.info(
                    "restock: no one is waiting",
                    extra={"product_id": new.product_id, "variant_id": variant.variant_id},
                )
                continue
            restock = Restock(
                change_id=f"restock:{new.product_id}:{variant.variant_id}:{change}",
                product_id=new.product_id,
                variant_id=variant.variant_id,
            )
            logger.info(
                "restock detected",
                extra={
                    "product_id": new.product_id,
                    "variant_id": variant.variant_id,
                    "inventory": variant.inventory,
                },
            )
            found.append(FanoutMessage.of(restock))
        prices = repriced(old, new, self.settings.price_drop_percent)
        if prices:
            alert = PriceAlert(
                change_id=price_change_id(new, prices), product_id=new.product_id, variants=prices
            )
            logger.info(
                "sale started" if alert.sale else "price dropped",
                extra={"product_id": new.product_id, "variants": len(prices)},
            )
            found.append(FanoutMessage.of(alert))
        # Only a record read to the end adds work: one that fails adds none, and its retry
        # adds it then.
        self.work.extend(found)

    def _product(self, image: dict[str, Any], product_id: str, which: str) -> Product | None:
        if not image:
            logger.info(
                f"stream record without a {which} image: skipped", extra={"product_id": product_id}
            )
            return None
        try:
            return Product.model_validate(image)
        except ValidationError as error:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})[:5]
            logger.warning(
                f"{which} image is not a complete product: skipped",
                extra={"product_id": product_id, "fields": fields},
            )
            return None


def handle_stream(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Read a batch of catalog changes; failed records are reported, the rest go on."""
    settings = get_alert_settings()
    reader = StreamReader(settings, Interests(settings.need("interests_table")), [])
    response = stream_batch(event, reader.read)
    if reader.work:
        Queue(settings.need("alerts_fanout_queue_url")).send(reader.work)
    logger.info(
        "catalog changes read",
        extra={
            "records": len(event.get("Records") or []),
            "changes": len(reader.work),
            "failed": len(response.get("batchItemFailures") or []),
        },
    )
    return response
