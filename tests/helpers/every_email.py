"""Every email type in every language, from the demo story.

The story plays once, up to the last step that shows a type with copy; each invocation of
those types' senders is also run in each language (`tailor_local.languages`), so every
email comes from its real handler and the story's sample data, in every language. The
types come from `tailor.email_types`, the languages from `tailor.copy.SUPPORTED`.
"""

from __future__ import annotations

import dataclasses

from tailor.email_types import EMAIL_TYPES
from tailor_local import demo
from tailor_local.cloud import command_template, open_cloud
from tailor_local.languages import EveryLanguage, Found, with_copy


def types_without_copy() -> list[str]:
    return [name for name in EMAIL_TYPES if name not in with_copy()]


def every_language(kinds: list[str]) -> Found:
    """Email type → language → the story's first email of that type in that language."""
    story = demo.load_story()
    titles = [step.title for step in story.steps]
    last = max(titles.index(EMAIL_TYPES[kind].demo_step) for kind in kinds)
    story = dataclasses.replace(story, steps=story.steps[: last + 1])
    collected = EveryLanguage(kinds)
    template = command_template(story.parameters, ephemeral=True)
    with open_cloud(template, ephemeral=True) as cloud:
        demo.play(story, cloud, template, every_language=collected)
    return collected.found
