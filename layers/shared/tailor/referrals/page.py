"""The "tell a friend" page and the friend's landing link (one function URL).

Routes:
  GET  /?t=<share token>   the form: the friend's address, an optional note, the customer's
                           name as they want the friend to read it, "include what I bought"
  POST /                   the form (a signed form token with a nonce in a hidden field):
                           publishes one ReferralInvitationRequested
  GET  /r?t=<invitation>   the friend's link: noted as a response, then to the shop with
                           the invitation's code applied (`/discount/<code>`)

A forged, tampered or foreign token changes nothing and gets the plain error page. The form
cannot be submitted from elsewhere (it needs a token only the customer's page carries) nor
twice (its nonce is claimed on the first submission). Pages work without JavaScript.
The customer's pages speak their profile's language; the friend's, the browser's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from babel.lists import format_list
from markupsafe import Markup
from pydantic import ValidationError

from tailor import addresses, aws, clock, copy, discounts, web
from tailor.events.canonical import ReferralInvitationRequested
from tailor.links import InvalidToken, Signer, signer_from_secret
from tailor.observability import logger
from tailor.profiles import Profiles
from tailor.referrals import tokens
from tailor.referrals.config import ReferralSettings
from tailor.referrals.events import SOURCE, ReferralResponded
from tailor.referrals.orders import LANDING_PARAMETER
from tailor.referrals.store import Referrals

Response = dict[str, Any]
FORM = "pages/refer.html.j2"


class ReferralPage:
    def __init__(self, settings: ReferralSettings, signer: Signer | None = None) -> None:
        self.settings = settings
        self.signer = signer or signer_from_secret(settings.need("link_signing_secret_arn"))
        self.referrals = Referrals(settings.need("referrals_table"))
        self.profiles = Profiles(settings.need("profiles_table"))

    def handle(self, event: Mapping[str, Any]) -> Response:
        method, route = web.method(event), web.path(event).strip("/")
        lang = web.language(event)
        if route == "" and method == "GET":
            return self.show(web.query(event).get("t"), event)
        if route == "" and method == "POST":
            return self.submit(web.form(event), event)
        if route == "r" and method in ("GET", "HEAD"):
            # A HEAD is a link checker's, not the friend's: it is answered, not counted.
            return self.land(web.query(event).get("t"), lang, counts=method == "GET")
        if route in ("", "r"):
            return web.page(405, "not_allowed", lang)
        return web.page(404, "not_found", lang)

    def _language(self, event: Mapping[str, Any], referrer: str | None) -> str:
        """The customer's language (their profile's), else their browser's."""
        profile = self.profiles.get(referrer) if referrer else None
        return web.language(event, profile.locale if profile else None)

    def _verify(self, purpose: str, token: object) -> dict[str, Any] | None:
        try:
            return self.signer.verify(purpose, token)
        except InvalidToken as error:
            logger.info("referral link rejected", extra={"purpose": purpose, "reason": str(error)})
            return None

    def show(self, token: str | None, event: Mapping[str, Any]) -> Response:
        claims = self._verify(tokens.SHARE_PURPOSE, token)
        referrer = addresses.normalize(claims.get("e")) if claims else None
        lang = self._language(event, referrer)
        if claims is None or referrer is None:
            return web.invalid_link(lang)
        return self._form(claims, lang)

    def _form(
        self, claims: Mapping[str, Any], lang: str, problem: str = "", status: int = 200
    ) -> Response:
        return web.page(
            status,
            "refer",
            lang,
            template=FORM,
            form_token=tokens.form_token(self.signer, dict(claims), clock.now()),
            offer=discounts.wording(
                self.settings.referral_offer, "first_order", self.settings.shop_currency, lang
            ),
            problem=problem,
        )

    def submit(self, form: Mapping[str, list[str]], event: Mapping[str, Any]) -> Response:
        claims = self._verify(tokens.FORM_PURPOSE, _first(form, "f"))
        referrer = addresses.normalize(claims.get("e")) if claims else None
        lang = self._language(event, referrer)
        if claims is None or referrer is None:
            return web.invalid_link(lang)
        if not self.referrals.claim_nonce(str(claims.get("n")), clock.now()):
            return web.page(409, "already_sent", lang)
        try:
            request = ReferralInvitationRequested(
                referrer_email=referrer,
                referrer_name=(_first(form, "name") or "").strip(),
                friend_email=(_first(form, "friend") or "").strip(),
                note=(_first(form, "note") or "").strip() or None,
                requested_at=clock.now(),
                referrer_customer_id=claims.get("c"),
                include_items=_first(form, "items") == "yes",
            )
        except ValidationError as error:
            fields = sorted({str(e["loc"][0]) for e in error.errors()})
            logger.info("referral form refused", extra={"fields": fields})
            return self._form(claims, lang, _problem(fields, lang), status=400)
        if addresses.normalize(request.friend_email) is None:
            return self._form(claims, lang, _problem(["friend_email"], lang), status=400)
        _publish(request, self.settings)
        return web.page(200, "referral_sent", lang)

    def land(self, token: str | None, lang: str, counts: bool = True) -> Response:
        claims = self._verify(tokens.INVITATION_PURPOSE, token)
        invitation = self.referrals.invitation(str(claims.get("i"))) if claims else None
        if invitation is None:
            return web.invalid_link(lang)
        now = clock.now()
        if counts and self.referrals.mark_responded(invitation.invitation_id, now):
            _publish(
                ReferralResponded(invitation_id=invitation.invitation_id, responded_at=now),
                self.settings,
            )
        query = urlencode({"redirect": "/", LANDING_PARAMETER: invitation.invitation_id})
        base = self.settings.shop_base_url.rstrip("/")
        return web.redirect(f"{base}/discount/{quote(invitation.code)}?{query}")


def _first(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name) or []
    return values[0] if values else None


# The form's fields as the customer knows them: copy `problem_<field>`.
_FIELDS = ("friend_email", "referrer_name", "note")


def _problem(fields: list[str], lang: str) -> Markup:
    """The refusal naming the fields to check, in the page's language."""
    t = copy.Words(web.PAGES, lang)
    named = [str(t(f"problem_{field}")) for field in fields if field in _FIELDS]
    listed = format_list(named or [str(t("problem_form"))], locale=lang)
    # Each name is escaped copy, and format_list only adds the language's separators.
    return t("refer_problem", fields=Markup(listed))  # noqa: S704


def _publish(
    model: ReferralInvitationRequested | ReferralResponded, settings: ReferralSettings
) -> None:
    response = aws.client("events").put_events(
        Entries=[
            {
                "Source": SOURCE,
                "DetailType": model.detail_type,
                "Detail": json.dumps(model.model_dump(mode="json", exclude_none=True)),
                "EventBusName": settings.need("event_bus_name"),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"could not publish {model.detail_type}: {response['Entries']}")
