"""A transparent intent classifier: keyword and pattern rules from an editable data file.

No model, no training: each intent in `intents.json` lists keywords (whole words, any case)
and regular expressions; a message scores one point per hit in its new text and
`subject_weight` points per hit in its subject. The best score wins, ties go to the intent
listed first in `order`, and no hit at all is `other`. The matched terms are kept, so an
agent can see why a ticket was tagged as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

INTENTS = (
    "return",
    "exchange",
    "refund",
    "where_is_my_order",
    "sizing",
    "cancel_or_change",
    "product_question",
    "complaint",
    "other",
)
DEFAULT_RULES = Path(__file__).with_name("intents.json")


@dataclass(frozen=True)
class Intent:
    name: str
    score: int
    matched: tuple[str, ...]
    scores: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class _Rule:
    name: str
    terms: tuple[tuple[str, re.Pattern[str]], ...]


class Classifier:
    def __init__(self, rules: dict[str, Any]) -> None:
        intents = rules.get("intents") or {}
        unknown = set(intents) - set(INTENTS)
        if unknown:
            raise ValueError(f"unknown intents in rules: {sorted(unknown)}")
        order = [name for name in rules.get("order", INTENTS) if name in intents]
        order += [name for name in intents if name not in order]
        self.subject_weight = int(rules.get("subject_weight", 2))
        self.rules = tuple(_compile(name, intents[name]) for name in order)

    @classmethod
    def from_file(cls, path: Path = DEFAULT_RULES) -> Classifier:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def classify(self, subject: str, text: str) -> Intent:
        subject, text = _fold(subject), _fold(text)
        results: list[tuple[str, int, tuple[str, ...]]] = []
        for rule in self.rules:
            labels: list[str] = []
            score = 0
            for label, pattern in rule.terms:
                hits = len(pattern.findall(text)) + self.subject_weight * len(
                    pattern.findall(subject)
                )
                if hits:
                    labels.append(label)
                    score += hits
            results.append((rule.name, score, tuple(labels)))
        ranked = sorted(results, key=lambda r: -r[1])  # stable: ties keep `order`
        best = ranked[0] if ranked and ranked[0][1] > 0 else ("other", 0, ())
        return Intent(
            name=best[0],
            score=best[1],
            matched=best[2],
            scores=tuple((n, s) for n, s, _ in ranked if s > 0),
        )


def _compile(name: str, spec: dict[str, Any]) -> _Rule:
    terms: list[tuple[str, re.Pattern[str]]] = []
    for keyword in spec.get("keywords", []):
        words = r"\s+".join(re.escape(w) for w in _fold(keyword).split())
        terms.append((keyword, re.compile(rf"(?<!\w){words}(?!\w)")))
    for pattern in spec.get("patterns", []):
        try:
            terms.append((pattern, re.compile(pattern, re.IGNORECASE)))
        except re.error as error:
            raise ValueError(f"intent {name}: bad pattern {pattern!r}: {error}") from None
    return _Rule(name=name, terms=tuple(terms))


def _fold(text: str) -> str:
    """Lower case, typographic apostrophes as plain ones."""
    return (
        text.replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
        .replace("\N{LEFT SINGLE QUOTATION MARK}", "'")
        .lower()
    )


@cache
def classifier() -> Classifier:
    return Classifier.from_file()


def classify(subject: str, text: str) -> Intent:
    return classifier().classify(subject, text)
