"""Search words, normalised the same way for what customers typed and what products say.

A search matches a product when every word of it is among the product's words (title, type,
vendor and plain tags), so "wool socks" matches the Rag Wool Socks and not every pair of
socks. Plurals fold to the singular in a crude, symmetric way: both sides fold alike.
"""

from __future__ import annotations

import re

from tailor.events.canonical import Product

MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    {
        *("a", "an", "and", "or", "the", "for", "with", "of", "in", "on", "to", "by", "at"),
        *("from", "size", "sizes", "new", "sale", "cheap", "best", "buy"),
        *("der", "die", "das", "und", "oder", "mit", "für", "von", "im", "auf"),
        *("le", "la", "les", "et", "de", "du", "des", "pour"),
    }
)


def fold(word: str) -> str:
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    """The distinct meaningful words of a text (at most MAX_WORDS, in order of appearance)."""
    found: dict[str, None] = {}
    for raw in _WORD.findall(text.lower()):
        if len(raw) < 2 or raw in _STOPWORDS or raw.isdigit():
            continue
        found.setdefault(fold(raw))
    return set(list(found)[:MAX_WORDS])


def product_words(product: Product) -> set[str]:
    """Every word a search could use to find the product (machine tags such as
    `pairs-with:classic-oxford` are left out)."""
    texts = [product.title, product.product_type, product.vendor]
    texts += [tag for tag in product.tags if ":" not in tag]
    return {fold(raw) for text in texts for raw in _WORD.findall(text.lower()) if len(raw) >= 2}
