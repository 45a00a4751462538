"""Copy catalogs: every copy folder (templates/*/copy/) speaks every supported language,
with English's keys (plural keys per CLDR) and English's placeholders, and the language an
email is written in follows the fallback chain fr-CA → fr → shop default → en."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tailor import copy
from tailor.render import Renderer

FOLDERS = copy.folders()


def test_there_is_copy_to_check() -> None:
    assert {"common", "order_confirmation", "back_in_stock", "pages"} <= set(FOLDERS)


@pytest.mark.parametrize("folder", FOLDERS)
@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_every_key_is_in_every_language_with_englishs_placeholders(folder: str, lang: str) -> None:
    assert (copy.copy_root() / folder / "copy" / f"{lang}.json").exists(), f"{folder}: no {lang}"
    assert copy.missing(folder, lang) == []
    assert copy.validate(folder, lang, copy.packaged(folder, lang)) == []


def test_validate_names_each_problem() -> None:
    problems = copy.validate(
        "order_confirmation",
        "de",
        {"subjekt": "Bestellung", "intro": "Bestellung {nummer} vom {date}", "button": " "},
    )

    assert problems == [
        "order_confirmation/de: unknown key 'subjekt'",
        "order_confirmation/de: 'intro' has placeholders ['date', 'nummer'], "
        "English has ['date', 'number']",
        "order_confirmation/de: 'button' is empty",
    ]


def test_a_missing_translation_fails_the_catalog_check(tmp_path: Path) -> None:
    folder = tmp_path / "welcome" / "copy"
    folder.mkdir(parents=True)
    (folder / "en.json").write_text(json.dumps({"subject": "Hi", "left_one": "{count} left"}))
    (folder / "fr.json").write_text(json.dumps({"subject": "Salut", "left_one": "1 reste"}))
    copy.packaged.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TAILOR_TEMPLATES", str(tmp_path))
            assert copy.missing("welcome", "fr") == ["left_many", "left_other"]
            assert copy.missing("welcome", "de") == ["left_one", "left_other", "subject"]
    finally:
        copy.packaged.cache_clear()


def test_placeholders_are_the_named_values() -> None:
    assert copy.placeholders("Order {number} of {date}") == {"number", "date"}
    assert copy.placeholders("no values") == set()


@pytest.mark.parametrize(
    ("tag", "shop_default", "language"),
    [
        ("fr-CA", "de", "fr"),
        ("fr_CA", None, "fr"),
        ("pt-BR", "en", "pt"),
        ("ja", "de", "ja"),
        ("pl-PL", "de-DE", "de"),  # Polish is not (yet) written: the shop's default
        ("pl", "sv", "en"),  # neither is Swedish: English
        (None, "nl", "nl"),
        ("", None, "en"),
    ],
)
def test_fallback_chain(tag: str | None, shop_default: str | None, language: str) -> None:
    assert copy.resolve_language(tag, shop_default) == language


def test_money_and_dates_keep_the_region_of_the_emails_language() -> None:
    assert copy.resolve_locale("de-AT", "en") == "de_AT"
    assert copy.resolve_locale("pl-PL", "de-CH") == "de_CH"
    assert copy.resolve_locale("pl-PL", "en") == "en"


def test_copy_is_data_and_values_are_escaped(tmp_path: Path) -> None:
    words = copy.Words("order_confirmation", "en")
    words.texts["intro"] = "<b>{number}</b> & co"

    assert str(words("intro", number="<script>")) == "&lt;b&gt;&lt;script&gt;&lt;/b&gt; &amp; co"
    assert str(words("more_items", count=1)) == "… and 1 more item"
    assert str(words("more_items", count=3)) == "… and 3 more items"


def test_an_email_without_copy_keeps_the_old_layout(tmp_path: Path) -> None:
    """A template folder without copy/ (a merchant's own, or one not yet converted)."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "subject.txt.j2").write_text("Hello {{ first_name }}")
    (tmp_path / "plain" / "body.html.j2").write_text(
        '<html lang="{{ lang }}"><p><a href="{{ confirm_url }}">Confirm</a></p></html>'
    )
    rendered = Renderer(tmp_path).render(
        "plain", {"lang": "en", "first_name": "Ada", "confirm_url": "https://shop.example.com/c"}
    )
    assert rendered.subject == "Hello Ada"
    assert "<mjml" not in rendered.html and "https://shop.example.com/c" in rendered.html
