"""`tailor demo`: the seed story played on a local cloud, written as a gallery.

The story plays on the running local cloud when there is one (it must be fresh: the story
starts with an empty shop), so the gallery's links open with `tailor serve` afterwards: the
cloud keeps the signing key that signed them, the shop they point into and the story's
clock. Without one it plays on an ephemeral cloud, whose links open nowhere once it is gone.

The story is data (`events/demo/story.json`): steps that move the clock on, deliver event
files, or click a link in an email the way a customer would (through the function URL the
link points at, optionally submitting the form on the page it opens). New email types add
steps there, not code here. Every email SES accepted lands in `out/demo/emails/`, and
`out/demo/index.html` shows them step by step.
"""

from __future__ import annotations

import html
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from tailor import clock as tailor_clock

from tailor_local import events, outbox
from tailor_local.cloud import Cloud, command_template, open_cloud
from tailor_local.console import table
from tailor_local.languages import EveryLanguage, with_copy
from tailor_local.runner import Runner
from tailor_local.schedules import Clock, Scheduler, parse_duration
from tailor_local.serve import function_url_event, http_response
from tailor_local.state import LocalError
from tailor_local.story import Click, Step, StepResult, Story
from tailor_local.template import REPO_ROOT, Template

STORY = REPO_ROOT / "events" / "demo" / "story.json"
STEP_KEYS = frozenset({"title", "when", "caption", "clock", "deliver", "click"})


def load_story(path: Path = STORY) -> Story:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LocalError(f"{path}: no such story file") from None
    except json.JSONDecodeError as error:
        raise LocalError(f"{path}: not valid JSON (line {error.lineno}: {error.msg})") from None
    steps = []
    for number, raw in enumerate(data.get("steps") or [], start=1):
        unknown = set(raw) - STEP_KEYS
        if unknown or not raw.get("title"):
            raise LocalError(
                f"{path}: step {number} needs a title and may only have "
                f"{', '.join(sorted(STEP_KEYS))} (found {', '.join(sorted(unknown)) or 'no title'})"
            )
        deliver = tuple(str(name) for name in raw.get("deliver") or [])
        for name in deliver:
            if not (path.parent / name).is_file():
                raise LocalError(f"{path}: step {number} delivers {name}, which does not exist")
        if raw.get("clock"):
            parse_duration(str(raw["clock"]))
        steps.append(
            Step(
                title=str(raw["title"]),
                caption=str(raw.get("caption") or ""),
                when=str(raw.get("when") or ""),
                clock=str(raw["clock"]) if raw.get("clock") else None,
                deliver=deliver,
                click=dict(raw["click"]) if raw.get("click") else None,
            )
        )
    start = _start(str(data.get("start") or "0s"), path)
    return Story(
        title=str(data.get("title") or "Tailor demo"),
        shop=str(data.get("shop") or ""),
        intro=str(data.get("intro") or ""),
        start=start,
        steps=tuple(steps),
        folder=path.parent,
        parameters={str(k): str(v) for k, v in (data.get("parameters") or {}).items()},
    )


def _start(text: str, path: Path) -> datetime | timedelta:
    """An absolute ISO time (a deterministic story), or a duration before now (`-30d`)."""
    if text[:1].isdigit() and "T" in text:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise LocalError(f"{path}: start {text!r} is not an ISO time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return -parse_duration(text[1:]) if text.startswith("-") else parse_duration(text)


class Player:
    def __init__(self, story: Story, cloud: Cloud, template: Template) -> None:
        self.story = story
        self.cloud = cloud
        self.template = template
        self.clock = Clock(cloud.state)
        if isinstance(story.start, datetime):
            offset = story.start - tailor_clock.now()
        else:
            offset = story.start
        cloud.state.clock_offset_seconds = offset.total_seconds()
        cloud.state.save()  # `tailor serve` then opens the links at the story's time
        self.runner = Runner(template, cloud, self.clock)
        self.scheduler = Scheduler(self.runner)
        self.seen: set[str] = set()
        self.sent: list[outbox.Email] = []
        # Where the last click led in the shop (path and query, as Shopify records an
        # order's `landing_site`): `{{landing}}` in a step's event files.
        self.landing = "/"

    def play(self, step: Step, number: int) -> StepResult:
        result = StepResult(number, step)
        if step.clock:
            result.reports += self.scheduler.advance(parse_duration(step.clock))
        for name in step.deliver:
            for item in events.load(self.story.folder / name, self.clock.now()):
                if item.mail is not None:
                    result.reports.append(self.runner.receive_mail(item.mail, item.origin))
                else:
                    event = json.loads(json.dumps(item.event).replace("{{landing}}", self.landing))
                    result.reports.append(self.runner.deliver(event, item.bus, item.origin))
        # Collect before clicking too: a step may click a link in the email it just caused.
        self._collect(result)
        if step.click:
            self._click(step.click, result)
        self._collect(result)
        return result

    def _collect(self, result: StepResult) -> None:
        fresh = outbox.emails(self.cloud, exclude=self.seen)
        self.seen.update(e.sent.ses_message_id for e in fresh)
        self.sent += fresh
        result.emails += fresh

    # ------------------------------------------------------------------ clicking
    def _click(self, spec: dict[str, Any], result: StepResult) -> None:
        to, wanted = str(spec.get("to") or ""), str(spec.get("link") or "")
        kind = spec.get("email_type")
        candidates = [
            e
            for e in self.sent
            if (not to or e.recipient == to) and (not kind or e.email_type == kind)
        ]
        if not candidates:
            result.problems.append(f"no email to {to or 'anyone'} to click “{wanted}” in")
            return
        email = candidates[-1]
        link = next(
            ((href, text) for href, text in links(email.html) if wanted.lower() in text.lower()),
            None,
        )
        if link is None:
            result.problems.append(f"no link “{wanted}” in the email “{email.subject}”")
            return
        to_header = email.message.get("To")
        names = [a.display_name for a in getattr(to_header, "addresses", ()) if a.display_name]
        who = names[0] if names else email.recipient
        click = self._open(Click(who, link[1], link[0]))
        result.clicks.append(click)
        if spec.get("submit") and click.page:
            form = first_form(click.page, click.url)
            if form is None:
                result.problems.append(f"the page behind “{link[1]}” has no form to submit")
                return
            action, fields, button = form
            submitted = Click(who, button or "the form's button", action, method="POST")
            result.clicks.append(self._open(submitted, urlencode(fields).encode()))

    def _open(self, click: Click, body: bytes = b"") -> Click:
        """Follow a link through the local function URL it points at (if it does)."""
        parts = urlsplit(click.url)
        function_id = parts.path.split("/")[1] if parts.path.count("/") >= 1 else ""
        function = self.template.functions().get(function_id)
        if function is None or not function.has_url:
            return click  # a link to the shop itself: nothing local to run
        headers = {"Host": parts.netloc, "User-Agent": "tailor-demo"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        event = function_url_event(
            click.method, target, headers, body, "127.0.0.1", function_id, self.clock.now()
        )
        report = self.runner.invoke_once(
            function, event, trigger=f"{click.who} opened a link", drain=True
        )
        status, response_headers, payload = http_response(report.invocations[0].outcome)
        click.report = report
        click.status = status
        click.location = next((v for k, v in response_headers if k.lower() == "location"), None)
        if click.location:
            landed = urlsplit(click.location)
            self.landing = landed.path + (f"?{landed.query}" if landed.query else "")
        click.page = payload.decode("utf-8", errors="replace")
        click.page_title = page_title(click.page)
        return click


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self.title = ""
        self._in_title = False
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.buttons: list[str] = []  # the label of each form's first submit button
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and values.get("href"):
            self._href, self._text = values["href"], []
        elif tag == "title":
            self._in_title = True
        elif tag == "form" and values.get("method", "get").lower() == "post":
            self.forms.append((values.get("action", ""), []))
            self.buttons.append("")
        elif tag in ("input", "button") and self.forms:
            kind = values.get("type", "submit" if tag == "button" else "text")
            if kind in ("hidden", "submit") and values.get("name"):
                self.forms[-1][1].append((values["name"], values.get("value", "")))
            if kind == "submit" and not self.buttons[-1]:
                self.buttons[-1] = values.get("value", "")
                self._button = [] if tag == "button" else None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._button is not None:
            self._button.append(data)
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.found.append((self._href, " ".join("".join(self._text).split())))
            self._href = None
        elif tag == "title":
            self._in_title = False
        elif tag == "button" and self._button is not None:
            self.buttons[-1] = " ".join("".join(self._button).split()) or self.buttons[-1]
            self._button = None


def _parsed(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def links(page: str) -> list[tuple[str, str]]:
    """(href, text) of every link, hrefs unescaped."""
    return [(html.unescape(href), text) for href, text in _parsed(page).found]


def page_title(page: str) -> str | None:
    return " ".join(_parsed(page).title.split()) or None


def first_form(page: str, base: str) -> tuple[str, list[tuple[str, str]], str] | None:
    """The first POST form of a page: its action URL, fields and submit button's label."""
    parsed = _parsed(page)
    if not parsed.forms:
        return None
    action, fields = parsed.forms[0]
    return urljoin(base, html.unescape(action) or base), fields, parsed.buttons[0]


# ---------------------------------------------------------------------- the command
def play(
    story: Story,
    cloud: Cloud,
    template: Template,
    progress: bool = False,
    every_language: EveryLanguage | None = None,
) -> list[StepResult]:
    """Every step of the story on `cloud`; `every_language` collects its emails in each
    language on the way."""
    results: list[StepResult] = []
    player = Player(story, cloud, template)
    if every_language is not None:
        every_language.watch(player.runner)
    for number, step in enumerate(story.steps, start=1):
        if progress:
            print(f"  [{number}/{len(story.steps)}] {step.title} ...", end="", flush=True)
        result = player.play(step, number)
        results.append(result)
        if not progress:
            continue
        status = "ok" if not result.failures else f"{len(result.failures)} problem(s)"
        runs = len(result.reports) - len(result.delivered)
        scheduled = f", {runs} scheduled run(s)" if runs else ""
        print(
            f" {len(result.delivered)} event(s){scheduled}, {len(result.emails)} email(s), "
            f"{status}",
            flush=True,
        )
        for failure in result.failures:
            print(f"      {failure}", flush=True)
    return results


def main(
    out: Path,
    story_path: Path = STORY,
    *,
    ephemeral: bool = False,
    languages: tuple[str, ...] = (),
) -> int:
    """Play the story and write the gallery; with `languages`, also the first email of
    each type written in the design system in each of them (`languages/`)."""
    from tailor_local import gallery
    from tailor_local import results as results_page

    started = time.monotonic()
    story = load_story(story_path)
    template = command_template(story.parameters, ephemeral=ephemeral)
    with open_cloud(template, ephemeral=ephemeral) as cloud:
        if not cloud.ephemeral and cloud.sent_messages():
            raise LocalError(
                f"{cloud.describe()} already holds a shop that sent email; the story starts "
                "with an empty one: `tailor local stop && tailor local start`, then `tailor demo`"
            )
        print(f"Playing “{story.title}” on {cloud.describe()}", flush=True)
        # Each language forks the in-process cloud; a running one is told apart, below.
        translated = EveryLanguage(with_copy(), languages) if languages else None
        watching = translated if cloud.ephemeral else None
        results = play(story, cloud, template, progress=True, every_language=watching)
        index = gallery.write(out, story, results, languages)
        report_page = results_page.write_page(
            out, results_page.collect(template), story.shop or "Tailor"
        )
    if translated is not None:
        if watching is None:
            print("  every language, on an ephemeral cloud ...", flush=True)
            alone = command_template(story.parameters, ephemeral=True)
            with open_cloud(alone, ephemeral=True) as told:
                play(story, told, told.template, every_language=translated)
        gallery.write_languages(out, translated.found, languages)
    rows = [
        [str(n), entry["step"], entry["email_type"], entry["recipient"], entry["subject"]]
        for n, entry in enumerate(index, start=1)
    ]
    print()
    print(table(rows, ["#", "step", "type", "to", "subject"]) if rows else "No email was sent.")
    seconds = time.monotonic() - started
    print(f"\nGallery: {out / 'index.html'}  ({len(rows)} email(s), {seconds:.1f}s)")
    print(f"Results: {report_page}")
    if cloud.ephemeral:
        print(
            "Its links need the cloud that signed them, which is gone: to open them, play the "
            "story on a running one: `tailor local start`, `tailor demo`, then `tailor serve`"
        )
    else:
        print("The local cloud keeps the story's shop: `tailor serve` opens the gallery's links")
    staff = template.ref("StaffAddresses").split(",")[0].strip()
    if staff:
        print(
            f"Staff console: `tailor serve`, open http://127.0.0.1:3000/console/ and sign in as "
            f"{staff}; the sign-in email lands in the outbox and `tailor serve` prints its link"
        )
    failed = sum(len(r.failures) for r in results)
    if failed:
        print(f"{failed} problem(s) in the story; see above", file=sys.stderr)
    return 1 if failed else 0
