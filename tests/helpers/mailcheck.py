"""What mailbox providers and screen readers check, as plain functions tests can call."""

from __future__ import annotations

import mailbox
import re
import shutil
import subprocess
import tempfile
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

GMAIL_CLIP_BYTES = 102 * 1024
SPAM_LIMIT = 3.0


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, f"{message['Subject']!r} has no HTML part"
    return str(part.get_content())


class _Accessibility(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "img" and found.get("alt") is None:
            self.problems.append(f"<img src={found.get('src')!r}> has no alt text")
        elif tag == "table" and found.get("role") != "presentation":
            self.problems.append('a layout <table> lacks role="presentation"')


def accessibility_problems(html: str) -> list[str]:
    checker = _Accessibility()
    checker.feed(html)
    problems = list(checker.problems)
    if not checker.lang:
        problems.insert(0, "<html> has no lang attribute")
    return problems


def ensure_spamassassin() -> str:
    """The spamassassin binary; installs Debian's package when it is missing."""
    found = shutil.which("spamassassin")
    if found:
        return found
    install = ["apt-get", "install", "-y", "-qq", "spamassassin"]
    for command in (["apt-get", "update", "-qq"], install):
        subprocess.run(command, check=True, capture_output=True, timeout=600)  # noqa: S603
    found = shutil.which("spamassassin")
    assert found, "spamassassin could not be installed"
    return found


def spam_scores(messages: list[EmailMessage]) -> list[float]:
    """SpamAssassin's score for each message, with network tests off (-L), in one run."""
    binary = ensure_spamassassin()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.mbox"
        box = mailbox.mbox(path)
        for message in messages:
            box.add(message)
        box.flush()
        box.close()
        result = subprocess.run(  # noqa: S603
            [binary, "-L", "--mbox"],
            stdin=path.open("rb"),
            capture_output=True,
            timeout=600,
            check=True,
        )
    scores = [float(s) for s in re.findall(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", result.stdout)]
    assert len(scores) == len(messages), result.stderr.decode(errors="replace")[-2000:]
    return scores
