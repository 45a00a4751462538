"""The canned-response library: filled from the order, prompts for gaps, shop overrides win."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from jinja2.exceptions import SecurityError
from moto import mock_aws
from tailor.support import canned
from tailor.support.canned import CannedError, Library, packaged, paragraphs, parse_canned

ORDER = {
    "number": "#7001",
    "items": "Classic Oxford - 13",
    "lines": [{"title": "Classic Oxford", "variant_title": "13", "quantity": 1}],
    "status_url": "https://shop.example.com/orders/7001/status",
}
SHOP = {"name": "Oklahoma Outfitters", "url": "https://shop.example.com", "return_days": 30}


def test_the_library_has_a_response_for_every_common_question() -> None:
    wanted = {
        "returns",
        "exchanges",
        "refunds",
        "order_status",
        "sizing",
        "cancellation",
        "change_of_address",
        "damaged_item",
        "missing_item",
        "discount_not_applied",
        "out_of_stock",
        "feedback_thanks",
    }
    library = packaged()

    assert wanted <= set(library)
    assert all(c.title and c.intents for c in library.values())


@pytest.mark.parametrize(
    ("intent", "text", "best"),
    [
        ("return", "the shoes don't match my dress", "returns"),
        ("exchange", "swap for a 12", "exchanges"),
        ("where_is_my_order", "where is it", "order_status"),
        ("cancel_or_change", "please cancel", "cancellation"),
        ("cancel_or_change", "wrong shipping address", "change_of_address"),
        ("complaint", "the heel is broken", "damaged_item"),
        ("complaint", "one sock is missing", "missing_item"),
        ("complaint", "my coupon code", "discount_not_applied"),
        ("other", "thanks, I love them", "feedback_thanks"),
        ("other", "hello", "general"),
    ],
)
def test_the_best_response_follows_intent_then_keywords(intent: str, text: str, best: str) -> None:
    assert Library.load().ranked(intent, text)[0].canned_id == best


def test_a_response_is_filled_from_the_order() -> None:
    library = Library.load()

    rendered = library.render(library.responses["returns"], {"order": ORDER, "shop": SHOP})

    assert rendered.complete
    assert "order #7001 (Classic Oxford - 13)" in rendered.text
    assert "within 30 days" in rendered.text


def test_missing_fields_become_prompts_not_blanks() -> None:
    library = Library.load()
    shipped = {**ORDER, "shipped": True, "carrier": "UPS"}

    status = library.render(library.responses["order_status"], {"order": shipped, "shop": SHOP})
    stock = library.render(library.responses["out_of_stock"], {"shop": SHOP})

    assert "Your tracking number is [add tracking number]." in status.text
    assert status.missing == ("tracking number",)
    assert "[add product title] is out of stock" in stock.text
    assert stock.missing == ("product title", "restock date")
    assert "None" not in status.text + stock.text


def test_customer_text_in_a_template_is_data_and_the_sandbox_holds() -> None:
    library = Library.load()
    evil = parse_canned(
        "evil", "---\ntitle: Evil\nintents: other\n---\n{{ ''.__class__.__mro__ }}", "override"
    )

    with pytest.raises(SecurityError):
        library.render(evil, {})
    rendered = library.render(
        library.responses["returns"],
        {"order": {**ORDER, "items": "{{ 7*7 }}"}, "shop": SHOP},
    )
    assert "{{ 7*7 }}" in rendered.text


def test_front_matter_is_required() -> None:
    with pytest.raises(CannedError, match="front matter"):
        parse_canned("x", "no front matter", "override")
    with pytest.raises(CannedError, match="title"):
        parse_canned("x", "---\nintents: other\n---\nbody", "override")


@pytest.fixture
def bucket() -> Any:
    canned.clear_cache()  # a fresh container: nothing read yet
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="MailBucket")
        yield s3
    canned.clear_cache()


def test_shop_overrides_in_s3_take_precedence_and_add_responses(bucket: Any) -> None:
    from tailor import aws

    aws.reset()
    bucket.put_object(
        Bucket="MailBucket",
        Key="canned/returns.txt.j2",
        Body=b"---\ntitle: Our returns\nintents: return\n---\nSend {{ order.number }} back free.",
    )
    bucket.put_object(
        Bucket="MailBucket",
        Key="canned/gift_wrap.txt.j2",
        Body=b"---\ntitle: Gift wrap\nintents: product_question\nkeywords: gift\n---\nYes!",
    )
    bucket.put_object(Bucket="MailBucket", Key="canned/broken.txt.j2", Body=b"no front matter")

    library = Library.load("MailBucket", "canned/")
    returns = library.render(library.responses["returns"], {"order": ORDER, "shop": SHOP})

    assert returns.text == "Send #7001 back free."
    assert library.responses["returns"].origin == "override"
    assert library.ranked("product_question", "gift wrap?")[0].canned_id == "gift_wrap"
    assert "broken" not in library.responses
    aws.reset()


def test_overrides_are_listed_once_a_minute_per_container(
    bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tailor import aws

    aws.reset()
    clock = [1000.0]
    monkeypatch.setattr(canned.time, "monotonic", lambda: clock[0])
    listed: list[str] = []
    aws.client("s3").meta.events.register(
        "before-call.s3.ListObjectsV2", lambda **_: listed.append("listed")
    )
    body = b"---\ntitle: Our returns\nintents: return\n---\nSend {{ order.number }} back."

    assert Library.load("MailBucket", "canned/").responses["returns"].origin == "packaged"
    bucket.put_object(Bucket="MailBucket", Key="canned/returns.txt.j2", Body=body)
    clock[0] += canned.OVERRIDE_TTL_SECONDS - 1
    within_the_minute = Library.load("MailBucket", "canned/")
    clock[0] += 2
    after_it = Library.load("MailBucket", "canned/")

    assert within_the_minute.responses["returns"].origin == "packaged"
    assert after_it.responses["returns"].origin == "override"
    # English reads two folders (canned/en/ and the un-prefixed canned/), each once a period.
    assert listed == ["listed"] * 4
    aws.reset()


def test_an_override_that_fails_to_render_falls_back_to_the_packaged_response() -> None:
    library = Library.load()
    broken = parse_canned("returns", "---\ntitle: R\nintents: return\n---\n{{ 1 / 0 }}", "override")

    rendered = library.render(broken, {"order": ORDER, "shop": SHOP})

    assert "To return it for a refund" in rendered.text


def test_plain_text_becomes_paragraphs_with_safe_links() -> None:
    blocks = paragraphs("Hello <b>Susie</b>\nsecond line\n\nSee https://shop.example.com/r.")

    assert blocks[0] == [
        [{"text": "Hello <b>Susie</b>", "href": ""}],
        [{"text": "second line", "href": ""}],
    ]
    assert blocks[1][0][1] == {
        "text": "https://shop.example.com/r",
        "href": "https://shop.example.com/r",
    }
