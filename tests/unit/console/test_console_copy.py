"""The Copy section: a German subject edited, checked, saved where the functions read it,
sent by the next order confirmation, reverted; bad words refused; the export; a test send;
canned responses saved and reverted; nothing for anyone not signed in."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from base64 import b64decode
from typing import Any

import pytest
from tailor import aws, copy, samples
from tailor.console import copydesk
from tailor_local.template import Template

from tests.helpers.console import ORIGIN, STAFF, call, csrf, sign_in
from tests.helpers.events import load_event
from tests.helpers.mail import Outbox, text_part
from tests.helpers.orders import stock_the_shop

EMAIL_TYPE = "order_confirmation"
EDITOR = f"/console/copy/{EMAIL_TYPE}/de"
SUBJECT = "Danke für Ihre Bestellung {number}!"


@pytest.fixture(autouse=True)
def fresh_overrides() -> Any:
    copy.clear_cache()
    samples.forget_kept()
    yield
    copy.clear_cache()
    samples.forget_kept()


@pytest.fixture
def console(run: Any, outbox: Outbox, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    monkeypatch.setenv("TAILOR_NOW", "2026-11-23T16:00:00+00:00")
    return run, sign_in(run, outbox)


def form_of(page: dict[str, Any]) -> dict[str, str]:
    """The editor's fields as the browser would send them."""
    body = page["body"]
    fields = {
        name: html.unescape(text)
        for name, text in re.findall(
            r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S
        )
    }
    return {**fields, "csrf": csrf(page)}


def submit(run: Any, cookie: str, changes: dict[str, str], action: str) -> dict[str, Any]:
    form = form_of(call(run, "GET", EDITOR, cookie=cookie))
    on = changes.pop("on", "sample")
    form.update({f"k:{k}": v for k, v in changes.items()}, action=action, on=on)
    return call(run, "POST", EDITOR, form, cookie=cookie, origin=ORIGIN)


def order_confirmation_in_german(run: Any, outbox: Outbox) -> Any:
    event = load_event("shopify/orders-create.json")
    event["detail"]["payload"]["customer_locale"] = "de"
    run("OrderConfirmationFunction", event)
    return outbox.messages[-1]


def stored(cloud: Template, key: str) -> Any:
    bucket = cloud.physical_name("MailBucket")
    return aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def nothing_saved(cloud: Template) -> bool:
    bucket = cloud.physical_name("MailBucket")
    return "Contents" not in aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="copy/")


def test_a_saved_subject_is_what_the_next_email_carries(
    console: tuple[Any, str], outbox: Outbox, cloud: Template
) -> None:
    run, cookie = console
    saved = submit(run, cookie, {"subject": SUBJECT}, "save")
    assert saved["statusCode"] == 303

    stock_the_shop(run)
    message = order_confirmation_in_german(run, outbox)

    assert message["Subject"] == "Danke für Ihre Bestellung #1001!"
    # Only the changed key is the override; the rest stays the packaged translation.
    assert json.loads(stored(cloud, f"copy/{EMAIL_TYPE}/de.json")) == {"subject": SUBJECT}
    page = call(run, "GET", EDITOR, cookie=cookie)["body"]
    assert STAFF in page and "5 minutes" in page
    trail = [
        i for i in aws.table("ConsoleTable").scan()["Items"] if i.get("action") == "copy saved"
    ]
    assert len(trail) == 1


def test_unknown_fields_and_wrong_placeholders_are_refused_and_nothing_saved(
    console: tuple[Any, str], cloud: Template
) -> None:
    run, cookie = console

    refused = submit(
        run, cookie, {"subject": "Bestellung {nummer}", "betreff": "Hallo", "intro": " "}, "save"
    )

    assert refused["statusCode"] == 422
    body = refused["body"]
    assert "Nothing was saved" in body
    assert "unknown key &#39;betreff&#39;" in body
    assert "has placeholders [&#39;nummer&#39;], English has [&#39;number&#39;]" in body
    assert "&#39;intro&#39; is empty" in body
    assert nothing_saved(cloud)


def test_the_preview_shows_the_unsaved_words_on_the_sample_order(console: tuple[Any, str]) -> None:
    run, cookie = console

    checked = submit(run, cookie, {"subject": SUBJECT}, "check")

    assert checked["statusCode"] == 200
    assert preview_subject(checked) == "Danke für Ihre Bestellung #1001!"
    frame = call(run, "GET", f"{EDITOR}/preview", cookie=cookie)
    assert frame["statusCode"] == 200 and 'lang="de"' in frame["body"]
    assert "sandbox" in frame["headers"]["Content-Security-Policy"]


def german_order(number: int, email: str) -> dict[str, Any]:
    event = load_event("shopify/orders-create.json")
    payload = event["detail"]["payload"]
    order_id = 7_100_000_000_000 + number
    payload.update(id=order_id, customer_locale="de", name=f"#{number}")
    payload.update(email=email, contact_email=email)
    payload["customer"] = {**payload["customer"], "email": email}
    event["detail"]["metadata"]["X-Shopify-Order-Id"] = str(order_id)
    return event


# Customers whose order confirmations are kept for the preview, and one whose are not
# (`samples.chosen`: one customer in `samples.KEEP_ONE_IN`, by a hash of type and address).
BUYERS = [f"buyer{n}@example.com" for n in range(500)]
KEPT = [buyer for buyer in BUYERS if samples.chosen(EMAIL_TYPE, buyer)]


def test_the_preview_can_show_the_last_real_email_of_the_type_in_that_language(
    console: tuple[Any, str], outbox: Outbox, cloud: Template
) -> None:
    run, cookie = console
    stock_the_shop(run)
    run("OrderConfirmationFunction", german_order(2042, KEPT[0]))

    on_last = submit(run, cookie, {"subject": SUBJECT, "on": "last"}, "check")
    on_sample = submit(run, cookie, {"subject": SUBJECT, "on": "sample"}, "check")

    assert preview_subject(on_last) == "Danke für Ihre Bestellung #2042!"
    assert "Preview on the last real email in this language, sent 2026-11-23" in on_last["body"]
    assert f"one customer in {samples.KEEP_ONE_IN} has their emails kept" in on_last["body"]
    assert preview_subject(on_sample) == "Danke für Ihre Bestellung #1001!"
    kept = stored(cloud, f"copy/{EMAIL_TYPE}/last-event/de.json").decode()
    assert "#2042" in kept and "manage" not in json.loads(kept)


def test_only_one_customer_in_many_has_an_email_kept_for_the_preview(
    console: tuple[Any, str], outbox: Outbox, cloud: Template
) -> None:
    """An S3 write per email would cost 5 % of what SES charges: most emails write none."""
    run, _ = console
    stock_the_shop(run)
    orders = [german_order(3000 + n, buyer) for n, buyer in enumerate(BUYERS[:100])]
    written: list[str] = []

    def put(params: dict[str, Any], **_: Any) -> None:
        written.append(params["Key"])

    events = aws.client("s3").meta.events
    events.register("provide-client-params.s3.PutObject", put)
    try:
        for order in orders:
            samples.forget_kept()  # as if each order reached a container of its own
            run("OrderConfirmationFunction", order)
    finally:
        events.unregister("provide-client-params.s3.PutObject", put)

    chosen = [order for order in orders if order["detail"]["payload"]["email"] in KEPT]
    confirmations = [m for m in outbox.messages if m["To"].addresses[0].addr_spec in BUYERS]
    assert len(confirmations) == 100 and 0 < len(chosen) < 100 / 10
    assert written == [f"copy/{EMAIL_TYPE}/last-event/de.json"] * len(chosen)
    kept = json.loads(stored(cloud, f"copy/{EMAIL_TYPE}/last-event/de.json"))
    assert chosen[-1]["detail"]["payload"]["name"] in json.dumps(kept)


def preview_subject(page: dict[str, Any]) -> str:
    found = re.search(r'id="preview-subject">([^<]*)<', page["body"])
    assert found, "no preview on the page"
    return html.unescape(found.group(1))


def test_a_test_send_goes_to_the_signed_in_address_marked_as_a_test(
    console: tuple[Any, str], outbox: Outbox
) -> None:
    run, cookie = console

    submit(run, cookie, {"subject": SUBJECT}, "test")

    message = outbox.messages[-1]
    assert message["To"] == STAFF
    assert message["Subject"] == "[Test] Danke für Ihre Bestellung #1001!"
    assert message["X-Tailor-Test"] == "copy preview"
    assert "Classic Oxford" in text_part(message)


def test_revert_brings_an_earlier_version_back(
    console: tuple[Any, str], outbox: Outbox, cloud: Template
) -> None:
    run, cookie = console
    submit(run, cookie, {"subject": SUBJECT}, "save")
    submit(run, cookie, {"subject": "Bestellung {number}: wir packen schon"}, "save")
    page = call(run, "GET", EDITOR, cookie=cookie)
    versions = re.findall(r'name="version" value="([^"]+)"', page["body"])
    assert versions[1:] == ["packaged"]  # the current version has no revert button

    reverted = call(
        run,
        "POST",
        f"{EDITOR}/revert",
        {"csrf": csrf(page), "version": versions[0]},
        cookie=cookie,
        origin=ORIGIN,
    )

    assert reverted["statusCode"] == 303
    assert json.loads(stored(cloud, f"copy/{EMAIL_TYPE}/de.json")) == {"subject": SUBJECT}
    history = call(run, "GET", EDITOR, cookie=cookie)["body"]
    assert history.count(f"{STAFF}") >= 3 and "reverted to 2026-11-23 16:00:00 UTC" in history
    actions = [i.get("action") for i in aws.table("ConsoleTable").scan()["Items"]]
    assert actions.count("copy saved") == 2 and actions.count("copy reverted") == 1
    stock_the_shop(run)
    assert (
        order_confirmation_in_german(run, outbox)["Subject"] == "Danke für Ihre Bestellung #1001!"
    )


def test_going_back_to_the_packaged_words_empties_the_override(
    console: tuple[Any, str], outbox: Outbox, cloud: Template
) -> None:
    run, cookie = console
    submit(run, cookie, {"subject": SUBJECT}, "save")
    page = call(run, "GET", EDITOR, cookie=cookie)

    call(
        run,
        "POST",
        f"{EDITOR}/revert",
        {"csrf": csrf(page), "version": "packaged"},
        cookie=cookie,
        origin=ORIGIN,
    )

    assert json.loads(stored(cloud, f"copy/{EMAIL_TYPE}/de.json")) == {}
    assert "reverted to the packaged words" in call(run, "GET", EDITOR, cookie=cookie)["body"]
    stock_the_shop(run)
    packaged = copy.packaged(EMAIL_TYPE, "de")["subject"].format(number="#1001")
    assert order_confirmation_in_german(run, outbox)["Subject"] == packaged


def test_the_export_holds_the_repository_files_with_the_saved_words(
    console: tuple[Any, str],
) -> None:
    run, cookie = console
    submit(run, cookie, {"subject": SUBJECT}, "save")

    download = call(run, "GET", "/console/copy/export", cookie=cookie)

    assert download["statusCode"] == 200 and download["isBase64Encoded"]
    archive = zipfile.ZipFile(io.BytesIO(b64decode(download["body"])))
    assert archive.namelist() == [f"templates/{EMAIL_TYPE}/copy/de.json"]
    exported = json.loads(archive.read(f"templates/{EMAIL_TYPE}/copy/de.json"))
    assert exported == {**copy.packaged(EMAIL_TYPE, "de"), "subject": SUBJECT}
    assert list(exported) == list(copy.packaged(EMAIL_TYPE, "de"))  # the file's own order


def test_a_canned_response_is_saved_where_the_desk_reads_it_and_reverted(
    console: tuple[Any, str], cloud: Template
) -> None:
    run, cookie = console
    path = "/console/copy/canned/de/returns"
    page = call(run, "GET", path, cookie=cookie)
    source = re.search(
        r'<textarea id="source" name="source"[^>]*>(.*?)</textarea>', page["body"], re.S
    )
    assert source
    original = html.unescape(source.group(1))
    edited = original.replace("\n---\n", "\n---\nHi {{ customer.first_name }}, happy to help.\n", 1)
    form = {"csrf": csrf(page), "source": edited}

    checked = call(run, "POST", path, {**form, "action": "check"}, cookie=cookie, origin=ORIGIN)
    assert "Hi Susie, happy to help." in checked["body"]
    broken = call(
        run,
        "POST",
        path,
        {**form, "source": "no front matter", "action": "save"},
        cookie=cookie,
        origin=ORIGIN,
    )
    assert broken["statusCode"] == 422 and "front matter" in broken["body"]
    call(run, "POST", path, {**form, "action": "save"}, cookie=cookie, origin=ORIGIN)
    assert stored(cloud, "canned/de/returns.txt.j2").decode() == edited
    second = call(
        run,
        "POST",
        path,
        {**form, "source": original, "action": "save"},
        cookie=cookie,
        origin=ORIGIN,
    )
    assert second["statusCode"] == 303

    page = call(run, "GET", path, cookie=cookie)
    version, packaged = re.findall(r'name="version" value="([^"]+)"', page["body"])
    assert packaged == "packaged"
    call(
        run,
        "POST",
        f"{path}/revert",
        {"csrf": csrf(page), "version": version},
        cookie=cookie,
        origin=ORIGIN,
    )
    assert stored(cloud, "canned/de/returns.txt.j2").decode() == edited


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/console/copy/"),
        ("GET", EDITOR),
        ("GET", f"{EDITOR}/preview"),
        ("GET", "/console/copy/export"),
        ("GET", "/console/copy/canned/de/returns"),
        ("POST", EDITOR),
        ("POST", f"{EDITOR}/revert"),
    ],
)
def test_anyone_not_signed_in_gets_the_sign_in_page_and_nothing_is_saved(
    run: Any, cloud: Template, method: str, path: str
) -> None:
    form = {"k:subject": SUBJECT, "action": "save", "version": "x"} if method == "POST" else None

    answer = call(run, method, path, form, origin=ORIGIN if form else None)

    assert answer["statusCode"] == 401 and 'action="/console/sign-in"' in answer["body"]
    assert "Bestellung" not in answer["body"] and "isBase64Encoded" not in answer
    assert nothing_saved(cloud)


def test_a_save_without_the_csrf_token_is_refused(
    console: tuple[Any, str], cloud: Template
) -> None:
    run, cookie = console
    form = form_of(call(run, "GET", EDITOR, cookie=cookie))
    del form["csrf"]

    refused = call(
        run,
        "POST",
        EDITOR,
        {**form, "k:subject": SUBJECT, "action": "save"},
        cookie=cookie,
        origin=ORIGIN,
    )

    assert refused["statusCode"] == 403
    assert nothing_saved(cloud)


def test_a_blank_text_the_language_never_had_stays_untranslated_not_empty(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "welcome" / "copy"
    folder.mkdir(parents=True)
    (folder / "en.json").write_text(json.dumps({"subject": "Hi", "intro": "Welcome"}))
    (folder / "de.json").write_text(json.dumps({"subject": "Hallo"}))
    monkeypatch.setenv("TAILOR_TEMPLATES", str(tmp_path))
    copy.packaged.cache_clear()
    try:
        form = {"k:subject": "Guten Tag", "k:intro": ""}
        words = copydesk.submitted("welcome", "de", form)
        assert words == {"subject": "Guten Tag"}
        assert copydesk.problems("welcome", "de", words) == []
        assert copydesk.untranslated("welcome", "de", words) == ["intro"]
        # A text the language has, emptied, is refused.
        emptied = copydesk.submitted("welcome", "de", {"k:subject": " "})
        assert copydesk.problems("welcome", "de", emptied) == ["welcome/de: 'subject' is empty"]
    finally:
        copy.packaged.cache_clear()


def test_english_opens_on_the_shops_un_prefixed_response_and_exports_each_language(
    console: tuple[Any, str], cloud: Template
) -> None:
    """A response a shop uploaded as canned/<id>.txt.j2 before the library spoke several
    languages is English's: the English editor opens on it, and the export writes it and
    each language's override to the packaged file it stands for."""
    run, cookie = console
    bucket = cloud.physical_name("MailBucket")
    shops = "---\ntitle: Returns\nintents: return\n---\nSend them back within 60 days.\n"
    aws.client("s3").put_object(Bucket=bucket, Key="canned/returns.txt.j2", Body=shops.encode())
    french = call(run, "GET", "/console/copy/canned/fr/returns", cookie=cookie)
    assert "Send them back" not in french["body"]  # French answers with its packaged text
    translated = shops.replace("Send them back within 60 days.", "Renvoyez-les sous 60 jours.")
    form = {"csrf": csrf(french), "source": translated, "action": "save"}
    call(run, "POST", "/console/copy/canned/fr/returns", form, cookie=cookie, origin=ORIGIN)

    english = call(run, "GET", "/console/copy/canned/en/returns", cookie=cookie)
    download = call(run, "GET", "/console/copy/export", cookie=cookie)

    assert "Send them back within 60 days." in html.unescape(english["body"])
    archive = zipfile.ZipFile(io.BytesIO(b64decode(download["body"])))
    assert sorted(archive.namelist()) == [
        "templates/canned/en/returns.txt.j2",
        "templates/canned/fr/returns.txt.j2",
    ]
    assert archive.read("templates/canned/en/returns.txt.j2").decode() == shops
    assert archive.read("templates/canned/fr/returns.txt.j2").decode() == translated
