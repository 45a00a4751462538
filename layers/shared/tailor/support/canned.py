"""Canned responses: a library of answers that know the ticket, the customer and the order.

Each response is a Jinja text template with a small front matter:

    ---
    title: Returns and exchanges
    intents: return, exchange
    keywords: return, send back
    ---
    Everything in your order {{ order.number }} can be returned ...

Every response is written in every supported language (`tailor.copy.SUPPORTED`): the
packaged library is `templates/canned/<lang>/<id>.txt.j2`, and a test fails when a response
lacks a language or a translation answers other intents than English's. Shop staff change
or add responses without a deploy by uploading files of the same form to the mail bucket
under the canned prefix: `canned/<lang>/<id>.txt.j2` for one language, and, as before the
library spoke several languages, `canned/<id>.txt.j2` for English. Overrides are read at
most every five minutes per container (as copy overrides are, `tailor.copy`), so an upload
shows within five minutes and a busy support desk does not list the bucket per email.

A library is loaded for one language, the ticket's, chosen as for every support email
(`tailor.support.context.language_for`: the customer's profile locale, else her order's,
else the shop's DefaultLocale, through `tailor.copy.resolve_language`, so `fr-CA` is
French and an unsupported language the shop's): for each response id, that language's
override, else its packaged text, else English's override, else English's packaged text.
So a shop's own response written only in English still serves every customer, while a
shop that rewrote a packaged response un-prefixed should upload its translations under
`canned/<lang>/` too, or other languages keep the packaged wording. Templates run
in Jinja's immutable sandbox. A field the template needs but the context lacks renders as
a prompt for the agent, such as `[add tracking number]`, never as blank text; the prompts
are listed, so nothing with a prompt left in it reaches a customer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import ChainableUndefined, Template, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tailor.copy import OVERRIDE_TTL_SECONDS, SOURCE_LANGUAGE, SUPPORTED
from tailor.observability import logger
from tailor.render import templates_root

SUFFIX = ".txt.j2"
MAX_OVERRIDES = 200
MAX_TEMPLATE_BYTES = 64 * 1024
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)

_missing: ContextVar[list[str] | None] = ContextVar("canned_missing", default=None)


class Prompt(ChainableUndefined):
    """An undefined field: renders `[add tracking number]` and records what is missing."""

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_hint is not None:  # unsafe attribute access in the sandbox
            self._fail_with_undefined_error()
        label = " ".join(str(self._undefined_name or "detail").replace("_", " ").split())
        missing = _missing.get()
        if missing is not None and label not in missing:
            missing.append(label)
        return f"[add {label}]"

    def __getattr__(self, name: str) -> Any:
        if self._undefined_hint is not None:  # chained from an unsafe access
            self._fail_with_undefined_error()
        if name[:2] == "__":
            raise AttributeError(name)
        return Prompt(name=_field_name(self._undefined_name, name))

    def __getitem__(self, key: Any) -> Any:
        return self if isinstance(key, int) else self.__getattr__(str(key))


class Fields:
    """A mapping of the context that knows its own name (`order`), for prompt labels.

    Deliberately not a dict: `order.items` must be the order's items, not `dict.items`."""

    __slots__ = ("path", "values")

    def __init__(self, path: str, values: Mapping[str, Any]) -> None:
        self.path = path
        self.values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def __bool__(self) -> bool:
        return bool(self.values)

    def __len__(self) -> int:
        return len(self.values)


def _field_name(parent: str | None, key: str) -> str:
    """`tracking_number` reads on its own; `number` needs its parent: `order number`."""
    if "_" in key or not parent:
        return key
    return f"{parent} {key}"


class _Sandbox(ImmutableSandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        if isinstance(value, Undefined) and isinstance(obj, Fields):
            return Prompt(name=_field_name(obj.path, attribute))
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if isinstance(value, Undefined) and isinstance(obj, Fields):
            return Prompt(name=_field_name(obj.path, str(argument)))
        return value


@dataclass(frozen=True)
class Canned:
    canned_id: str
    title: str
    intents: tuple[str, ...]
    keywords: tuple[str, ...]
    source: str
    origin: Literal["packaged", "override"]
    lang: str = SOURCE_LANGUAGE

    def score(self, intent: str, text: str) -> int:
        """How well this response answers a message of `intent` (0: it does not)."""
        if intent not in self.intents:
            return 0
        folded = text.lower()
        hits = sum(1 for k in self.keywords if re.search(_keyword_pattern(k), folded))
        base = 20 if self.intents[0] == intent else 10
        return base + min(hits, 5) - (1 if self.keywords and not hits else 0)


@dataclass(frozen=True)
class RenderedCanned:
    canned_id: str
    title: str
    text: str
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


class CannedError(ValueError):
    """A canned response file is malformed."""


# Scripts written without spaces between words (Japanese): a keyword there is found
# anywhere, as no word boundary surrounds it.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _keyword_pattern(keyword: str) -> str:
    """A keyword as a whole word (`return`, not `returned`), except in unspaced scripts."""
    folded = re.escape(keyword.lower())
    before = "" if _UNSPACED.match(keyword[0]) else r"(?<!\w)"
    after = "" if _UNSPACED.match(keyword[-1]) else r"(?!\w)"
    return f"{before}{folded}{after}"


def parse_canned(
    canned_id: str,
    text: str,
    origin: Literal["packaged", "override"],
    lang: str = SOURCE_LANGUAGE,
) -> Canned:
    if not _ID.match(canned_id):
        raise CannedError(f"canned response id {canned_id!r}: use lower-case letters, digits, _")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise CannedError(f"canned response {canned_id}: front matter (--- title: ... ---) missing")
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, colon, value = line.partition(":")
        if colon:
            meta[key.strip().lower()] = value.strip()
    if not meta.get("title"):
        raise CannedError(f"canned response {canned_id}: title is missing")
    return Canned(
        canned_id=canned_id,
        title=meta["title"],
        intents=_words(meta.get("intents", "")) or ("other",),
        keywords=_words(meta.get("keywords", "")),
        source=text[match.end() :],
        origin=origin,
        lang=lang,
    )


def _words(value: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in value.split(",") if w.strip())


class Library:
    def __init__(self, responses: Mapping[str, Canned], lang: str = SOURCE_LANGUAGE) -> None:
        self.responses = dict(responses)
        self.lang = lang

    @classmethod
    def load(
        cls, bucket: str | None = None, prefix: str = "canned/", lang: str = SOURCE_LANGUAGE
    ) -> Library:
        """The responses in `lang` (a supported language), each falling back to English:
        the packaged ones, overridden and extended by the shop's own in S3."""
        responses: dict[str, Canned] = {}
        for language in dict.fromkeys([SOURCE_LANGUAGE, lang]):  # English first, then lang's
            responses.update(packaged(language))
            if bucket:
                responses.update((c.canned_id, c) for c in _overrides(bucket, prefix, language))
        return cls(responses, lang)

    def get(self, canned_id: str) -> Canned | None:
        return self.responses.get(canned_id)

    def ranked(self, intent: str, text: str) -> list[Canned]:
        """Responses answering `intent`, best first (ties by id, so the choice is stable)."""
        scored = [(c.score(intent, text), c.canned_id, c) for c in self.responses.values()]
        return [c for score, _, c in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]

    def render(self, canned: Canned, context: Mapping[str, Any]) -> RenderedCanned:
        """The response filled from the context; on a template error, the packaged one."""
        try:
            return _render(canned, context)
        except Exception as error:  # a staff-edited template can fail in any way
            fallback = packaged(canned.lang).get(canned.canned_id)
            logger.warning(
                "canned response failed to render",
                extra={"canned_id": canned.canned_id, "origin": canned.origin, "error": str(error)},
            )
            if canned.origin == "override" and fallback is not None:
                return _render(fallback, context)
            raise


def _render(canned: Canned, context: Mapping[str, Any]) -> RenderedCanned:
    missing: list[str] = []
    token = _missing.set(missing)
    try:
        fields = present(context)
        text = _template(canned.source).render(fields.values)
    finally:
        _missing.reset(token)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines()))
    return RenderedCanned(
        canned_id=canned.canned_id,
        title=canned.title,
        text=text.strip(),
        missing=tuple(missing),
    )


def present(value: Any, path: str = "") -> Any:
    """The context without None or empty values, so a missing field prompts instead of
    rendering as `None` or nothing."""
    if isinstance(value, Mapping):
        return Fields(
            path,
            {
                str(k): present(v, str(k))
                for k, v in value.items()
                if v is not None and v != "" and v != [] and v != {}
            },
        )
    if isinstance(value, list | tuple):
        return [present(v, path) for v in value if v is not None]
    return value


@cache
@cache
def _environment() -> ImmutableSandboxedEnvironment:
    return _Sandbox(
        undefined=Prompt,
        autoescape=False,
        keep_trailing_newline=False,
    )


# Compiling a response costs many times rendering it, and the desk renders several per
# email (the ranked candidates); a source compiles once per container. Bounded, as shop
# staff may upload (MAX_OVERRIDES per language) and change overrides while it runs.
@lru_cache(maxsize=512)
def _template(source: str) -> Template:
    return _environment().from_string(source)


@cache
def packaged(lang: str = SOURCE_LANGUAGE) -> dict[str, Canned]:
    """The responses written in `lang` that ship with Tailor (no fallback)."""
    return dict(_packaged(templates_root() / "canned" / lang, lang))


def _packaged(folder: Path, lang: str) -> Iterator[tuple[str, Canned]]:
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        canned_id = path.name[: -len(SUFFIX)]
        text = path.read_text(encoding="utf-8")
        yield canned_id, parse_canned(canned_id, text, "packaged", lang)


def missing_translations() -> list[str]:
    """What keeps the packaged library from speaking every supported language: a response
    English has that a language lacks (or the reverse), or a translation that answers
    other intents than English's (empty when nothing)."""
    english = packaged(SOURCE_LANGUAGE)
    problems = []
    for lang in SUPPORTED:
        translated = packaged(lang)
        problems += [f"{lang}: no {cid}{SUFFIX}" for cid in sorted(english.keys() - translated)]
        problems += [f"{lang}: {cid}{SUFFIX} has no English" for cid in translated.keys() - english]
        problems += [
            f"{lang}: {cid}{SUFFIX} answers {canned.intents}, English {english[cid].intents}"
            for cid, canned in sorted(translated.items())
            if cid in english and canned.intents != english[cid].intents
        ]
    return problems


def _overrides(bucket: str, prefix: str, lang: str) -> Iterator[Canned]:
    """The shop's responses in `lang`: `canned/<lang>/<id>.txt.j2`, and for English also the
    un-prefixed `canned/<id>.txt.j2` (the lang-specific file wins)."""
    folders = [prefix, f"{prefix}{lang}/"] if lang == SOURCE_LANGUAGE else [f"{prefix}{lang}/"]
    for folder in folders:
        yield from _cached_overrides(bucket, folder, lang)


_cache: dict[tuple[str, str, str], tuple[float, list[Canned]]] = {}


def _cached_overrides(bucket: str, folder: str, lang: str) -> list[Canned]:
    """The shop's overrides in one folder, read at most every five minutes per container."""
    now = time.monotonic()
    cached = _cache.get((bucket, folder, lang))
    if cached and now - cached[0] < OVERRIDE_TTL_SECONDS:
        return cached[1]
    overrides = list(_overrides_in(bucket, folder, lang))
    _cache[(bucket, folder, lang)] = (now, overrides)
    return overrides


def clear_cache() -> None:
    """Forget the overrides read (a new container, a test that uploads others)."""
    _cache.clear()


def _overrides_in(bucket: str, folder: str, lang: str) -> Iterator[Canned]:
    from tailor import aws

    s3 = aws.client("s3")
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=folder, Delimiter="/", MaxKeys=MAX_OVERRIDES)
    for entry in listing.get("Contents", []):
        key = str(entry["Key"])
        name = key[len(folder) :]
        if not name.endswith(SUFFIX) or "/" in name or int(entry["Size"]) > MAX_TEMPLATE_BYTES:
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            yield parse_canned(name[: -len(SUFFIX)], body.decode("utf-8"), "override", lang)
        except (CannedError, UnicodeDecodeError) as error:
            logger.warning("canned override ignored", extra={"key": key, "error": str(error)})


def paragraphs(text: str) -> list[list[list[dict[str, str]]]]:
    """Plain text as paragraphs of lines of segments (text, or a link to an https URL),
    so email templates render it with autoescaping and clickable links."""
    result = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            segments: list[dict[str, str]] = []
            position = 0
            for match in re.finditer(r"https?://[^\s<>\"]+", line):
                url = match.group(0).rstrip(".,;:!?)]'")
                if match.start() > position:
                    segments.append({"text": line[position : match.start()], "href": ""})
                segments.append({"text": url, "href": url})
                position = match.start() + len(url)
            if position < len(line):
                segments.append({"text": line[position:], "href": ""})
            lines.append(segments)
        if lines:
            result.append(lines)
    return result
