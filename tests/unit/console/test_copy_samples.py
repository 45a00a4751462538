"""The Copy section previews an email on its sample context (`templates/<type>/sample.json`):
what the tests' sample event gives the type's template. Each sample keeps the shape of the
context its sender builds today; TAILOR_WRITE_SAMPLES=1 writes it again from the sender."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from tailor import copy, delivery, samples
from tailor.render import renderer, templates_root

from tests.helpers.alerts_shop import Shop, open_shop
from tests.helpers.events import load_event
from tests.helpers.orders import stock_the_shop


def capture(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The contexts the senders hand to the renderer."""
    seen: list[dict[str, Any]] = []
    original: Callable[..., Any] = delivery._render_fitting

    def recording(email_type: str, context: Any, shrink: Any) -> Any:
        seen.append(dict(context))
        return original(email_type, context, shrink)

    monkeypatch.setattr(delivery, "_render_fitting", recording)
    return seen


def shape(value: Any) -> Any:
    """The keys and kinds of a context, without its values."""
    if isinstance(value, dict):
        tags = [k for k in value if k.startswith("$")]
        return tags[0] if tags else {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def matches_the_sample(email_type: str, context: dict[str, Any]) -> None:
    path = templates_root() / email_type / "sample.json"
    if os.environ.get("TAILOR_WRITE_SAMPLES") == "1":
        path.write_text(samples.dumps(context), encoding="utf-8")
    assert shape(json.loads(path.read_text(encoding="utf-8"))) == shape(samples.encode(context))


def test_the_order_confirmation_sample_is_the_sample_orders_context(
    run: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    contexts = capture(monkeypatch)
    stock_the_shop(run)
    run("OrderConfirmationFunction", load_event("shopify/orders-create.json"))

    matches_the_sample("order_confirmation", contexts[-1])


def test_the_back_in_stock_sample_is_the_restocked_oxfords_context(
    cloud: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop: Shop = open_shop(cloud, monkeypatch)
    shop.oxford({"11": 4, "12": 0, "13": 0})
    shop.customer("alex@example.com", shoes="12", first_name="Alex", locale="en")
    shop.back_in_stock("alex@example.com", "12")
    contexts = capture(monkeypatch)
    shop.oxford({"11": 4, "12": 3, "13": 0}, price="159.00", compare_at="199.00")

    matches_the_sample("back_in_stock", contexts[-1])


@pytest.mark.parametrize("email_type", ["order_confirmation", "back_in_stock"])
@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_each_sample_renders_in_every_language(email_type: str, lang: str) -> None:
    context = samples.sample(email_type)
    assert context is not None

    email = renderer().render(email_type, {**context, "lang": lang, "locale": lang})

    assert email.subject and f'lang="{lang}"' in email.html
