"""Refer a friend end to end, on Shopify-shaped orders: the share page, the invitation's
code, the friend's response and first order, the reward after the return window, and the
fraud rules, each refusal stored with its reason."""

from __future__ import annotations

import html as html_entities
import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from tailor import clock, copy
from tailor.profiles import Profiles
from tailor.referrals.store import (
    ALREADY_INVITED,
    EXISTING_CUSTOMER,
    MONTHLY_CAP,
    RATE_LIMITED,
    SELF_REFERRAL,
    Referrals,
)
from tailor.scheduling import Schedules
from tailor_local.cloud import EphemeralCloud
from tailor_local.runner import Report, Runner
from tailor_local.state import Journal, State
from tailor_local.template import Template

from tests.helpers.aftercare import AFTERCARE_GROUP, due_at, schedules
from tests.helpers.events import load_event
from tests.helpers.mail import html_part, link_token, links_in, text_part

OFFER = "15%"  # off the friend's first order
REWARD = "10"  # dollars off the referrer's next order (the shop's currency)
SUSIE, SUSIE_ID = "susie@example.com", "7001"
DANA, ALEX = "dana@example.net", "alex.rivera@example.com"
PAGE = "http://127.0.0.1:3000/ReferralPageFunction/"
INVALID = "This link is not valid"

# Invitation requests in a test are told apart by a microsecond each.
_REQUESTS = itertools.count(1)


@pytest.fixture(scope="module")
def template() -> Template:
    return Template(
        parameters={
            "ReferralOffer": OFFER,
            "ReferralRewardOffer": REWARD,
            "ReferralInvitesPerDay": "2",
            "ReferralRewardsPerMonth": "2",
            "ReferralRewardDelayDays": "30",
            "ShopName": "Oklahoma Outfitters",
        }
    )


def url_event(
    path: str, query: dict[str, str] | None = None, form: Any = None, method: str = "GET"
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": path,
        "queryStringParameters": query or {},
        "requestContext": {"http": {"method": "POST" if form is not None else method}},
        "headers": {},
        "body": urlencode(form, doseq=True) if form is not None else None,
        "isBase64Encoded": False,
    }


class Shop:
    """The local cloud as the shop and its customers use it: events through the template's
    rules, the referral page through its function URL."""

    def __init__(self, template: Template, outbox: Any) -> None:
        self.template = template
        self.outbox = outbox
        self.runner = Runner(template, EphemeralCloud(template, State(), Journal(None)))
        self.referrals = Referrals(template.physical_name("ReferralsTable"))

    def deliver(self, event: dict[str, Any]) -> Report:
        report = self.runner.deliver(event)
        assert report.ok, report.failures
        return report

    def page(
        self, path: str, query: dict[str, str] | None = None, form: Any = None, method: str = "GET"
    ) -> Any:
        function = self.template.function("ReferralPageFunction")
        event = url_event(path, query, form, method)
        report = self.runner.invoke_once(function, event, drain=True)
        assert report.ok, report.failures
        return report.invocations[0].outcome.result

    def invite(self, friend: str = DANA, referrer: str = SUSIE, **detail: Any) -> Report:
        event = load_event("canonical/referral-invitation-requested.json")
        event["id"] = str(uuid.uuid4())
        detail = {"referrer_customer_id": SUSIE_ID, **detail}
        event["detail"].update(referrer_email=referrer, friend_email=friend, **detail)
        # A new request: the pinned clock, a microsecond apart from the one before.
        moment = clock.now() + timedelta(microseconds=next(_REQUESTS))
        event["detail"]["requested_at"] = moment.isoformat()
        return self.deliver(event)

    def order(
        self,
        email: str,
        order_id: int,
        *,
        code: str | None = None,
        landing: str = "/",
        attributes: dict[str, str] | None = None,
        customer_id: int | None = None,
        address1: str = "9 Friend Lane",
    ) -> Report:
        return self.deliver(
            shopify_order(email, order_id, code, landing, attributes, customer_id, address1)
        )

    def mail_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.outbox.messages if m["To"].addresses[0].addr_spec == address]

    def code_sent_to(self, friend: str) -> str:
        [invitation] = [m for m in self.mail_to(friend) if "invited you" in m["Subject"]]
        text = text_part(invitation)
        return text[text.index("FRIEND-") :][:16]

    def rewards_results(self, report: Report) -> list[Any]:
        return [
            i.outcome.result
            for i in report.invocations
            if i.function_id == "ReferralRewardsFunction"
        ]

    def refusals(self, referrer: str = SUSIE) -> list[str]:
        return [str(item["reason"]) for item in self.referrals.refusals(referrer)]

    def fire_reward(self, monkeypatch: pytest.MonkeyPatch) -> Report:
        [schedule] = schedules(AFTERCARE_GROUP, "referral")
        monkeypatch.setenv("TAILOR_NOW", due_at(schedule).isoformat())
        report = self.runner.fire_target(schedule["Target"], "reward due", "reward")
        assert report.ok, report.failures
        return report


def shopify_order(
    email: str,
    order_id: int,
    code: str | None,
    landing: str,
    attributes: dict[str, str] | None,
    customer_id: int | None,
    address1: str,
) -> dict[str, Any]:
    """orders/create as Shopify sends it, for this buyer, code, landing page and attributes."""
    event = load_event("shopify/orders-create.json")
    event["id"] = str(uuid.uuid4())
    payload = event["detail"]["payload"]
    payload.update(id=order_id, name=f"#{order_id}", email=email, contact_email=email)
    payload["customer"].update(email=email, id=customer_id or order_id + 500)
    discount = {"code": code, "amount": "9.00", "type": "percentage"}
    payload["discount_codes"] = [discount] if code else []
    payload["landing_site"] = landing
    payload["note_attributes"] = [{"name": k, "value": v} for k, v in (attributes or {}).items()]
    payload["shipping_address"]["address1"] = address1
    return event


@pytest.fixture
def shop(cloud: Template, outbox: Any) -> Iterator[Shop]:
    yield Shop(cloud, outbox)


def converted(shop: Shop) -> list[EmailMessage]:
    return [m for m in shop.mail_to(SUSIE) if "first order" in m["Subject"]]


# ---------------------------------------------------------------------- sharing


def test_each_invitation_has_its_own_code_recorded_and_found_by_code(shop: Shop) -> None:
    shop.invite(DANA)
    shop.invite("sam@example.org")

    dana, sam = shop.code_sent_to(DANA), shop.code_sent_to("sam@example.org")
    assert dana != sam
    record = shop.referrals.code(dana.lower())
    assert record is not None
    assert (record.referrer, record.email_type) == (SUSIE, "referral_invitation")
    invitation = shop.referrals.invitation(record.invitation_id)
    assert invitation is not None and (invitation.friend, invitation.code) == (DANA, dana)
    [mail] = shop.mail_to(DANA)
    text = text_part(mail).replace("\r\n", "\n")
    assert "15% off your first order, with the code below" in text
    assert f"Your welcome code\n{dana}\n" in text
    assert any(link.startswith(f"{PAGE}r?t=") for link in links_in(html_part(mail)))


def test_the_shipping_confirmations_link_opens_a_form_that_invites_once(shop: Shop) -> None:
    shop.deliver(load_event("shopify/orders-create.json"))
    shop.deliver(load_event("shopify/fulfillments-create.json"))
    shipped = shop.mail_to(ALEX)[-1]
    assert "Invite a friend" in text_part(shipped)
    share = link_token(html_part(shipped), PAGE)

    page = shop.page("/", {"t": share})
    assert page["statusCode"] == 200
    form_token = page["body"].split('name="f" value="')[1].split('"')[0]
    form = {"f": form_token, "friend": DANA, "name": "Alex <b>R</b>", "note": "Try it!"}
    sent = shop.page("/", form=form)
    again = shop.page("/", form=form)

    assert sent["statusCode"] == 200 and "Thank you" in sent["body"]
    assert again["statusCode"] == 409
    [invitation] = shop.mail_to(DANA)
    assert invitation["Subject"] == "Alex <b>R</b> invited you"
    assert "Alex &lt;b&gt;R&lt;/b&gt; thinks you" in html_part(invitation)
    assert shop.referrals.code(shop.code_sent_to(DANA)) is not None


@pytest.mark.parametrize(
    ("lang", "worded"),
    [
        ("en", "It comes with a welcome offer: 15% off your first order"),
        ("de", "Dazu gibt es ein Willkommensangebot: 15 % Rabatt auf Ihre erste Bestellung"),
        ("ja", "ウェルカムオファー付き：初回のご注文に使える15%割引"),
    ],
)
def test_the_form_words_the_welcome_offer_in_the_customers_language(
    shop: Shop, lang: str, worded: str
) -> None:
    order = load_event("shopify/orders-create.json")
    order["detail"]["payload"]["customer_locale"] = lang
    shop.deliver(order)
    shop.deliver(load_event("shopify/fulfillments-create.json"))
    share = link_token(html_part(shop.mail_to(ALEX)[-1]), PAGE)

    page = " ".join(html_entities.unescape(shop.page("/", {"t": share})["body"]).split())

    assert worded in page
    if lang != "en":
        assert "first order" not in page


def test_a_form_with_a_bad_address_is_shown_again_naming_the_field(shop: Shop) -> None:
    share = shop_share_token(shop)
    page = shop.page("/", {"t": share})
    form_token = page["body"].split('name="f" value="')[1].split('"')[0]

    answer = shop.page("/", form={"f": form_token, "friend": "not an address", "name": "Al"})

    assert answer["statusCode"] == 400
    assert "Please check your friend\u2019s email address." in answer["body"]
    assert shop.mail_to(DANA) == []


def shop_share_token(shop: Shop) -> str:
    shop.deliver(load_event("shopify/orders-create.json"))
    shop.deliver(load_event("shopify/fulfillments-create.json"))
    return link_token(html_part(shop.mail_to(ALEX)[-1]), PAGE)


def tampered(token: str) -> str:
    body_at = token.index(".") + 2
    flipped = "A" if token[body_at] != "A" else "B"
    return token[:body_at] + flipped + token[body_at + 1 :]


def test_forged_or_tampered_tokens_change_nothing_and_get_the_plain_error_page(
    shop: Shop,
) -> None:
    share = shop_share_token(shop)
    shop.invite(DANA)
    invite_link = link_token(html_part(shop.mail_to(DANA)[0]), f"{PAGE}r?t=")
    before = len(shop.outbox.messages)

    answers = [
        shop.page("/", {"t": tampered(share)}),
        shop.page("/", {"t": invite_link}),  # an invitation is not a share link
        shop.page("/r", {"t": share}),  # nor a share link an invitation
        shop.page("/r", {"t": tampered(invite_link)}),
        shop.page("/", form={"f": share, "friend": "eve@example.org", "name": "Eve"}),
        shop.page("/", form={"f": "", "friend": "eve@example.org", "name": "Eve"}),
    ]

    assert [a["statusCode"] for a in answers] == [400] * 6
    assert all(INVALID in a["body"] for a in answers)
    assert len(shop.outbox.messages) == before
    assert shop.referrals.first_invitation_to("eve@example.org") is None
    invitation = shop.referrals.code(shop.code_sent_to(DANA))
    assert invitation is not None
    found = shop.referrals.invitation(invitation.invitation_id)
    assert found is not None and found.responded_at == ""


# ---------------------------------------------------------------------- respond and buy


def test_the_friend_buying_with_the_code_tells_the_referrer_and_the_reward_follows(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.invite(DANA)
    code = shop.code_sent_to(DANA)

    shop.order(DANA, 9001, code=code.lower())

    [told] = converted(shop)
    assert "Your thank-you, $10.00 off your next order, follows on" in text_part(told)
    [schedule] = schedules(AFTERCARE_GROUP, "referral")
    assert due_at(schedule) == datetime(2026, 12, 20, 10, 14, 32, tzinfo=UTC)
    assert [m["Subject"] for m in shop.mail_to(SUSIE)] == [told["Subject"]]  # nothing else yet

    shop.fire_reward(monkeypatch)

    [reward] = [m for m in shop.mail_to(SUSIE) if "thank-you for referring" in m["Subject"]]
    text = text_part(reward)
    reward_code = text[text.index("REWARD-") :][:16]
    record = shop.referrals.code(reward_code)
    assert record is not None and record.email_type == "referral_reward"
    referral = shop.referrals.referral("9001")
    assert referral is not None and (referral.status, referral.reward_code) == (
        "released",
        reward_code,
    )


def test_opening_the_link_tells_the_referrer_once_and_the_landing_page_counts(
    shop: Shop,
) -> None:
    shop.invite(DANA)
    link = link_token(html_part(shop.mail_to(DANA)[0]), f"{PAGE}r?t=")

    checked = shop.page("/r", {"t": link}, method="HEAD")  # a link checker, not Dana
    assert checked["statusCode"] == 302 and shop.mail_to(SUSIE) == []
    first = shop.page("/r", {"t": link})
    shop.page("/r", {"t": link})

    code = shop.code_sent_to(DANA)
    location = urlsplit(first["headers"]["Location"])
    assert (location.netloc, location.path) == ("shop.example.com", f"/discount/{code}")
    opened = [m for m in shop.mail_to(SUSIE) if "has seen your invitation" in m["Subject"]]
    assert len(opened) == 1
    # Shopify records the first page of the visit as the order's landing_site.
    landing = f"{location.path}?{location.query}"
    shop.order(DANA, 9002, landing=landing)
    assert len(converted(shop)) == 1


def test_an_order_attribute_naming_the_invitation_counts(shop: Shop) -> None:
    shop.invite(DANA)
    record = shop.referrals.code(shop.code_sent_to(DANA))
    assert record is not None

    shop.order(DANA, 9003, attributes={"tailor_referral": record.invitation_id})

    assert len(converted(shop)) == 1


def test_a_duplicated_order_event_counts_once(shop: Shop) -> None:
    shop.invite(DANA)
    event = shopify_order(DANA, 9004, shop.code_sent_to(DANA), "/", None, None, "9 Friend Lane")

    shop.deliver(event)
    shop.deliver(event)
    shop.deliver({**event, "id": str(uuid.uuid4())})  # Shopify's retry: a new event id

    assert len(converted(shop)) == 1
    assert len(schedules(AFTERCARE_GROUP, "referral")) == 1


# ---------------------------------------------------------------------- fraud rules


def test_an_order_with_the_code_after_the_friend_already_ordered_earns_nothing(
    shop: Shop,
) -> None:
    shop.invite(DANA)
    shop.order(DANA, 9005)

    report = shop.order(DANA, 9006, code=shop.code_sent_to(DANA))

    assert converted(shop) == []
    assert {
        "status": "skipped",
        "email_type": "referral_converted",
        "reason": EXISTING_CUSTOMER,
    } in (shop.rewards_results(report))
    assert shop.refusals() == [EXISTING_CUSTOMER]


@pytest.mark.parametrize(
    "buyer, customer_id, address1",
    [
        (SUSIE, None, "9 Friend Lane"),  # her own address
        ("susie.other@example.com", int(SUSIE_ID), "9 Friend Lane"),  # her customer id
        ("susie.other@example.com", None, "1 Home Street"),  # her shipping address
    ],
)
def test_a_referrer_cannot_earn_from_their_own_order(
    shop: Shop, buyer: str, customer_id: int | None, address1: str
) -> None:
    shop.order(SUSIE, 8000, customer_id=int(SUSIE_ID), address1="1  home street")
    shop.invite(DANA)

    shop.order(
        buyer, 9007, code=shop.code_sent_to(DANA), customer_id=customer_id, address1=address1
    )

    assert converted(shop) == []
    assert shop.refusals() == [SELF_REFERRAL]
    assert schedules(AFTERCARE_GROUP, "referral") == []


def test_inviting_oneself_or_an_existing_customer_sends_nothing(shop: Shop) -> None:
    shop.order(ALEX, 8001)

    shop.invite("SUSIE@example.com")
    shop.invite(ALEX)

    assert shop.mail_to(SUSIE) == [] and shop.mail_to(ALEX)[1:] == []
    assert sorted(shop.refusals()) == sorted([SELF_REFERRAL, EXISTING_CUSTOMER])


def test_the_first_invitation_to_a_friend_wins(shop: Shop) -> None:
    shop.invite(DANA)
    shop.invite(DANA, referrer=ALEX, referrer_customer_id="7002")

    assert len(shop.mail_to(DANA)) == 1
    assert shop.refusals(ALEX) == [ALREADY_INVITED]
    shop.order(DANA, 9008, code=shop.code_sent_to(DANA))
    assert len(converted(shop)) == 1


def test_invitations_are_rate_limited_per_referrer_and_day(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    for friend in ("a@example.net", "b@example.net", "c@example.net"):
        shop.invite(friend)
    monkeypatch.setenv("TAILOR_NOW", "2026-11-26T18:00:00+00:00")
    shop.invite("d@example.net")

    invited = {m["To"].addresses[0].addr_spec for m in shop.outbox.messages}
    assert invited == {"a@example.net", "b@example.net", "d@example.net"}
    assert shop.refusals() == [RATE_LIMITED]


def test_rewards_are_capped_per_referrer_and_month(shop: Shop) -> None:
    friends = ("a@example.net", "b@example.net")
    for friend in friends:
        shop.invite(friend)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAILOR_NOW", "2026-11-26T18:00:00+00:00")  # a new day, same month
        shop.invite("c@example.net")
        for number, friend in enumerate((*friends, "c@example.net")):
            shop.order(friend, 9100 + number, code=shop.code_sent_to(friend))

    assert len(converted(shop)) == 2
    assert shop.refusals() == [MONTHLY_CAP]


# ---------------------------------------------------------------------- release and revocation


TOTAL = str(load_event("shopify/orders-create.json")["detail"]["payload"]["total_price"])


def refund(order_id: int, amount: str, refund_id: int) -> dict[str, Any]:
    event = load_event("shopify/refunds-create.json")
    event["id"] = str(uuid.uuid4())
    payload = event["detail"]["payload"]
    payload.update(id=refund_id, order_id=order_id)
    for transaction in payload.get("transactions") or []:
        transaction.update(order_id=order_id, amount=amount)
    return event


def cancelled(order_id: int) -> dict[str, Any]:
    event = load_event("shopify/orders-cancelled.json")
    event["id"] = str(uuid.uuid4())
    event["detail"]["payload"].update(id=order_id, email=DANA)
    return event


@pytest.mark.parametrize("undo", ["cancelled", "refunded in full"])
def test_a_reward_is_revoked_when_the_friends_order_is_undone_before_release(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, undo: str
) -> None:
    shop.invite(DANA)
    shop.order(DANA, 9010, code=shop.code_sent_to(DANA))
    shop.deliver(cancelled(9010) if undo == "cancelled" else refund(9010, TOTAL, 1))

    report = shop.fire_reward(monkeypatch)

    assert [m for m in shop.mail_to(SUSIE) if "referring" in m["Subject"]] == []
    assert shop.rewards_results(report)[0]["reason"] == "the referral was revoked"
    referral = shop.referrals.referral("9010")
    assert referral is not None and referral.status == "revoked"


def test_a_partial_refund_keeps_the_reward_and_a_refund_after_release_is_only_recorded(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.invite(DANA)
    shop.order(DANA, 9011, code=shop.code_sent_to(DANA))
    shop.deliver(refund(9011, "10.00", 1))

    shop.fire_reward(monkeypatch)
    shop.deliver(refund(9011, TOTAL, 2))

    assert len([m for m in shop.mail_to(SUSIE) if "referring" in m["Subject"]]) == 1
    referral = shop.referrals.referral("9011")
    assert referral is not None and referral.status == "released"
    assert "after the reward was released" in referral.note


def test_the_referrals_table_is_kept_when_the_stack_goes(template: Template) -> None:
    resource = template.resources["ReferralsTable"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


def test_an_attempt_that_failed_after_counting_the_order_is_finished_on_retry(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.invite(DANA)
    create = Schedules.create
    failures = iter([RuntimeError("Scheduler unavailable")])

    def flaky(self: Schedules, *args: Any) -> bool:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return create(self, *args)

    monkeypatch.setattr(Schedules, "create", flaky)

    shop.order(DANA, 9012, code=shop.code_sent_to(DANA))

    assert len(converted(shop)) == 1
    assert len(schedules(AFTERCARE_GROUP, "referral")) == 1
    referral = shop.referrals.referral("9012")
    assert referral is not None and referral.status == "pending"


def test_the_friend_sees_what_the_referrer_bought_when_asked(shop: Shop) -> None:
    shop.deliver(load_event("shopify/products-create.json"))
    shop.order(SUSIE, 8002, customer_id=int(SUSIE_ID))

    shop.invite(DANA, include_items=True)
    shop.invite("sam@example.org")

    bought = load_event("shopify/products-create.json")["detail"]["payload"]["title"]
    dana = text_part(shop.mail_to(DANA)[0]).replace("\r\n", "\n")
    assert "What Susie bought here\n" in dana and f"{bought}:\nhttps://shop.example.com/" in dana
    assert bought not in text_part(shop.mail_to("sam@example.org")[0])


def test_an_invited_friend_signing_up_tells_the_referrer_once(shop: Shop) -> None:
    shop.invite(DANA)
    signup = load_event("canonical/newsletter-subscribed.json")
    signup["detail"]["email"] = DANA

    shop.deliver(signup)
    shop.deliver({**signup, "id": str(uuid.uuid4())})
    shop.deliver({**signup, "detail": {**signup["detail"], "email": "sam@example.org"}})

    [seen] = shop.mail_to(SUSIE)
    assert seen["Subject"] == "Your friend has seen your invitation"


@pytest.mark.parametrize(
    ("lang", "told", "thanked"),
    [
        (
            "en",
            "Your thank-you, $10.00 off your next order, follows on",
            "$10.00 off your next order",
        ),
        (
            "de",
            "Ihr Dankeschön, 10,00 $ Rabatt auf Ihre nächste Bestellung, schicken wir Ihnen am",
            "10,00 $ Rabatt auf Ihre nächste Bestellung",
        ),
        ("ja", "お礼の次回のご注文に使える$10.00割引は", "次回のご注文に使える$10.00割引"),
    ],
)
def test_the_reward_is_worded_in_the_referrers_language(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, lang: str, told: str, thanked: str
) -> None:
    Profiles(shop.template.physical_name("ProfilesTable")).update(
        SUSIE, lambda profile: profile.model_copy(update={"locale": lang})
    )
    shop.invite(DANA)
    shop.order(DANA, 9014, code=shop.code_sent_to(DANA))
    shop.fire_reward(monkeypatch)

    texts = [" ".join(text_part(mail).split()) for mail in shop.mail_to(SUSIE)]
    assert told in texts[0] and thanked in texts[1]
    if lang != "en":
        assert not any("next order" in text for text in texts)


@pytest.mark.parametrize("lang", copy.SUPPORTED)
def test_the_referrer_is_told_and_thanked_in_their_own_language(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    Profiles(shop.template.physical_name("ProfilesTable")).update(
        SUSIE, lambda profile: profile.model_copy(update={"locale": lang})
    )
    shop.invite(DANA)

    shop.order(DANA, 9013, code=shop.code_sent_to(DANA))
    [schedule] = schedules(AFTERCARE_GROUP, "referral")
    shop.fire_reward(monkeypatch)

    told, thanked = shop.mail_to(SUSIE)
    said = copy.packaged("referral_converted", lang)
    release_on = format_date(due_at(schedule).date(), "long", locale=lang)
    assert told["Subject"] == said["subject_bought"]
    assert said["preheader_bought"] in html_entities.unescape(html_part(told))
    reward = copy.packaged("common", lang)["discount_next_order_amount"].format(
        amount=format_currency(10, "USD", locale=lang)
    )
    text = " ".join(text_part(told).split())
    assert " ".join(said["reward_on"].format(offer=reward, date=release_on).split()) in text
    said = copy.packaged("referral_reward", lang)
    assert thanked["Subject"] == said["subject"]
    text = text_part(thanked)
    assert " ".join(reward.split()) in " ".join(text.split())
    assert said["intro"].format(shop="Oklahoma Outfitters") in text
    assert said["code_note"] in text and "REWARD-" in text
    assert "<" not in text and "[" not in text
