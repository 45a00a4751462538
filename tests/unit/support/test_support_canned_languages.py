"""Canned responses speak every supported language: each one packaged in each language, the
library loaded in the ticket's language (falling back per response to English), and shop
overrides per language (`canned/<lang>/<id>.txt.j2`) next to the un-prefixed English ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tailor.copy import SUPPORTED
from tailor.support import canned
from tailor.support.canned import Library, missing_translations, packaged

ORDER = {
    "number": "#7001",
    "placed_on": "3 Nov 2026",
    "items": "Classic Oxford - 13",
    "lines": [{"title": "Classic Oxford", "variant_title": "13", "quantity": 1}],
    "status_url": "https://shop.example.com/orders/7001/status",
    "shipped": True,
    "shipments_count": 2,
    "carrier": "DHL",
    "tracking_number": "JD0001",
    "tracking_url": "https://track.example.com/JD0001",
    "shipped_on": "4 Nov 2026",
}
SHOP = {"name": "Oklahoma Outfitters", "url": "https://shop.example.com", "return_days": 30}
FULL = {
    "order": ORDER,
    "shop": SHOP,
    "customer": {"size": "42"},
    "product": {"title": "Classic Oxford", "restock_date": "2026-12-01"},
    "answer": "42",
}
# Words of the English responses that a translation would not keep.
ENGLISH = re.compile(r"\b(your|the|within|please|refund)\b")


def test_every_response_is_packaged_in_every_language() -> None:
    assert len(packaged("en")) == 14
    assert missing_translations() == []


def test_a_response_missing_a_language_fails_the_check(tmp_path: Path) -> None:
    for lang in SUPPORTED:
        folder = tmp_path / "canned" / lang
        folder.mkdir(parents=True)
        (folder / "returns.txt.j2").write_text("---\ntitle: R\nintents: return\n---\nR")
    root = tmp_path / "canned"
    (root / "en" / "sizing.txt.j2").write_text("---\ntitle: S\nintents: sizing\n---\n")
    (root / "ja" / "returns.txt.j2").write_text("---\ntitle: R\nintents: refund\n---\n")
    packaged.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TAILOR_TEMPLATES", str(tmp_path))
            problems = missing_translations()
    finally:
        packaged.cache_clear()

    assert "de: no sizing.txt.j2" in problems
    assert "ja: returns.txt.j2 answers ('refund',), English ('return',)" in problems
    assert len(problems) == len(SUPPORTED)  # sizing in 7 languages, ja's intents


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "en"])
def test_each_translation_renders_whole_and_in_its_language(lang: str) -> None:
    library = Library.load(lang=lang)

    for canned_id, response in sorted(library.responses.items()):
        rendered = library.render(response, FULL)
        english = library.render(packaged("en")[canned_id], FULL)

        assert response.lang == lang
        assert rendered.complete, (canned_id, rendered.missing)
        assert rendered.text != english.text
        assert rendered.title != english.title
        assert not ENGLISH.search(rendered.text), (canned_id, rendered.text)
        assert "#7001" in rendered.text or canned_id in {
            "feedback_thanks",
            "out_of_stock",
            "product_question",
            "sizing",
        }


@pytest.mark.parametrize(
    ("lang", "intent", "text", "best"),
    [
        ("de", "cancel_or_change", "Bitte die Lieferadresse ändern", "change_of_address"),
        ("fr", "complaint", "Il manque une chaussette, elle est manquante", "missing_item"),
        ("es", "complaint", "El tacón está roto", "damaged_item"),
        ("ja", "complaint", "かかとが破損していました", "damaged_item"),
        ("ja", "complaint", "クーポンが使えませんでした", "discount_not_applied"),
    ],
)
def test_keywords_match_the_customers_own_language(
    lang: str, intent: str, text: str, best: str
) -> None:
    assert Library.load(lang=lang).ranked(intent, text)[0].canned_id == best


@pytest.fixture
def bucket() -> Any:
    from tailor import aws

    with mock_aws():
        aws.reset()
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="MailBucket")
        yield s3
        aws.reset()


def _put(s3: Any, key: str, title: str, body: str, intents: str = "return") -> None:
    text = f"---\ntitle: {title}\nintents: {intents}\n---\n{body}"
    s3.put_object(Bucket="MailBucket", Key=key, Body=text.encode())


def test_overrides_per_language_and_un_prefixed_ones_as_english(bucket: Any) -> None:
    _put(bucket, "canned/returns.txt.j2", "Our returns", "Send {{ order.number }} back free.")
    _put(bucket, "canned/de/returns.txt.j2", "Rücksendung", "{{ order.number }} gratis zurück.")
    _put(bucket, "canned/gift_wrap.txt.j2", "Gift wrap", "Yes!", "product_question")
    _put(bucket, "canned/fr/exchanges.txt.j2", "Échange", "Échange de {{ order.number }}.")

    english = Library.load("MailBucket", "canned/")
    german = Library.load("MailBucket", "canned/", "de")
    french = Library.load("MailBucket", "canned/", "fr")

    def text(library: Library, canned_id: str) -> str:
        return library.render(library.responses[canned_id], FULL).text

    assert text(english, "returns") == "Send #7001 back free."
    assert text(german, "returns") == "#7001 gratis zurück."
    assert text(french, "exchanges") == "Échange de #7001."
    # French has no override of returns: its packaged text, not the English override.
    assert (
        text(french, "returns")
        == canned.Library.load(lang="fr").render(packaged("fr")["returns"], FULL).text
    )
    # A shop's own response in English only still serves every language.
    assert text(german, "gift_wrap") == "Yes!"
    assert english.responses["exchanges"].lang == "en"


def test_a_broken_override_falls_back_to_the_packaged_response_of_its_language() -> None:
    library = Library.load(lang="it")
    broken = canned.parse_canned(
        "returns", "---\ntitle: R\nintents: return\n---\n{{ 1 / 0 }}", "override", "it"
    )

    rendered = library.render(broken, FULL)

    assert rendered.text == library.render(packaged("it")["returns"], FULL).text
    assert "Per restituirlo e ottenere il rimborso" in rendered.text
