"""Parse an EventBridge event into a canonical model, whichever dialect delivered it.

EventBridge rules in template.yaml route each detail-type (and each Shopify topic) to the
function that handles it; this module only turns the event that arrived into the model the
function works with, and names the problem precisely when it cannot.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from tailor.events import registry
from tailor.events.canonical import Model
from tailor.settings import Settings

SHOPIFY_DETAIL_TYPE = "shopifyWebhook"

M = TypeVar("M", bound=Model)


class InvalidEvent(ValueError):
    """The event cannot be understood; retrying will not help."""


@dataclass(frozen=True)
class Envelope:
    event_id: str
    detail_type: str
    source: str
    detail: Mapping[str, Any]
    topic: str | None = None

    @property
    def payload(self) -> Mapping[str, Any]:
        payload = self.detail.get("payload")
        if not isinstance(payload, Mapping):
            raise InvalidEvent(
                f"{self.detail_type} event {self.event_id}: detail.payload is missing"
            )
        return payload


def envelope(event: Any) -> Envelope:
    if not isinstance(event, Mapping):
        raise InvalidEvent(f"expected an EventBridge event object, got {type(event).__name__}")
    detail = event.get("detail")
    detail_type = event.get("detail-type")
    if not isinstance(detail_type, str) or not detail_type:
        raise InvalidEvent("event has no detail-type")
    if not isinstance(detail, Mapping):
        raise InvalidEvent(f"{detail_type} event: detail must be an object")
    topic = None
    if detail_type == SHOPIFY_DETAIL_TYPE:
        metadata = detail.get("metadata")
        topic = metadata.get("X-Shopify-Topic") if isinstance(metadata, Mapping) else None
        if not isinstance(topic, str):
            raise InvalidEvent("shopifyWebhook event: detail.metadata.X-Shopify-Topic is missing")
    return Envelope(
        event_id=str(event.get("id") or ""),
        detail_type=detail_type,
        source=str(event.get("source") or ""),
        detail=detail,
        topic=topic,
    )


def parse(event: Any, model: type[M], settings: Settings) -> tuple[Envelope, M]:
    """The envelope and the canonical model, or InvalidEvent naming the field at fault."""
    env = envelope(event)
    where = f"{env.detail_type} event {env.event_id}".rstrip()
    try:
        if env.detail_type == model.detail_type:
            return env, model.model_validate(env.detail)
        if env.topic is not None:
            translate = registry.shopify_topics(model).get(env.topic)
            if translate is None:
                raise InvalidEvent(
                    f"{where}: Shopify topic {env.topic!r} is not a {model.__name__}"
                )
            translated = translate(env.payload, settings)
            assert isinstance(translated, model)
            return env, translated
    except ValidationError as error:
        raise InvalidEvent(f"{where}: {_describe(error)}") from None
    except KeyError as error:
        raise InvalidEvent(f"{where}: detail.payload.{error.args[0]} is missing") from None
    except (TypeError, AttributeError, decimal.InvalidOperation) as error:
        raise InvalidEvent(f"{where}: malformed payload ({error})") from None
    raise InvalidEvent(f"{where}: expected detail-type {model.detail_type}")


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'detail'}: {e['msg']}"
        for e in error.errors()[:5]
    )
