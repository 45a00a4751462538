"""The copy desk: an email's words per language as staff edit them in the console.

The form shows every key English has (plural keys per the language's CLDR categories), the
language's current words and English's beside them. Saving keeps only the keys that differ
from the packaged translation, as the override `tailor.copy` reads (`copy/<type>/<lang>.json`
in the mail bucket): what the functions send within a minute, without a deploy.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tailor import copy, samples
from tailor.console.overrides import Overrides
from tailor.email_types import EMAIL_TYPES
from tailor.events.canonical import Money
from tailor.render import Rendered, renderer, templates_root
from tailor.support import canned

FIELD = "k:"  # form field names: `k:subject`, `k:intro` ...
LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "nl": "Nederlands",
    "pt": "Português",
    "ja": "日本語",
}


@dataclass(frozen=True)
class Folder:
    name: str
    converted: bool  # its words are in copy files (else still in its templates)


def listing() -> list[Folder]:
    """Every email type, and `common` (layout, footer, components), in declaration order."""
    have = set(copy.folders())
    names = [*EMAIL_TYPES, copy.COMMON]
    return [Folder(n, n in have) for n in names]


def editable(folder: str, lang: str) -> bool:
    return folder in copy.folders() and lang in copy.SUPPORTED


def override_key(folder: str, lang: str) -> str:
    return f"copy/{folder}/{lang}.json"


def keys(folder: str, lang: str) -> list[str]:
    """The keys the form shows: English's order, a plural key as `lang`'s CLDR forms."""
    result: list[str] = []
    for key in copy.packaged(folder, copy.SOURCE_LANGUAGE):
        stem = copy.stem(key)
        wanted = copy.plural_keys(stem, lang) if stem != key else {key}
        forms = [f"{stem}{s}" for s in copy.PLURAL_SUFFIXES] if stem != key else [key]
        result.extend(k for k in forms if k in wanted and k not in result)
    return result


def english(folder: str, key: str) -> str:
    reference = copy.packaged(folder, copy.SOURCE_LANGUAGE)
    return reference.get(key) or reference.get(f"{copy.stem(key)}_other", "")


def stored(store: Overrides, folder: str, lang: str) -> dict[str, str]:
    """The saved override (read directly: the console shows what was saved, uncached)."""
    text = store.current(override_key(folder, lang))
    loaded = json.loads(text) if text else {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def current(store: Overrides, folder: str, lang: str) -> dict[str, str]:
    """The words in force: the packaged translation under the saved override."""
    return {**copy.packaged(folder, lang), **stored(store, folder, lang)}


def submitted(folder: str, lang: str, form: dict[str, str]) -> dict[str, str]:
    """The form's words; a text left blank that the language has no translation for yet
    stays untranslated (it shows English) rather than being an empty text."""
    untranslated = set(copy.missing(folder, lang))
    words = {
        k[len(FIELD) :]: v.replace("\r\n", "\n") for k, v in form.items() if k.startswith(FIELD)
    }
    return {k: v for k, v in words.items() if v.strip() or k not in untranslated}


def changes(folder: str, lang: str, words: dict[str, str]) -> dict[str, str]:
    """The submitted words that differ from the packaged translation: the override."""
    packaged = copy.packaged(folder, lang)
    return {k: v for k, v in words.items() if packaged.get(k) != v}


def problems(folder: str, lang: str, words: dict[str, str]) -> list[str]:
    """Why the submitted words cannot be saved: unknown fields, wrong or malformed
    placeholders, empty texts (`tailor.copy.validate`)."""
    return copy.validate(folder, lang, words)


def untranslated(folder: str, lang: str, override: dict[str, str]) -> list[str]:
    """Keys with no translation in `lang`, packaged or saved: they show English."""
    return [k for k in copy.missing(folder, lang) if k not in override]


@dataclass(frozen=True)
class Data:
    """What a preview is shown on: the type's sample, or its last real email."""

    context: dict[str, Any]
    label: str


def preview_data(bucket: str, email_type: str, lang: str, last: bool) -> Data | None:
    """The last real `email_type` email in `lang` when asked for and kept, else the
    type's sample (None: neither)."""
    sample = samples.sample(email_type)
    kept = samples.last_event(bucket, email_type, lang) if last else None
    if kept is not None:
        context, sent_at = kept
        # Marketing mail's own links are not kept: the sample's stand in.
        merged = {**(sample or {}), **context}
        return Data(
            merged, f"the last real email in this language, sent {sent_at:%Y-%m-%d %H:%M} UTC"
        )
    return Data(sample, "sample data") if sample is not None else None


def preview(
    email_type: str, lang: str, folder: str, override: dict[str, str], data: Data
) -> Rendered:
    """`email_type` on `data` in `lang`, with `override` as `folder`'s words."""
    with copy.drafted(folder, lang, override):
        return renderer().render(email_type, {**data.context, "lang": lang, "locale": lang})


def export(store: Overrides, canned_store: Overrides, canned_prefix: str) -> bytes:
    """Every saved copy override as the repository's file (`templates/<type>/copy/<lang>.json`:
    the packaged words with the override applied), and every canned override as it is, in
    a zip to unpack at the repository's root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key in store.keys("copy/"):
            parts = key.split("/")
            if len(parts) != 3 or not parts[2].endswith(".json"):
                continue
            folder, lang = parts[1], parts[2].removesuffix(".json")
            if not editable(folder, lang):
                continue
            words = current(store, folder, lang)
            file = json.dumps(words, ensure_ascii=False, indent=2) + "\n"
            archive.writestr(f"templates/{folder}/copy/{lang}.json", file)
        for key in canned_store.keys(canned_prefix):
            response = canned_store.current(key)
            if response is not None:
                archive.writestr(_canned_file(key[len(canned_prefix) :]), response)
    return buffer.getvalue()


def _canned_file(name: str) -> str:
    """The packaged file an override under the canned prefix stands for: `<lang>/<id>`,
    and an un-prefixed `<id>` is English's."""
    if "/" not in name:
        name = f"{copy.SOURCE_LANGUAGE}/{name}"
    return f"templates/canned/{name}"


def dumps(words: dict[str, Any]) -> str:
    return json.dumps(words, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------- canned responses
def canned_key(prefix: str, lang: str, canned_id: str) -> str:
    """Where the desk reads a response's override in `lang` (`tailor.support.canned`)."""
    return f"{prefix}{lang}/{canned_id}{canned.SUFFIX}"


def canned_source(lang: str, canned_id: str) -> str | None:
    """The packaged response's file in `lang`, front matter and all."""
    path = templates_root() / "canned" / lang / f"{canned_id}{canned.SUFFIX}"
    return path.read_text(encoding="utf-8") if path.exists() else None


def canned_current(store: Overrides, prefix: str, lang: str, canned_id: str) -> str | None:
    """The file the desk answers with in `lang`, in the order `canned.Library.load` reads
    them: the language's override, else its packaged file, else English's (an override
    saved un-prefixed before the library spoke several languages counts as English's)."""
    english = [
        canned_key(prefix, copy.SOURCE_LANGUAGE, canned_id),
        f"{prefix}{canned_id}{canned.SUFFIX}",
    ]
    if lang == copy.SOURCE_LANGUAGE:
        return next(filter(None, map(store.current, english)), None) or canned_source(
            lang, canned_id
        )
    return (
        store.current(canned_key(prefix, lang, canned_id))
        or canned_source(lang, canned_id)
        or next(filter(None, map(store.current, english)), None)
        or canned_source(copy.SOURCE_LANGUAGE, canned_id)
    )


# A ticket as `tailor.support.context.canned_context` describes it, for previews: Susie asks
# to return the shoes of her shipped order.
SAMPLE_TICKET: dict[str, Any] = {
    "ticket": {"number": "T-1001", "subject": "Returning my shoes", "intent": "return"},
    "customer": {
        "first_name": "Susie",
        "last_name": "Parker",
        "email": "susie@example.com",
        "size": "38",
    },
    "order": {
        "number": "#1001",
        "placed_on": "November 20, 2026",
        "items": "Classic Oxford - 38",
        "total": Money(amount=Decimal("238.16"), currency="USD"),
        "status_url": "https://shop.example.com/orders/1001",
        "shipping_city": "Austin",
        "shipped": True,
        "shipments_count": 1,
        "carrier": "FedEx",
        "tracking_number": "771234567890",
        "tracking_url": "https://www.fedex.com/fedextrack/?trknbr=771234567890",
        "shipped_on": "November 21, 2026",
    },
    "shop": {
        "name": "Oklahoma Outfitters",
        "url": "https://shop.example.com",
        "return_days": 30,
        "returns_url": "https://shop.example.com/returns",
        "support_address": "support@shop.example.com",
    },
    "agent": {"name": "Maria"},
}
