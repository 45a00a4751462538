"""The parser on real-world mail: nothing crashes, the best text is recovered."""

from __future__ import annotations

import pytest
from tailor.support.mime import parse_mail
from tailor.support.quotes import split_reply

from tests.helpers.support_desk import MAIL, eml


@pytest.mark.parametrize("path", sorted(MAIL.glob("*.eml")), ids=lambda p: p.name)
def test_every_message_in_the_corpus_parses(path: object) -> None:
    mail = parse_mail(path.read_bytes())  # type: ignore[attr-defined]

    assert mail.sender is not None
    assert "\ufffd" not in mail.subject + mail.sender_name


def test_broken_mime_keeps_the_text_and_the_attachment() -> None:
    mail = parse_mail(eml("broken-mime.eml"))

    assert mail.body.new == "Where is my order? It has not arrived yet."
    assert [a.name for a in mail.attachments] == ["receipt.pdf"]
    assert "CloseBoundaryNotFoundDefect" in mail.defects


def test_missing_headers_are_none_not_errors() -> None:
    mail = parse_mail(eml("missing-headers.eml"))

    assert (mail.message_id, mail.subject, mail.date) == (None, "", None)
    assert mail.body.new == "I would like to return the shoes please."


def test_raw_8bit_headers_are_read_as_utf8_or_windows_1252() -> None:
    utf8, latin1 = parse_mail(eml("8bit-headers.eml")), parse_mail(eml("latin1-header.eml"))

    assert utf8.subject == "Größe passt nicht \N{EN DASH} Umtausch?"
    assert utf8.sender_name == "Zoë Müller"
    assert "Größe 39 statt 38" in utf8.body.new
    assert latin1.subject == "Café au lait colour - exchange?" and latin1.sender_name == "René"
    assert latin1.body.new == "J'aimerais échanger la couleur, s'il vous plaît."


def test_an_unknown_charset_falls_back_without_crashing() -> None:
    mail = parse_mail(eml("unknown-charset.eml"))

    assert mail.subject == "Refund please"
    assert "café colour" in mail.body.new


def test_nested_multiparts_give_one_text_and_every_attachment() -> None:
    mail = parse_mail(eml("nested-multipart.eml"))

    assert mail.body.new == "The heel of my left shoe arrived damaged, see the photo."
    assert [(a.content_type, a.part, a.inline) for a in mail.attachments] == [
        ("image/png", "1.1.2", True),
        ("application/pdf", "1.2", False),
    ]
    assert mail.attachments[1].name == "Rechnung Müller.pdf"


def test_html_only_mail_is_read_as_text_with_the_quote_apart() -> None:
    mail = parse_mail(eml("html-only.eml"))

    assert mail.html_only is True
    assert mail.body.new == "Is the Classic Oxford waterproof? I\u2019d wear it in the rain."
    assert "Your order #7001 is confirmed" in mail.body.quoted


def test_an_empty_body_and_a_broken_base64_body_do_not_stop_the_parser() -> None:
    assert parse_mail(eml("empty-body.eml")).text == ""
    assert parse_mail(eml("bad-base64.eml")).body.new.startswith("Please cancel my order #7001")


def test_authentication_results_are_trusted_only_from_ses() -> None:
    genuine, spoofed = parse_mail(eml("susie-shoes.eml")), parse_mail(eml("spoofed-susie.eml"))

    assert genuine.authentication.vouches_for("example.com")
    assert not spoofed.authentication.vouches_for("example.com")  # the forged header below
    assert not genuine.authentication.vouches_for("other.example")


@pytest.mark.parametrize(
    ("text", "new", "quoted", "signature"),
    [
        (
            "Yes please.\n\nOn Mon, 23 Nov 2026 at 10:02, Shop <orders@shop.example.com> wrote:\n"
            "> Burgundy?",
            "Yes please.",
            "On Mon",
            "",
        ),
        (
            "Yes please.\n\nOn Mon, 23 Nov 2026 at 10:02, Oklahoma Outfitters\n"
            "<orders@shop.example.com> wrote:\n> Burgundy?",
            "Yes please.",
            "On Mon",
            "",
        ),
        ("> Burgundy?\nYes please.\n> Size?\n13", "Yes please.\n13", "> Burgundy?", ""),
        ("Yes.\n-- \nSusie\nTulsa", "Yes.", "", "--\nSusie"),
        ("Yes.\n\nSent from my iPhone", "Yes.", "", "Sent from my iPhone"),
        (
            "Ja, bitte.\n\nAm 23.11.2026 um 10:02 schrieb Shop <orders@shop.example.com>:\n> Hallo",
            "Ja, bitte.",
            "Am 23.11.2026",
            "",
        ),
        (
            "Fine.\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\nTo: Susie\n\nHello",
            "Fine.",
            "-----Original Message-----",
            "",
        ),
        (
            "Fine.\n\nFrom: Shop <orders@shop.example.com>\nSent: Monday\nTo: Susie\n"
            "Subject: Re: shoes\n\nHello",
            "Fine.",
            "From: Shop",
            "",
        ),
        ("On the order page it says shipped.", "On the order page it says shipped.", "", ""),
    ],
)
def test_quotes_and_signatures_are_separated_from_the_new_text(
    text: str, new: str, quoted: str, signature: str
) -> None:
    split = split_reply(text)

    assert split.new == new
    assert split.quoted.startswith(quoted)
    assert split.signature.startswith(signature)


def mislabelled(charset: str, body: bytes, subject: bytes = b"Question") -> bytes:
    return (
        b"From: Customer <customer@example.org>\r\nTo: support@shop.example.com\r\n"
        b"Subject: " + subject + b"\r\nMessage-ID: <charset.1@example.org>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )


@pytest.mark.parametrize(
    ("charset", "text", "encoding"),
    [
        ("gb2312", "朱镕基订购的鞋子", "gbk"),  # 镕 is GBK, not GB2312
        ("ks_c_5601-1987", "똠방각하 주문", "cp949"),  # 똠 is only in Microsoft's cp949
        ("shift_jis", "注文①の靴\N{FULLWIDTH TILDE}サイズ", "cp932"),  # ① and the tilde: cp932 only
        (
            "iso-8859-1",
            "\N{LEFT DOUBLE QUOTATION MARK}Café\N{RIGHT DOUBLE QUOTATION MARK} €20",
            "cp1252",
        ),
        ("us-ascii", "I don\N{RIGHT SINGLE QUOTATION MARK}t want them", "cp1252"),
    ],
)
def test_a_mislabelled_charset_is_read_as_its_superset(
    charset: str, text: str, encoding: str
) -> None:
    mail = parse_mail(mislabelled(charset, text.encode(encoding)))

    assert mail.body.new == text


def test_an_encoded_word_in_a_mislabelled_charset_is_read_as_its_superset() -> None:
    import base64

    word = base64.b64encode("朱镕基的订单".encode("gbk"))
    mail = parse_mail(mislabelled("utf-8", b"Hello", subject=b"=?gb2312?b?" + word + b"?="))

    assert mail.subject == "朱镕基的订单"
