"""Copy: the words of every email, one flat JSON file per language, that translators and
merchants edit without touching a template.

`templates/<email_type>/copy/<lang>.json` holds an email's own words (`subject`,
`preheader`, then its blocks: `heading`, `intro`, `button` ...), and
`templates/common/copy/<lang>.json` the layout's, footer's and components' ("Subtotal").
A text may name values as `{name}`; a word that depends on a count has one key per CLDR
plural category of the language (`left_one`, `left_other`; `_many` in French). A merchant
changes words by putting a partial mapping at `copy/<email_type>/<lang>.json` in the copy
bucket; an override that does not validate is ignored, with a warning naming the key.

Copy is data: `Words` escapes it for HTML, and escapes the values it interpolates unless a
template passes Markup (a `<strong>` order number).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from markupsafe import Markup, escape

from tailor.observability import logger

# The languages every email is written in; a copy file is missing one is a failing test.
SUPPORTED = ("en", "de", "fr", "es", "it", "nl", "pt", "ja")
SOURCE_LANGUAGE = "en"
COMMON = "common"
# A container reads a merchant's overrides when it starts and then every five minutes (S3
# charges per read; words changed in the console wait that long at most).
OVERRIDE_TTL_SECONDS = 300
MAX_OVERRIDE_BYTES = 64 * 1024

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLURAL_SUFFIXES = ("_zero", "_one", "_two", "_few", "_many", "_other")


class CopyError(ValueError):
    """A copy file or override that cannot be used; the message names the key at fault."""


def resolve_language(tag: str | None, shop_default: str | None = None) -> str:
    """The supported language an email is written in: `fr-CA` → `fr` → the shop's default
    (DefaultLocale) → English."""
    for candidate in (tag, shop_default):
        language = supported_language(candidate)
        if language:
            return language
    return SOURCE_LANGUAGE


def supported_language(tag: str | None) -> str | None:
    """The supported language of a tag (`fr-CA` → `fr`), None for any other (`pl`)."""
    language = _language_of(tag) if tag else None
    return language if language in SUPPORTED else None


def _language_of(tag: str) -> str:
    return tag.strip().replace("_", "-").split("-")[0].lower()


def resolve_locale(tag: str | None, shop_default: str | None = None) -> str:
    """The Babel locale (language and region) money and dates are formatted in: the tag's
    own when its language is the email's (`de-AT` keeps Austria), else the language's."""
    language = resolve_language(tag, shop_default)
    for candidate in (tag, shop_default):
        if candidate and _language_of(candidate) == language:
            parsed = candidate.strip().replace("-", "_")
            try:
                return str(Locale.parse(parsed))
            except (ValueError, TypeError):
                break
    return language


def templates_root() -> Path:
    """TAILOR_TEMPLATES if set, else `tailor/templates` (a link to the repository's
    `templates/` that `sam build` resolves into a copy inside the layer)."""
    configured = os.environ.get("TAILOR_TEMPLATES")
    return Path(configured) if configured else Path(__file__).with_name("templates")


def copy_root() -> Path:
    return templates_root()


def folders() -> list[str]:
    """Every copy folder there is: `common` and each email type (or page) with copy."""
    return sorted(path.parent.parent.name for path in copy_root().glob("*/copy/en.json"))


@cache
def packaged(email_type: str, lang: str) -> dict[str, str]:
    path = copy_root() / email_type / "copy" / f"{lang}.json"
    if not path.exists():
        return {}
    return _flat(json.loads(path.read_text(encoding="utf-8")), str(path))


def plural_keys(stem: str, lang: str) -> set[str]:
    """The keys a count-dependent text needs in `lang` (CLDR categories plus `other`)."""
    return {f"{stem}_{tag}" for tag in Locale.parse(lang).plural_form.tags | {"other"}}


def placeholders(text: str) -> set[str]:
    """The `{name}`s a text interpolates."""
    return {match.group(1) for match in _PLACEHOLDER.finditer(text)}


def validate(email_type: str, lang: str, mapping: Mapping[str, Any]) -> list[str]:
    """What is wrong with `mapping` as `lang` copy of `email_type` (empty when nothing):
    keys English does not have, placeholders other than English's, empty texts."""
    reference = packaged(email_type, SOURCE_LANGUAGE)
    problems = []
    for key, text in mapping.items():
        base = stem(key)
        english = reference.get(key) or reference.get(f"{base}_other")
        if english is None:
            problems.append(f"{email_type}/{lang}: unknown key {key!r}")
            continue
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{email_type}/{lang}: {key!r} is empty")
            continue
        bad = [name for name in placeholders(text) if not _IDENTIFIER.match(name)]
        if bad:
            problems.append(f"{email_type}/{lang}: {key!r} has malformed placeholder {{{bad[0]}}}")
            continue
        expected, found = placeholders(english), placeholders(text)
        if base != key:  # a plural form may leave the count out ("one item")
            expected.discard("count")
            found.discard("count")
        if found != expected:
            problems.append(
                f"{email_type}/{lang}: {key!r} has placeholders {sorted(found)}, "
                f"English has {sorted(expected)}"
            )
    return problems


def missing(email_type: str, lang: str) -> list[str]:
    """The keys English has that `lang`'s packaged copy lacks (plural keys per CLDR)."""
    have = packaged(email_type, lang)
    wanted: set[str] = set()
    for key in packaged(email_type, SOURCE_LANGUAGE):
        base = stem(key)
        wanted |= plural_keys(base, lang) if base != key else {key}
    return sorted(wanted - have.keys())


def blocks(email_type: str, lang: str) -> dict[str, str]:
    """The words of `email_type` in `lang`: English, under the packaged translation, under
    the merchant's valid override."""
    result = {**packaged(email_type, SOURCE_LANGUAGE), **packaged(email_type, lang)}
    draft = (_drafts.get() or {}).get((email_type, lang))
    result.update(_override(email_type, lang) if draft is None else draft)
    return result


# Unsaved overrides a preview renders with, in place of the stored ones.
_drafts: ContextVar[Mapping[tuple[str, str], dict[str, str]] | None] = ContextVar(
    "copy_drafts", default=None
)


@contextmanager
def drafted(email_type: str, lang: str, mapping: Mapping[str, str]) -> Iterator[None]:
    """Render `email_type` in `lang` with `mapping` as the override, within the block (the
    console's preview of words not saved yet)."""
    token = _drafts.set({**(_drafts.get() or {}), (email_type, lang): dict(mapping)})
    try:
        yield
    finally:
        _drafts.reset(token)


class Words:
    """`t("key", name=value)` in templates: a text of the email's own copy, else common's,
    escaped, its placeholders filled; `count=n` picks the plural form."""

    def __init__(self, email_type: str, lang: str) -> None:
        self.lang = lang
        self.texts = {**blocks(COMMON, lang), **blocks(email_type, lang)}
        self.email_type = email_type

    def __call__(self, key: str, **values: Any) -> Markup:
        if key not in self.texts and "count" in values:
            category = Locale.parse(self.lang).plural_form(values["count"])
            key = f"{key}_{category}" if f"{key}_{category}" in self.texts else f"{key}_other"
        try:
            text = self.texts[key]
        except KeyError:
            raise CopyError(f"{self.email_type}/{self.lang}: no copy for {key!r}") from None

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise CopyError(f"{self.email_type}/{self.lang}: {key!r} needs {{{name}}}")
            return str(escape(values[name]))

        # The copy and every value are escaped here, so the result is safe HTML.
        return Markup(_PLACEHOLDER.sub(value, str(escape(text))))  # noqa: S704


def stem(key: str) -> str:
    for suffix in PLURAL_SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def _flat(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise CopyError(f"{where}: copy is a flat JSON object of texts")
    return {str(k): v for k, v in data.items()}


_cache: dict[tuple[str, str, str], tuple[float, dict[str, str]]] = {}


def _override(email_type: str, lang: str) -> dict[str, str]:
    """The merchant's changed keys from S3, read at most every five minutes per container."""
    # COPY_BUCKET (Settings.copy_bucket, validated at cold start); read directly so that
    # rendering needs no other setting.
    bucket = os.environ.get("COPY_BUCKET", "")
    if not bucket:
        return {}
    now = time.monotonic()
    cached = _cache.get((bucket, email_type, lang))
    if cached and now - cached[0] < OVERRIDE_TTL_SECONDS:
        return cached[1]
    mapping = _read_override(bucket, f"copy/{email_type}/{lang}.json")
    _cache[(bucket, email_type, lang)] = (now, mapping)
    return mapping


def _read_override(bucket: str, key: str) -> dict[str, str]:
    from botocore.exceptions import ClientError

    from tailor import aws

    try:
        body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read(MAX_OVERRIDE_BYTES)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
            logger.warning("copy override unreadable", extra={"key": key, "error": str(error)})
        return {}
    _, email_type, name = key.split("/")
    try:
        mapping = _flat(json.loads(body), key)
    except (CopyError, ValueError) as error:
        logger.warning("copy override ignored", extra={"key": key, "error": str(error)})
        return {}
    problems = validate(email_type, name.removesuffix(".json"), mapping)
    if problems:
        logger.warning("copy override ignored", extra={"key": key, "error": "; ".join(problems)})
        return {}
    return mapping


def clear_cache() -> None:
    """Forget overrides read (tests, and a merchant preview after an edit)."""
    _cache.clear()
