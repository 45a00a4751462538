"""Every email the demo story sends passes what mailbox providers and screen readers check.

The demo plays every email type the bundle has, so its outbox is the sample set: under
Gmail's clipping limit, RFC 8058 headers on marketing mail only, a SpamAssassin score
below 3.0 (network tests off), and the basics of accessible HTML.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from tailor.email_types import EMAIL_TYPES, Stream
from tailor_local import demo

from tests.helpers.mailcheck import (
    GMAIL_CLIP_BYTES,
    SPAM_LIMIT,
    accessibility_problems,
    html_of,
    spam_scores,
)

# From the declarations: the stream of each type is decided there, once.
TRANSACTIONAL_TYPES = {k.name for k in EMAIL_TYPES.values() if k.stream is Stream.TRANSACTIONAL}
MARKETING_TYPES = {k.name for k in EMAIL_TYPES.values() if k.stream is Stream.MARKETING}


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a full demo run."""
    out = tmp_path_factory.mktemp("demo")
    assert demo.main(out) == 0, "the demo story reported problems"
    return out


@pytest.fixture(scope="module")
def sent(played: Path) -> dict[str, EmailMessage]:
    """One email of each type from a full demo run (the first of each type)."""
    out = played
    by_type: dict[str, EmailMessage] = {}
    for path in sorted(out.rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        by_type.setdefault(_email_type(path), message)  # type: ignore[arg-type]
    return by_type


@pytest.fixture(scope="module")
def raw_headers(played: Path) -> dict[str, dict[str, str]]:
    """One email of each type's header block as written, each header unfolded (RFC 5322
    section 2.2.3: a line break followed by a space is removed), names lower-cased."""
    by_type: dict[str, dict[str, str]] = {}
    for path in sorted(played.rglob("*.eml")):
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].decode("ascii")
        unfolded = re.sub(r"\r\n(?=[ \t])", "", head)
        fields = (line.split(":", 1) for line in unfolded.split("\r\n"))
        by_type.setdefault(_email_type(path), {n.lower(): v.strip() for n, v in fields})
    return by_type


def _email_type(path: Path) -> str:
    return path.stem.split("-", 1)[1]


def test_the_demo_shows_every_declared_email_type_in_its_declared_step(played: Path) -> None:
    index = json.loads((played / "emails" / "index.json").read_text())
    shown = {(entry["email_type"], entry["step"]) for entry in index}
    declared = {(kind.name, kind.demo_step) for kind in EMAIL_TYPES.values()}

    assert declared - shown == set(), "email types missing from their demo step"
    assert {kind for kind, _ in shown} - set(EMAIL_TYPES) == set(), "undeclared types sent"


def test_every_email_stays_under_gmails_clipping_limit(sent: dict[str, EmailMessage]) -> None:
    sizes = {kind: len(html_of(m).encode()) for kind, m in sent.items()}
    assert {k: s for k, s in sizes.items() if s >= GMAIL_CLIP_BYTES} == {}


def test_marketing_mail_carries_one_click_unsubscribe_and_transactional_does_not(
    sent: dict[str, EmailMessage],
) -> None:
    assert set(sent) == TRANSACTIONAL_TYPES | MARKETING_TYPES
    for kind, message in sent.items():
        marketing = message["List-Unsubscribe-Post"] is not None
        assert marketing == (kind in MARKETING_TYPES), kind
        if marketing:
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", kind
            assert (
                "<https://" in message["List-Unsubscribe"]
                or "<http://127.0.0.1" in message["List-Unsubscribe"]
            ), kind
            assert "unsubscribe" in html_of(message).lower(), f"{kind} has no visible opt-out"
        if kind in TRANSACTIONAL_TYPES:
            assert not marketing and message["List-Unsubscribe"] is None, kind


# What Gmail and Yahoo read as one-click unsubscribe: URLs in angle brackets, as written.
LIST_UNSUBSCRIBE = re.compile(r"<https?://[^\s<>]+>(, <mailto:[^\s<>]+>)?")
# Only free text (a subject, a display name) may be written as RFC 2047 encoded-words.
FREE_TEXT = {"subject", "from", "to"}


def test_every_header_but_free_text_is_written_as_is_and_unsubscribe_urls_read_as_urls(
    raw_headers: dict[str, dict[str, str]],
) -> None:
    assert set(raw_headers) == TRANSACTIONAL_TYPES | MARKETING_TYPES
    for kind, fields in raw_headers.items():
        encoded = {n for n, v in fields.items() if "=?" in v and n not in FREE_TEXT}
        assert encoded == set(), f"{kind}: {encoded} written as encoded-words"
        if kind in MARKETING_TYPES:
            assert LIST_UNSUBSCRIBE.fullmatch(fields["list-unsubscribe"]), kind


def test_every_email_is_accessible(sent: dict[str, EmailMessage]) -> None:
    problems = {kind: accessibility_problems(html_of(m)) for kind, m in sent.items()}
    assert {k: p for k, p in problems.items() if p} == {}


@pytest.mark.spam
def test_spamassassin_scores_every_email_below_three(sent: dict[str, EmailMessage]) -> None:
    kinds = sorted(sent)
    scores = dict(zip(kinds, spam_scores([sent[k] for k in kinds]), strict=True))
    assert {k: s for k, s in scores.items() if s >= SPAM_LIMIT} == {}, scores
