"""The story's emails in every language, from the same moment of the same story.

While the story plays, each invocation of a function that sends one of the wanted email
types is also run once per language in a forked copy of this process: the copy holds the
in-process cloud as it is at that moment, makes every customer speak that language (the
language and locale `tailor.copy` resolves), runs the same event and reports what it sent,
then exits, so the story itself plays on untouched. Playing the whole story once per
language would cost a full play each; a fork costs one invocation.
"""

from __future__ import annotations

import email
import email.policy
import os
import pickle
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import Any

from tailor import copy
from tailor.email_types import EMAIL_TYPES

from tailor_local.runner import Invocation, Runner
from tailor_local.template import Function

# email type → language → the first email of that type the story sent, in that language.
Found = dict[str, dict[str, EmailMessage]]


class EveryLanguage:
    def __init__(self, kinds: Iterable[str], languages: Iterable[str] = copy.SUPPORTED) -> None:
        self.kinds = tuple(kinds)
        self.languages = tuple(languages)
        self.found: Found = {kind: {} for kind in self.kinds}

    def watch(self, runner: Runner) -> None:
        """Fork at each invocation of a sender while a type it sends still lacks a language."""
        invoke = runner.invoke_sync

        def invoke_sync(function: Function, event: Any, trigger: str, record: bool = True) -> Any:
            sends = [k for k in self.kinds if function.logical_id in EMAIL_TYPES[k].senders]
            for language in self.languages:
                if any(language not in self.found[kind] for kind in sends):
                    sent = self._forked(runner, invoke, language, function, event, trigger)
                    self._take(sent, language)
            return invoke(function, event, trigger, record)

        runner.invoke_sync = invoke_sync  # type: ignore[method-assign]

    def _take(self, sent: dict[str, bytes], language: str) -> None:
        for kind, raw in sent.items():
            message = email.message_from_bytes(raw, policy=email.policy.default)
            self.found[kind].setdefault(language, message)

    def _forked(
        self,
        runner: Runner,
        invoke: Callable[..., Invocation],
        language: str,
        function: Function,
        event: Any,
        trigger: str,
    ) -> dict[str, bytes]:
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:  # the copy: speak `language`, run, report, vanish
            os.close(reading)
            sent: dict[str, bytes] = {}
            try:
                _speak(language)
                invocation = invoke(function, event, trigger, False)
                raw = {m.ses_message_id: m.raw for m in runner.cloud.sent_messages()}
                for send in invocation.sends:
                    if send.email_type in self.kinds and send.ses_message_id in raw:
                        sent.setdefault(send.email_type, raw[send.ses_message_id])
            finally:
                with os.fdopen(writing, "wb") as pipe:
                    pipe.write(pickle.dumps(sent))
                os._exit(0)
        os.close(writing)
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
        os.waitpid(child, 0)
        return pickle.loads(data) if data else {}  # noqa: S301 - our own child's bytes


def _speak(language: str) -> None:
    """Every customer speaks `language`: what tailor.copy resolves for any tag."""

    def resolve(tag: str | None = None, shop_default: str | None = None) -> str:
        return language

    copy.resolve_language = resolve
    copy.resolve_locale = resolve


def with_copy() -> list[str]:
    """The declared email types written in the design system (they have English copy)."""
    root = copy.templates_root()
    return [
        name
        for name, kind in EMAIL_TYPES.items()
        if (root / kind.templates / "copy" / f"{copy.SOURCE_LANGUAGE}.json").is_file()
    ]
