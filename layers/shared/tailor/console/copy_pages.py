"""The console's Copy section: every email's words and every canned response, per
language, edited, checked, previewed, test-sent, saved, reverted and exported.

Saved words are the overrides the functions already read, so they take effect without a
deploy (within five minutes: each function caches overrides for `copy.OVERRIDE_TTL_SECONDS`).
"""

from __future__ import annotations

from tailor import clock, copy, samples
from tailor.console import copydesk
from tailor.console.http import Response, redirect, url
from tailor.console.overrides import Overrides
from tailor.console.site import Context, framed, router
from tailor.mail import Mailer, Outgoing
from tailor.render import Rendered
from tailor.settings import get_settings
from tailor.support import canned

FOLDER = r"(?P<folder>[a-z][a-z_]{0,63})"
LANG = r"(?P<lang>[a-z]{2})"
CANNED = r"(?P<canned_id>[a-z0-9][a-z0-9_-]{0,63})"
TEST_HEADER = "X-Tailor-Test"
PACKAGED = "packaged"  # the version a revert names to go back to the packaged words
# `common` holds the layout's words: they are previewed in the order confirmation.
PREVIEWED_IN = {copy.COMMON: "order_confirmation"}


def _store() -> Overrides:
    return Overrides(get_settings().need("copy_bucket"))


def _canned_store(context: Context) -> Overrides:
    return Overrides(context.desk.support.need("mail_bucket"))


def _canned_key(context: Context, lang: str, canned_id: str) -> str:
    return copydesk.canned_key(context.desk.support.canned_prefix, lang, canned_id)


def _not_found(context: Context) -> Response:
    return context.page("message.html.j2", 404, title="Not found", message="No such copy.")


@router.page("GET", "/copy/")
def copy_index(context: Context) -> Response:
    return context.page(
        "copy_index.html.j2",
        title="Copy",
        section="copy",
        folders=copydesk.listing(),
        languages=copydesk.LANGUAGE_NAMES,
        responses={
            lang: sorted(context.desk.library(lang).responses.values(), key=lambda c: c.canned_id)
            for lang in copy.SUPPORTED
        },
        ttl=copy.OVERRIDE_TTL_SECONDS,
    )


@router.page("GET", "/copy/export")
def export(context: Context) -> Response:
    archive = copydesk.export(_store(), _canned_store(context), context.desk.support.canned_prefix)
    context.audit("copy exported")
    return Response(
        200,
        archive,
        {
            "Content-Type": "application/zip",
            "Content-Disposition": 'attachment; filename="tailor-copy.zip"',
        },
    )


# ---------------------------------------------------------------------- email copy
@router.page("GET", f"/copy/{FOLDER}/{LANG}")
def copy_editor(context: Context, folder: str, lang: str) -> Response:
    if not copydesk.editable(folder, lang):
        return _not_found(context)
    words = copydesk.current(_store(), folder, lang)
    return _editor(context, folder, lang, words)


@router.page("POST", f"/copy/{FOLDER}/{LANG}")
def copy_submit(context: Context, folder: str, lang: str) -> Response:
    """Check (and preview), send a test, or save the submitted words; nothing is saved
    or sent while a problem is left."""
    if not copydesk.editable(folder, lang):
        return _not_found(context)
    words = copydesk.submitted(folder, lang, dict(context.request.form))
    problems = copydesk.problems(folder, lang, words)
    if problems:
        return _editor(context, folder, lang, words, 422, problems=problems)
    override = copydesk.changes(folder, lang, words)
    action = context.request.form.get("action", "check")
    if action == "save":
        key = copydesk.override_key(folder, lang)
        _store().save(key, copydesk.dumps(override), context.me.email, clock.now())
        context.audit("copy saved", folder=folder, lang=lang, keys=sorted(override))
        return redirect(url(f"/copy/{folder}/{lang}", saved="1"))
    email_type = PREVIEWED_IN.get(folder, folder)
    on_last = context.request.form.get("on") == "last"
    data = copydesk.preview_data(_store().bucket, email_type, lang, on_last)
    if data is None:
        return _editor(context, folder, lang, words, 422, problems=[_NO_SAMPLE])
    email = copydesk.preview(email_type, lang, folder, override, data)
    context.console.save_draft(context.me, _draft_id(folder, lang), email.html, clock.now())
    if action == "test":
        _send_test(context, email_type, email)
        context.audit("copy test sent", folder=folder, lang=lang)
    return _editor(
        context, folder, lang, words, email=email, shown_on=data.label, tested=action == "test"
    )


_NO_SAMPLE = "This email has no sample to preview or test on yet; saving works."


@router.page("GET", f"/copy/{FOLDER}/{LANG}/preview")
def copy_frame(context: Context, folder: str, lang: str) -> Response:
    return framed(context.console.draft(context.me, _draft_id(folder, lang)))


@router.page("POST", f"/copy/{FOLDER}/{LANG}/revert")
def copy_revert(context: Context, folder: str, lang: str) -> Response:
    if not copydesk.editable(folder, lang):
        return _not_found(context)
    key = copydesk.override_key(folder, lang)
    reverted = _revert(context, _store(), key, copydesk.dumps({}))
    if reverted is None:
        return _not_found(context)
    context.audit("copy reverted", folder=folder, lang=lang, version=reverted)
    return redirect(url(f"/copy/{folder}/{lang}", saved="1"))


def _revert(context: Context, store: Overrides, key: str, packaged: str) -> str | None:
    """Save the chosen version's text again (or the packaged one's: `packaged`); the
    version's id, or None if there is none."""
    wanted = context.request.form.get("version", "")
    version = store.version(key, wanted)
    if wanted == PACKAGED:
        text, action = packaged, "reverted to the packaged words"
    elif version is not None:
        text, action = version.text, f"reverted to {version.at:%Y-%m-%d %H:%M:%S} UTC"
    else:
        return None
    store.save(key, text, context.me.email, clock.now(), action)
    return wanted


def _draft_id(folder: str, lang: str) -> str:
    return f"COPY#{folder}#{lang}"


def _editor(
    context: Context,
    folder: str,
    lang: str,
    words: dict[str, str],
    status: int = 200,
    problems: list[str] | None = None,
    email: Rendered | None = None,
    shown_on: str = "",
    tested: bool = False,
) -> Response:
    store = _store()
    saved = copydesk.stored(store, folder, lang)
    return context.page(
        "copy_editor.html.j2",
        status,
        title=f"{folder} · {copydesk.LANGUAGE_NAMES[lang]}",
        section="copy",
        folder=folder,
        lang=lang,
        language=copydesk.LANGUAGE_NAMES[lang],
        rows=[
            (key, copydesk.english(folder, key), words.get(key, ""))
            for key in copydesk.keys(folder, lang)
        ],
        unknown=[k for k in words if k not in copydesk.keys(folder, lang)],
        words=words,
        untranslated=copydesk.untranslated(folder, lang, saved),
        problems=problems or [],
        email=email,
        shown_on=shown_on,
        on_last=context.request.form.get("on") == "last",
        tested=tested,
        saved=context.request.query.get("saved") == "1",
        versions=store.history(copydesk.override_key(folder, lang)),
        field=copydesk.FIELD,
        ttl=copy.OVERRIDE_TTL_SECONDS,
        keep_one_in=samples.KEEP_ONE_IN,
    )


def _send_test(context: Context, email_type: str, email: Rendered) -> None:
    """The previewed email to the signed-in address, the way every email leaves (SES,
    the transactional configuration set), marked as a test in its subject and headers."""
    settings = get_settings()
    content = Rendered(subject=f"[Test] {email.subject}", html=email.html, text=email.text)
    Mailer(settings.sender_address, settings.shop_name).send(
        Outgoing(
            email_type=email_type,
            to=context.me.email,
            to_name=None,
            content=content,
            configuration_set=settings.need("transactional_configuration_set"),
            headers={TEST_HEADER: "copy preview"},
        )
    )


# ---------------------------------------------------------------------- canned responses
@router.page("GET", f"/copy/canned/{LANG}/{CANNED}")
def canned_editor(context: Context, lang: str, canned_id: str) -> Response:
    if lang not in copy.SUPPORTED or context.desk.library(lang).get(canned_id) is None:
        return _not_found(context)
    store, prefix = _canned_store(context), context.desk.support.canned_prefix
    source = copydesk.canned_current(store, prefix, lang, canned_id) or ""
    return _canned(context, lang, canned_id, source)


@router.page("POST", f"/copy/canned/{LANG}/{CANNED}")
def canned_submit(context: Context, lang: str, canned_id: str) -> Response:
    if lang not in copy.SUPPORTED or context.desk.library(lang).get(canned_id) is None:
        return _not_found(context)
    text = context.request.form.get("source", "").replace("\r\n", "\n")
    try:
        # Rendered as if packaged: an override that fails would quietly fall back to the
        # packaged text, and staff must see the error instead.
        parsed = canned.parse_canned(canned_id, text, "packaged", lang)
        filled = context.desk.library(lang).render(parsed, copydesk.SAMPLE_TICKET)
    except Exception as error:  # a staff-edited template can fail in any way: say how
        return _canned(context, lang, canned_id, text, 422, problems=[str(error)])
    if context.request.form.get("action") == "save":
        key = _canned_key(context, lang, canned_id)
        _canned_store(context).save(key, text, context.me.email, clock.now())
        context.audit("canned response saved", canned_id=canned_id, lang=lang)
        return redirect(url(f"/copy/canned/{lang}/{canned_id}", saved="1"))
    return _canned(context, lang, canned_id, text, filled=filled)


@router.page("POST", f"/copy/canned/{LANG}/{CANNED}/revert")
def canned_revert(context: Context, lang: str, canned_id: str) -> Response:
    if lang not in copy.SUPPORTED:
        return _not_found(context)
    key = _canned_key(context, lang, canned_id)
    packaged = copydesk.canned_source(lang, canned_id)
    if packaged is None:  # a response the shop added has no packaged text to go back to
        packaged = _canned_store(context).current(key) or ""
    reverted = _revert(context, _canned_store(context), key, packaged)
    if reverted is None:
        return _not_found(context)
    context.audit("canned response reverted", canned_id=canned_id, lang=lang, version=reverted)
    return redirect(url(f"/copy/canned/{lang}/{canned_id}", saved="1"))


def _canned(
    context: Context,
    lang: str,
    canned_id: str,
    source: str,
    status: int = 200,
    problems: list[str] | None = None,
    filled: canned.RenderedCanned | None = None,
) -> Response:
    store = _canned_store(context)
    return context.page(
        "canned_editor.html.j2",
        status,
        title=f"Canned response {canned_id} · {copydesk.LANGUAGE_NAMES[lang]}",
        section="copy",
        canned_id=canned_id,
        lang=lang,
        language=copydesk.LANGUAGE_NAMES[lang],
        source=source,
        packaged=copydesk.canned_source(lang, canned_id),
        problems=problems or [],
        filled=filled,
        saved=context.request.query.get("saved") == "1",
        versions=store.history(_canned_key(context, lang, canned_id)),
    )
