"""Rendering: Jinja2 templates in a sandbox, CSS inlined for email clients, text derived from HTML.

Shop staff edit these templates, so they run in Jinja's sandbox; customer text is always
data (autoescaped in HTML, never evaluated), and an undefined variable is an error rather
than silently blank output. Subjects are one line by construction. Every URL a template puts
in an `href` or `src` passes the `safe_url` filter (tailor.links.safe_url): what is not an
absolute http(s) URL becomes "", and `{% if x|safe_url %}` leaves the link out.
"""

from __future__ import annotations

import hashlib
import html as html_entities
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import BytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tailor import copy, i18n, links
from tailor.copy import templates_root as templates_root  # copy reads templates too

if TYPE_CHECKING:
    # Only a type here: the layer's build renders nothing and must not load pydantic's
    # compiled core, built for the Lambda's architecture, not the build machine's.
    from tailor.events.canonical import Money

# Gmail clips messages whose HTML exceeds about 102 KB; stay clear of it.
GMAIL_CLIP_BYTES = 102 * 1024
MAX_SUBJECT_LENGTH = 200


class EmailTooLarge(ValueError):
    """The rendered HTML would be clipped by Gmail."""

    def __init__(self, email_type: str, size: int) -> None:
        super().__init__(f"{email_type} HTML is {size} bytes, over {GMAIL_CLIP_BYTES}")
        self.size = size


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


# Where the layer's build leaves every template compiled (`tailor.build`), inside the
# templates folder it was compiled from.
COMPILED = "__compiled__"


class CompiledTemplates(BytecodeCache):
    """Templates compiled when the layer was built: a cold start loads each one's code
    instead of compiling it (an email's layout, components and body take about 150 ms).
    Jinja checks each entry against its template's source, so a template that differs from
    the one compiled is compiled as before. Only the build writes (the layer is read-only)."""

    def __init__(self, directory: Path, writes: bool = False) -> None:
        self.directory = directory
        self.writes = writes

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # The name alone: the build compiles the templates at another path than Lambda's.
        return hashlib.sha256(name.encode()).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with (self.directory / bucket.key).open("rb") as compiled:
                bucket.load_bytecode(compiled)
        except FileNotFoundError:
            pass

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self.writes:
            self.directory.mkdir(exist_ok=True)
            with (self.directory / bucket.key).open("wb") as compiled:
                bucket.write_bytecode(compiled)


class Renderer:
    def __init__(self, root: Path | None = None, compiling: bool = False) -> None:
        self.root = root or templates_root()
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(self.root),
            bytecode_cache=CompiledTemplates(self.root / COMPILED, writes=compiling),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["money"] = _money_filter
        self.env.filters["safe_url"] = _safe_url_filter
        self.env.filters["text_on"] = _text_on_filter
        self.env.filters["legible"] = _legible_filter

    def render(self, email_type: str, context: Mapping[str, Any]) -> Rendered:
        """Subject, inlined HTML and text of `templates/<email_type>/` in the context's language."""
        if (self.root / email_type / "copy" / f"{copy.SOURCE_LANGUAGE}.json").exists():
            return self._render_designed(email_type, context)
        lang = str(context.get("lang") or "en")
        subject = self._pick(email_type, "subject.txt.j2", lang).render(context)
        html = self._pick(email_type, "body.html.j2", lang).render(context)
        html = _inliner().inline(html)
        size = len(html.encode("utf-8"))
        if size > GMAIL_CLIP_BYTES:
            raise EmailTooLarge(email_type, size)
        return Rendered(subject=one_line(subject), html=html, text=html_to_text(html))

    def _render_designed(self, email_type: str, context: Mapping[str, Any]) -> Rendered:
        """An email built from components and copy: the body rendered twice, as MJML for
        the HTML part and as plain text for the text part, each component writing itself
        in that format, every word from the language's copy file."""
        lang = copy.resolve_language(str(context.get("lang") or ""))
        base = {**context, "lang": lang, "t": copy.Words(email_type, lang)}
        body = self.env.get_template(f"{email_type}/body.html.j2")
        subject = self.env.get_template(f"{email_type}/subject.txt.j2").render(base)
        html = _inliner().inline(mjml_to_html(body.render({**base, "format": "html"})))
        size = len(html.encode("utf-8"))
        if size > GMAIL_CLIP_BYTES:
            raise EmailTooLarge(email_type, size)
        text = tidy_text(html_entities.unescape(body.render({**base, "format": "text"})))
        return Rendered(subject=one_line(html_entities.unescape(subject)), html=html, text=text)

    def compile_all(self) -> int:
        """Compile every template this renderer renders (the layer's build); how many."""
        names = self.env.list_templates(filter_func=_rendered_here)
        for name in names:
            self.env.get_template(name)
        return len(names)

    def _pick(self, email_type: str, name: str, lang: str) -> Any:
        stem, _, extension = name.partition(".")
        return self.env.select_template(
            [f"{email_type}/{stem}.{lang}.{extension}", f"{email_type}/{name}"]
        )


def _rendered_here(name: str) -> bool:
    # The desk's canned responses and the console's pages have environments of their own.
    return name.endswith(".j2") and not name.startswith(("canned/", "console/"))


def one_line(text: str) -> str:
    """Collapse whitespace (including CR and LF) so a subject can never break a header."""
    collapsed = " ".join(text.split())
    return collapsed[:MAX_SUBJECT_LENGTH]


@cache
def _inliner() -> Any:
    # Imported on first email, not at cold start: page-only functions never need it.
    import css_inline

    return css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def mjml_to_html(source: str) -> str:
    """MJML (the components' markup) to email HTML: MRML, a Rust port, about 2 ms."""
    import mjml

    return str(mjml.mjml2html(source, disable_comments=True))


def tidy_text(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    result = "\n".join(lines).strip()
    while "\n\n\n" in result:
        result = result.replace("\n\n\n", "\n\n")
    return result + "\n"


def html_to_text(html: str) -> str:
    from inscriptis import get_text
    from inscriptis.model.config import ParserConfig

    lines = [
        line.rstrip() for line in get_text(html, ParserConfig(display_links=True)).splitlines()
    ]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


def _safe_url_filter(value: object) -> str:
    return links.safe_url(value) or ""


# The body's ink and its page: a merchant's colour is text only where it reads (WCAG AA).
INK, PAPER = "#1f2328", "#ffffff"
_AA = 4.5


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    darker, lighter = sorted((_luminance(one), _luminance(other)))
    return (lighter + 0.05) / (darker + 0.05)


def _text_on_filter(background: str) -> str:
    """Text on a button of the brand colour: white, or the ink when white would not read."""
    return PAPER if contrast(PAPER, background) >= _AA else INK


def _legible_filter(colour: str) -> str:
    """A link in the brand colour on white, or in the ink when that colour is too pale."""
    return colour if contrast(colour, PAPER) >= _AA else INK


def _money_filter(value: Money, locale: str | None = None) -> str:
    return i18n.money(value.amount, value.currency, locale)


@cache
def renderer() -> Renderer:
    return Renderer()
