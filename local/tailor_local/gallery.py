"""The demo gallery: `out/demo/index.html`, every email as the customer sees it, step by step.

Each email is shown in a sandboxed iframe (its own HTML, untouched but for product pictures:
the demo's made-up CDN addresses are pointed at the drawings in `events/demo/images/`), with
its text version and headers beside it, and links to the `.html`, `.txt` and `.eml` files in
`emails/`. Steps carry the story's captions and what Tailor did.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage
from html import escape
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale

from tailor_local import outbox

if TYPE_CHECKING:
    from tailor_local.runner import Invocation, Report
    from tailor_local.story import Click, StepResult, Story

_PICTURE = re.compile(
    r"https://cdn\.shopify\.com/[^\"'\s)]*/([\w-]+)\.(?:jpe?g|png|webp)[^\"'\s)]*"
)

STYLE = """
:root { --ink:#1f2328; --muted:#6b6259; --paper:#fbf9f6; --bg:#f1ece4; --line:#e2d9cc;
        --accent:#7a4a2a; --ok:#2f7d4f; --bad:#b3261e; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
a { color:var(--accent); }
.hero { background:linear-gradient(135deg,#3b2416,#7a4a2a); color:#fbf3e8;
  padding:48px 24px 36px; }
.hero .inner, main, footer { max-width:1360px; margin:0 auto; }
.eyebrow { text-transform:uppercase; letter-spacing:.12em; font-size:13px; opacity:.8;
  margin:0; }
.hero h1 { font:600 40px/1.15 Georgia,"Times New Roman",serif; margin:8px 0 12px; }
.intro { max-width:760px; font-size:18px; opacity:.92; margin:0 0 18px; }
.stats { display:flex; gap:28px; flex-wrap:wrap; margin:0 0 22px; padding:0; list-style:none; }
.stats li { font-size:14px; opacity:.85; } .stats strong { display:block; font-size:28px;
  opacity:1; }
.toc { display:flex; flex-wrap:wrap; gap:8px; padding:0; margin:0; list-style:none; }
.toc a { display:inline-block; padding:6px 12px; border-radius:999px;
  background:rgba(255,255,255,.12);
         color:#fbf3e8; text-decoration:none; font-size:14px; }
.toc a:hover { background:rgba(255,255,255,.24); }
.langs { margin-top:14px; } .langs a[aria-current] { background:#fbf3e8; color:#3b2416; }
main { padding:12px 24px 40px; }
.step { margin:36px 0; }
.step-head { display:flex; gap:16px; align-items:flex-start; }
.num { flex:none; width:40px; height:40px; border-radius:50%; background:var(--accent);
  color:#fff;
       display:grid; place-items:center; font-weight:700; }
.when { margin:0; color:var(--muted); font-size:13px; text-transform:uppercase;
  letter-spacing:.08em; }
.step h2 { margin:2px 0 6px; font:600 26px/1.2 Georgia,serif; }
.caption { margin:0; max-width:820px; color:#3d3630; }
.activity { margin:14px 0 0 56px; padding:12px 16px; background:var(--paper);
  border:1px solid var(--line);
            border-radius:10px; font-size:14px; max-width:820px; }
.activity ul { margin:0; padding-left:18px; } .activity summary { cursor:pointer;
  color:var(--muted); }
.ok { color:var(--ok); font-weight:700; } .bad { color:var(--bad); font-weight:700; }
.click { margin:14px 0 0 56px; padding:12px 16px; border-left:4px solid var(--ok);
  background:#eef6f0;
         border-radius:6px; max-width:820px; }
.problem { margin:14px 0 0 56px; padding:12px 16px; border-left:4px solid var(--bad);
  background:#fbeeed;
           border-radius:6px; max-width:820px; }
.quiet { margin:14px 0 0 56px; color:var(--muted); font-style:italic; }
.emails { display:grid; grid-template-columns:minmax(0,1100px); gap:24px;
          margin:18px 0 0 56px; }
.email { background:#fff; border:1px solid var(--line); border-radius:14px; overflow:hidden;
         box-shadow:0 10px 30px rgba(59,36,22,.08); }
.email-head { padding:16px 20px 12px; border-bottom:1px solid var(--line);
  background:var(--paper); }
.badge { display:inline-block; font-size:12px; font-weight:600; letter-spacing:.04em;
  text-transform:uppercase;
         color:var(--accent); background:#f3e6d8; padding:3px 10px; border-radius:999px; }
.subject { margin:8px 0 8px; font-size:19px; }
.meta { display:grid; grid-template-columns:max-content 1fr; gap:2px 12px; margin:0;
  font-size:13px; }
.meta dt { color:var(--muted); } .meta dd { margin:0; word-break:break-all; }
.files { margin:8px 0 0; font-size:13px; }
/* The email at desktop width beside the same email at a phone's 390 px. */
.frame { background:#f6f6f6; display:flex; gap:16px; align-items:flex-start; overflow-x:auto; }
.frame iframe { display:block; flex:1 1 640px; min-width:640px; height:900px; border:0;
  background:#fff; }
.frame .phone { flex:none; margin:12px 12px 12px 0; }
.frame .phone iframe { width:390px; min-width:390px; outline:1px solid var(--line); }
.frame figcaption { font-size:12px; color:var(--muted); text-align:center; padding-top:4px; }
details.part { border-top:1px solid var(--line); }
details.part summary { padding:10px 20px; cursor:pointer; font-weight:600; font-size:14px; }
details.part pre { margin:0; padding:0 20px 16px; white-space:pre-wrap;
  font:13px/1.5 ui-monospace,Menlo,monospace; }
details.part table { margin:0 20px 16px; border-collapse:collapse;
  font:12px/1.4 ui-monospace,Menlo,monospace; }
details.part td { padding:2px 10px 2px 0; vertical-align:top; word-break:break-all; }
details.part td:first-child { color:var(--muted); white-space:nowrap; }
footer { padding:0 24px 40px; color:var(--muted); font-size:13px; }
@media (max-width:760px) { .emails, .activity, .click, .quiet, .problem { margin-left:0; }
  .emails { grid-template-columns:1fr; } .hero h1 { font-size:30px; } }
"""

SCRIPT = """
function fit(frame) {
  try {
    frame.style.height = '0px';  /* else the page is never shorter than the frame */
    frame.style.height = (frame.contentDocument.documentElement.scrollHeight + 4) + 'px';
  } catch (error) {
    frame.style.height = '';  /* the stylesheet's default height */
  }
}
"""


def write(
    out: Path, story: Story, results: list[StepResult], languages: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Write emails/, images/ and index.html into `out`; the emails' index entries. With
    `languages`, the page links to `languages/<lang>.html` (`write_languages`)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "emails", ignore_errors=True)
    emails = [email for result in results for email in result.emails]
    steps = [{"step": r.step.title} for r in results for _ in r.emails]
    index = outbox.write(out / "emails", emails, steps)
    pictures = _copy_pictures(story.folder / "images", out / "images")
    numbered = iter(index)
    sections = []
    for result in results:
        entries = [next(numbered) for _ in result.emails]
        sections.append(_step(result, entries, pictures))
    switcher = _languages(languages, None, "languages/")
    page = _page(story, results, index, "\n".join(sections), switcher)
    (out / "index.html").write_text(page, encoding="utf-8")
    return index


def _copy_pictures(source: Path, target: Path) -> set[str]:
    shutil.rmtree(target, ignore_errors=True)
    if not source.is_dir():
        return set()
    target.mkdir(parents=True)
    names = set()
    for picture in source.glob("*.svg"):
        shutil.copy(picture, target / picture.name)
        names.add(picture.stem)
    return names


def _local_pictures(html: str, pictures: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"images/{name}.svg" if name in pictures else match.group(0)

    return _PICTURE.sub(replace, html)


def _languages(languages: tuple[str, ...], current: str | None, base: str) -> str:
    """Plain links to each language's page (no script needed), the current one marked."""
    if not languages:
        return ""
    links = []
    for language in languages:
        mark = ' aria-current="page"' if language == current else ""
        name = escape(Locale.parse(language).get_display_name(language) or language)
        links.append(f'<li><a href="{base}{language}.html" lang="{language}"{mark}>{name}</a></li>')
    return (
        '<nav class="langs" aria-label="Languages"><p class="eyebrow">Every email in each '
        f'language</p><ol class="toc">{"".join(links)}</ol></nav>'
    )


def write_languages(
    out: Path, found: dict[str, dict[str, EmailMessage]], languages: tuple[str, ...]
) -> None:
    """`languages/<lang>.html`: the first email of each type, rendered from the same moment
    of the story in that language, at desktop and phone width, with links between them."""
    folder = out / "languages"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pictures = {path.stem for path in (out / "images").glob("*.svg")}
    for language in languages:
        cards = []
        for kind, by_language in found.items():
            message = by_language.get(language)
            if message is None:
                continue
            html_part = message.get_body(preferencelist=("html",))
            text_part = message.get_body(preferencelist=("plain",))
            html = _local_pictures(str(html_part.get_content()) if html_part else "", pictures)
            shown = html.replace('src="images/', 'src="../images/')
            cards.append(
                f"""<article class="email"><div class="email-head">
<span class="badge">{escape(kind.replace("_", " "))}</span>
<h3 class="subject">{escape(str(message["Subject"]))}</h3></div>
{_frames(str(message["Subject"]), shown)}
<details class="part"><summary>Text version</summary><pre>{
                    escape(str(text_part.get_content()) if text_part else "")
                }</pre></details></article>"""
            )
        switcher = _languages(languages, language, "")
        name = escape(Locale.parse(language).get_display_name("en") or language)
        page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} · Tailor demo</title>
<style>{STYLE}</style>
<script>{SCRIPT}</script>
</head>
<body>
<header class="hero"><div class="inner">
  <p class="eyebrow"><a href="../index.html" style="color:inherit">Tailor demo</a></p>
  <h1>Every email in {name}</h1>
  <p class="intro">The first email of each type the story sends, from the same moment of
  the story, as a customer who speaks {name} gets it.</p>
  {switcher}
</div></header>
<main><div class="emails">{"".join(cards) or "<p>No email type has copy yet.</p>"}</div></main>
</body>
</html>
"""
        (folder / f"{language}.html").write_text(page, encoding="utf-8")


def _page(
    story: Story,
    results: list[StepResult],
    index: list[dict[str, Any]],
    body: str,
    switcher: str = "",
) -> str:
    events = sum(len(r.delivered) for r in results)
    recipients = len({entry["recipient"] for entry in index})
    kinds = len({entry["email_type"] for entry in index})
    toc = "".join(
        f'<li><a href="#step-{r.number}">{r.number}. {escape(r.step.title)}</a></li>'
        for r in results
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    shop = escape(story.shop or "Tailor")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(story.title)} · {shop} · Tailor demo</title>
<style>{STYLE}</style>
<script>{SCRIPT}</script>
</head>
<body>
<header class="hero"><div class="inner">
  <p class="eyebrow">Tailor demo · {shop}</p>
  <h1>{escape(story.title)}</h1>
  <p class="intro">{escape(story.intro)}</p>
  <ul class="stats">
    <li><strong>{len(index)}</strong>emails sent</li>
    <li><strong>{kinds}</strong>kinds of email</li>
    <li><strong>{recipients}</strong>recipients</li>
    <li><strong>{events}</strong>events delivered</li>
    <li><strong>{len(results)}</strong>steps</li>
  </ul>
  <ol class="toc">{toc}</ol>
  {switcher}
</div></header>
<main>
{body}
</main>
<footer>Played by <code>tailor demo</code> on a local cloud from <code>template.yaml</code>,
{generated}. Every email is also in <a href="emails/">emails/</a> as <code>.eml</code>,
<code>.html</code> and <code>.txt</code>, listed in
<a href="emails/index.json">index.json</a>. What each email earned:
<a href="results.html">results</a>.</footer>
</body>
</html>
"""


def _step(result: StepResult, entries: list[dict[str, Any]], pictures: set[str]) -> str:
    step = result.step
    parts = [
        f'<section class="step" id="step-{result.number}">',
        '<div class="step-head">',
        f'<span class="num">{result.number}</span><div>',
        f'<p class="when">{escape(step.when)}</p>' if step.when else "",
        f"<h2>{escape(step.title)}</h2>",
        f'<p class="caption">{escape(step.caption)}</p>' if step.caption else "",
        "</div></div>",
        _activity(result.reports),
        *(_click(click) for click in result.clicks),
        *(f'<p class="problem">{escape(problem)}</p>' for problem in result.failures),
    ]
    if result.emails:
        cards = (
            _card(email, entry, pictures)
            for email, entry in zip(result.emails, entries, strict=True)
        )
        parts.append(f'<div class="emails">{"".join(cards)}</div>')
    elif not result.clicks:
        parts.append('<p class="quiet">No email in this step: Tailor only took note.</p>')
    parts.append("</section>")
    return "\n".join(part for part in parts if part)


def _activity(reports: list[Report]) -> str:
    if not reports:
        return ""
    lines: Counter[str] = Counter()
    for report in reports:
        label = report.label.replace("shopifyWebhook ", "Shopify ").split(" due ")[0]
        done = [_marked(invocation) for invocation in report.invocations]
        if not done:
            done = ["no rule matched"]
        lines[f"{escape(label)} → {', '.join(dict.fromkeys(done))}"] += 1
    items = "".join(
        f"<li>{count} &times; {line}</li>" if count > 1 else f"<li>{line}</li>"
        for line, count in lines.items()
    )
    runs = sum(1 for report in reports if report.event_id.startswith("schedule:"))
    parts = [_count(len(reports) - runs, "event delivered", "events delivered")]
    parts.append(_count(runs, "scheduled run", "scheduled runs"))
    summary = ", ".join(part for part in parts if part)
    return f'<details class="activity"><summary>{summary}</summary><ul>{items}</ul></details>'


def _count(number: int, one: str, many: str) -> str:
    return "" if number == 0 else f"{number} {one if number == 1 else many}"


def _click(click: Click) -> str:
    status = ""
    if click.status is not None:
        try:
            phrase = HTTPStatus(click.status).phrase
        except ValueError:
            phrase = ""
        status = f" → <code>{click.status} {escape(phrase)}</code>"
        if click.location:
            status += f' to <a href="{escape(click.location)}">{escape(click.location)}</a>'
        elif click.page_title:
            status += f": a page titled “{escape(click.page_title)}”"
    verb = "pressed" if click.method == "POST" else "clicked"
    ran = ""
    if click.report is not None and click.report.invocations:
        ran = "<br><small>ran " + ", ".join(_marked(i) for i in click.report.invocations)
        ran += "</small>"
    return (
        f'<p class="click"><strong>{escape(click.who)}</strong> {verb} “{escape(click.text)}”'
        f"{status}{ran}</p>"
    )


def _marked(invocation: Invocation) -> str:
    ok = invocation.outcome.ok
    mark = '<span class="ok">✓</span>' if ok else '<span class="bad">✗</span>'
    return f"{escape(invocation.function_id)} {mark}"


def _card(email: outbox.Email, entry: dict[str, Any], pictures: set[str]) -> str:
    shown = _local_pictures(email.html, pictures)
    headers = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(value)}</td></tr>" for name, value in email.headers
    )
    kind = entry["email_type"].replace("_", " ")
    return f"""<article class="email" id="{escape(entry["eml"].rsplit(".", 1)[0])}">
<div class="email-head">
  <span class="badge">{escape(kind)}</span>
  <h3 class="subject">{escape(email.subject)}</h3>
  <dl class="meta">
    <dt>From</dt><dd>{escape(entry["from"])}</dd>
    <dt>To</dt><dd>{escape(str(email.message.get("To", email.recipient)))}</dd>
    <dt>Date</dt><dd>{escape(entry["date"])}</dd>
  </dl>
  <p class="files"><a href="emails/{escape(entry["html"])}">Open the HTML</a> ·
    <a href="emails/{escape(entry["text"])}">text</a> ·
    <a href="emails/{escape(entry["eml"])}" download>.eml</a> ·
    sent by {escape(entry["function"])}</p>
</div>
{_frames(email.subject, shown)}
<details class="part"><summary>Text version</summary><pre>{escape(email.text)}</pre></details>
<details class="part"><summary>Headers</summary><table>{headers}</table></details>
</article>"""


def _frames(title: str, html: str) -> str:
    """The email at desktop width, and beside it at a phone's 390 px."""
    srcdoc = escape(html, quote=True)
    sandbox = 'sandbox="allow-popups allow-popups-to-escape-sandbox allow-same-origin"'
    return f"""<div class="frame"><iframe title="{escape(title)}" srcdoc="{srcdoc}"
  {sandbox} onload="fit(this)"></iframe>
<figure class="phone"><iframe title="{escape(title)} (phone)" srcdoc="{srcdoc}"
  {sandbox} onload="fit(this)"></iframe><figcaption>On a phone, 390 px</figcaption></figure>
</div>"""
