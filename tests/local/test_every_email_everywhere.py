"""Every email type in every language, as the customer gets it: on a phone, in their
language only, past spam filters and under Gmail's clipping limit.

The demo story plays once, and each invocation of a sender of a type with copy also runs in
every language (tests.helpers.every_email, tailor_local.languages), so each email comes
from its real handler and the story's sample data. The types are those declared in
`tailor.email_types` that have copy; `test_every_declared_email_type_has_copy` names the
ones still waiting for it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from tailor import copy
from tailor.support import canned
from tailor_local import gallery
from tailor_local.cloud import command_template
from tailor_local.demo import STORY, load_story
from tailor_local.languages import Found, with_copy

from tests.helpers.browser import browser
from tests.helpers.every_email import every_language, types_without_copy
from tests.helpers.mail import html_part, text_part
from tests.helpers.mailcheck import GMAIL_CLIP_BYTES, SPAM_LIMIT, spam_scores

PHONE_WIDTH = 390
CONVERTED = with_copy()
# A word is a run of letters of one script (Latin or not: "Alex様" is two); shorter ones
# ("a", "de", "in") say nothing about a language.
_LATIN_LETTERS = "A-Za-zÀ-ɏ"
_WORD = re.compile(rf"[{_LATIN_LETTERS}]{{3,}}|[^\W\d_{_LATIN_LETTERS}]{{3,}}")
_URL = re.compile(r"(?:https?|mailto):\S+|\S+@\S+")
_LATIN = re.compile(rf"[{_LATIN_LETTERS}]")


@pytest.fixture(scope="module")
def told() -> Found:
    """Email type → language → the story's first email of that type, for types with copy."""
    return every_language(CONVERTED)


def every_email(told: Found) -> Iterator[tuple[str, str, EmailMessage]]:
    """(type, language, email) for each type with copy in each language; a type the story
    did not send in some language is a failure, not a gap."""
    for kind in CONVERTED:
        for lang in copy.SUPPORTED:
            assert lang in told[kind], f"the story sent no {kind} in {lang}"
            yield kind, lang, told[kind][lang]


def test_every_declared_email_type_has_copy() -> None:
    """Every type in tailor.email_types is written in the design system, in every language."""
    assert types_without_copy() == []


# ---------------------------------------------------------------------- on a phone
# Each button MJML renders (`<td bgcolor><a>label</a></td>`): how wide the page is, and on
# how many lines each button's label lies (rects of its text, grouped by their top).
MEASURE = """
const labels = [...document.querySelectorAll('td[bgcolor] > a, td[bgcolor] > p')];
return {
  width: document.documentElement.scrollWidth,
  buttons: labels.map((label) => {
    const range = document.createRange();
    range.selectNodeContents(label);
    const tops = new Set([...range.getClientRects()]
      .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
    return {text: label.textContent.trim(), lines: tops.size};
  }),
};
"""


@pytest.mark.browser
@pytest.mark.enable_socket
def test_every_email_fits_a_phone_in_every_language(told: Found, tmp_path: Path) -> None:
    problems, buttons = [], 0
    with browser(javascript=True) as chrome:
        chrome.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": PHONE_WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": True},
        )
        for kind, lang, sent in every_email(told):
            page = tmp_path / f"{kind}-{lang}.html"
            page.write_text(html_part(sent), encoding="utf-8")
            chrome.get(page.as_uri())
            found = chrome.execute_script(MEASURE)
            if found["width"] > PHONE_WIDTH:
                problems.append(f"{kind}/{lang} scrolls sideways: {found['width']} px wide")
            for button in found["buttons"]:
                buttons += 1
                if button["lines"] != 1:
                    problems.append(f"{kind}/{lang}: {button['text']!r} on {button['lines']} lines")
    assert problems == []
    assert buttons >= len(copy.SUPPORTED), "no buttons found: the measure no longer finds them"


GALLERY = """
return {
  languages: [...document.querySelectorAll('nav.langs a')].map(
    (a) => [a.getAttribute('href'), a.hasAttribute('aria-current')]),
  subjects: [...document.querySelectorAll('.subject')].map((h) => h.textContent),
  phones: [...document.querySelectorAll('.phone iframe')].map((f) => f.clientWidth),
};
"""


@pytest.mark.browser
@pytest.mark.enable_socket
def test_the_gallery_shows_each_email_in_every_language_and_on_a_phone(
    told: Found, tmp_path: Path
) -> None:
    gallery.write_languages(tmp_path, told, copy.SUPPORTED)

    with browser(javascript=True) as chrome:
        chrome.get((tmp_path / "languages" / "de.html").as_uri())
        page = chrome.execute_script(GALLERY)

    links = [[f"{lang}.html", lang == "de"] for lang in copy.SUPPORTED]
    assert page["languages"] == links  # plain links to every language, German marked
    assert page["subjects"] == [str(told[kind]["de"]["Subject"]) for kind in CONVERTED]
    assert page["phones"] == [PHONE_WIDTH] * len(CONVERTED)


# ---------------------------------------------------------------------- one language
class _Visible(HTMLParser):
    """What a reader sees or hears of an HTML email: text outside style and script, alt."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.hidden += 1
        alt = dict(attrs).get("alt")
        if alt:
            self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def readable(sent: EmailMessage) -> str:
    """Subject, the HTML part's visible text and the text part, without URLs and addresses."""
    visible = _Visible()
    visible.feed(html_part(sent))
    text = "\n".join([str(sent["Subject"]), *visible.parts, text_part(sent)])
    return _URL.sub(" ", html.unescape(text))


def words(texts: Iterable[str]) -> set[str]:
    return {word.lower() for text in texts for word in _WORD.findall(re.sub(r"\{\w+\}", " ", text))}


@cache
def vocabulary(lang: str) -> frozenset[str]:
    """Every word a language's copy uses (all emails, common, pages) and its country names."""
    texts = [t for folder in copy.folders() for t in copy.packaged(folder, lang).values()]
    # The canned responses' words as a customer reads them: no front matter, tags or URLs.
    answers = [
        re.sub(r"\S*/\S*", " ", re.sub(r"\{[{%#].*?[}%#]\}", " ", response.source.split("---")[-1]))
        for response in canned.packaged(lang).values()
    ]
    locale = Locale.parse(lang)
    # A zone the language has no name for is its localized offset ("GMT-06:00" in ja).
    zones = [str(locale.zone_formats["gmt"])]
    return frozenset(words([*texts, *answers, *zones, *locale.territories.values()]))


@cache
def sample_data() -> re.Pattern[str]:
    """The story's own data as whole strings (names, products, streets, the shipping
    method's title, a customer's message): what the customer or the shop wrote, which no
    translation changes. Whole strings, so that a word of them ("shipping" in "Free
    shipping") still counts anywhere else. Left out: country names, which the email names
    from the code in the customer's language, and product option names ("Size")."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                if name not in ("country", "options"):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value.strip()) >= 3:
            found.add(value.strip())

    # The shop's own settings (its name, postal address) as the story's cloud has them.
    walk(command_template(load_story().parameters, ephemeral=True).parameters)
    for path in STORY.parent.rglob("*"):
        if path.suffix == ".json":
            walk(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".eml":
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            body = message.get_body(preferencelist=("plain",))
            lines = body.get_content().splitlines() if body is not None else []
            walk([str(message["Subject"] or ""), *lines])
    alternatives = "|".join(re.escape(text) for text in sorted(found, key=len, reverse=True))
    # Bounded by Latin letters and digits only: "Alex様" holds the name "Alex".
    return re.compile(rf"(?<![{_LATIN_LETTERS}\d])(?:{alternatives})(?![{_LATIN_LETTERS}\d])")


# A code Tailor issued for the customer (FRIEND-ABCD-EFGH, THANKS-..., REWARD-...): data.
_ISSUED_CODE = re.compile(r"\b[A-Z]+(?:-[A-Z0-9]{4}){2}\b")


def without_data(text: str) -> str:
    return _ISSUED_CODE.sub(" ", sample_data().sub(" ", text))


def foreign_words(text: str, lang: str) -> set[str]:
    """Words of other languages' copy (and country names) in `text`, written for `lang`,
    that are neither `lang`'s own words nor part of the sample's data."""
    others = set().union(*(vocabulary(other) for other in copy.SUPPORTED if other != lang))
    return (words([without_data(text)]) & others) - vocabulary(lang)


def latin_words(text: str) -> list[str]:
    """For Japanese: the Latin-script words of `text` outside the sample's data and the
    Japanese copy's own (a brand word it keeps in Latin letters)."""
    own = vocabulary("ja")
    found = _WORD.findall(without_data(text))
    return [word for word in found if _LATIN.match(word) and word.lower() not in own]


def test_every_email_is_in_its_language_only(told: Found) -> None:
    problems = {}
    for kind, lang, sent in every_email(told):
        text = readable(sent)
        foreign = foreign_words(text, lang)
        if foreign:
            problems[f"{kind}/{lang}"] = sorted(foreign)
        if lang == "ja" and latin_words(text):
            problems[f"{kind}/{lang}"] = latin_words(text)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))


def test_the_language_check_finds_english_a_handler_left_in_a_german_email(
    told: Found,
) -> None:
    german = readable(told[CONVERTED[0]]["de"])
    english = readable(told[CONVERTED[0]]["en"])
    assert foreign_words(german, "de") == set() and foreign_words(english, "en") == set()

    broken_german = german + "\nSize 13\nTulsa, United States\nShipping to\n"
    broken_english = english + "\nTulsa, Vereinigte Staaten\nVersand nach\n"

    assert foreign_words(broken_german, "de") >= {"size", "united", "states", "shipping"}
    assert foreign_words(broken_english, "en") >= {"vereinigte", "staaten", "versand"}
    assert latin_words("ご注文ありがとうございます。Classic Oxford、Size 13") == ["Size"]


# ---------------------------------------------------------------------- mailbox checks
def test_every_email_in_every_language_stays_under_gmails_clipping_limit(
    told: Found,
) -> None:
    sizes = {f"{k}/{lang}": len(html_part(sent).encode()) for k, lang, sent in every_email(told)}
    assert {where: size for where, size in sizes.items() if size >= GMAIL_CLIP_BYTES} == {}


@pytest.mark.spam
def test_spamassassin_passes_every_type_and_every_language(
    told: Found,
) -> None:
    """Every type in English, and two types in every language: SpamAssassin's rules look
    at structure and English phrases, so the other languages of two types stand for all."""
    sample = {f"{kind}/en": told[kind]["en"] for kind in CONVERTED}
    for kind in CONVERTED[:2]:
        sample |= {f"{kind}/{lang}": told[kind][lang] for lang in copy.SUPPORTED}
    names = sorted(sample)
    scores = dict(zip(names, spam_scores([sample[n] for n in names]), strict=True))
    assert {n: s for n, s in scores.items() if s >= SPAM_LIMIT} == {}, scores
