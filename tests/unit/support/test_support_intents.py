"""The intent rules: what each intent must catch, and that the rule file is the shop's."""

from __future__ import annotations

import json

import pytest
from tailor.support.intents import DEFAULT_RULES, INTENTS, Classifier, classify


@pytest.mark.parametrize(
    ("subject", "text", "intent"),
    [
        ("The shoes don't match my dress", "Can I send them back?", "return"),
        ("", "I changed my mind and want to return the socks.", "return"),
        ("Exchange", "Could I swap them for a different size?", "exchange"),
        ("", "I'd like them in size 12 instead.", "exchange"),
        ("Refund", "When will I get my money back?", "refund"),
        ("Where is my order #1001?", "", "where_is_my_order"),
        ("", "My parcel still hasn't arrived, do you have a tracking number?", "where_is_my_order"),
        ("Wo ist meine Bestellung", "Sie ist nicht angekommen.", "where_is_my_order"),
        ("", "Do these run small? Which size should I get?", "sizing"),
        ("Cancel", "Please cancel my order.", "cancel_or_change"),
        ("", "I need to change the shipping address.", "cancel_or_change"),
        ("", "Is this boot waterproof?", "product_question"),
        ("", "When will the rag wool socks be back in stock?", "product_question"),
        ("", "The box arrived damaged and the heel is broken.", "complaint"),
        ("", "My discount code didn't work at checkout.", "complaint"),
        ("Hello", "Just wanted to say hi.", "other"),
        ("", "", "other"),
    ],
)
def test_messages_are_tagged_with_their_intent(subject: str, text: str, intent: str) -> None:
    assert classify(subject, text).name == intent


def test_the_matched_terms_explain_the_choice() -> None:
    result = classify("The shoes don't match my dress", "")

    assert result.name == "return"
    assert "don't match" in result.matched
    assert result.score >= 2  # subject hits count double


def test_the_packaged_rules_cover_every_intent() -> None:
    rules = json.loads(DEFAULT_RULES.read_text())

    assert set(rules["intents"]) == set(INTENTS)
    assert set(rules["order"]) == set(INTENTS)


def test_a_shop_can_add_its_own_words() -> None:
    rules = json.loads(DEFAULT_RULES.read_text())
    rules["intents"]["exchange"]["keywords"].append("trade in")

    assert Classifier(rules).classify("", "Can I trade in my boots?").name == "exchange"


def test_ties_go_to_the_intent_listed_first() -> None:
    rules = {
        "order": ["refund", "return"],
        "intents": {"refund": {"keywords": ["back"]}, "return": {"keywords": ["back"]}},
    }

    assert Classifier(rules).classify("", "back").name == "refund"


def test_bad_rules_fail_loudly() -> None:
    with pytest.raises(ValueError, match="unknown intents"):
        Classifier({"intents": {"haggle": {}}})
    with pytest.raises(ValueError, match="bad pattern"):
        Classifier({"intents": {"refund": {"patterns": ["("]}}})
