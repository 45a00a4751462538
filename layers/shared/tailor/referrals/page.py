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
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import ValidationError

from tailor import addresses, aws, clock, web
from tailor.events.canonical import ReferralInvitationRequested
from tailor.links import InvalidToken, Signer, signer_from_secret
from tailor.observability import logger
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

    def handle(self, event: Mapping[str, Any]) -> Response:
        method, route = web.method(event), web.path(event).strip("/")
        if route == "" and method == "GET":
            return self.show(web.query(event).get("t"))
        if route == "" and method == "POST":
            return self.submit(web.form(event))
        if route == "r" and method in ("GET", "HEAD"):
            # A HEAD is a link checker's, not the friend's: it is answered, not counted.
            return self.land(web.query(event).get("t"), counts=method == "GET")
        if route in ("", "r"):
            return web.page(405, "Not allowed", "This page only answers GET and POST.")
        return web.page(404, "Not found", "There is nothing here.")

    def _verify(self, purpose: str, token: object) -> dict[str, Any] | None:
        try:
            return self.signer.verify(purpose, token)
        except InvalidToken as error:
            logger.info("referral link rejected", extra={"purpose": purpose, "reason": str(error)})
            return None

    def show(self, token: str | None, problem: str = "") -> Response:
        claims = self._verify(tokens.SHARE_PURPOSE, token)
        if claims is None or addresses.normalize(claims.get("e")) is None:
            return web.invalid_link()
        return self._form(claims, problem)

    def _form(self, claims: Mapping[str, Any], problem: str = "", status: int = 200) -> Response:
        return web.page(
            status,
            "Tell a friend",
            "",
            template=FORM,
            form_token=tokens.form_token(self.signer, dict(claims), clock.now()),
            offer=self.settings.referral_offer,
            problem=problem,
        )

    def submit(self, form: Mapping[str, list[str]]) -> Response:
        claims = self._verify(tokens.FORM_PURPOSE, _first(form, "f"))
        referrer = addresses.normalize(claims.get("e")) if claims else None
        if claims is None or referrer is None:
            return web.invalid_link()
        if not self.referrals.claim_nonce(str(claims.get("n")), clock.now()):
            return web.page(409, "Already sent", "This form was sent already; nothing changed.")
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
            return self._form(claims, _problem(fields), status=400)
        if addresses.normalize(request.friend_email) is None:
            return self._form(claims, _problem(["friend_email"]), status=400)
        _publish(request, self.settings)
        return web.page(
            200,
            "Thank you",
            "We'll send your friend your invitation, once. If they are already one of our "
            "customers or were invited before, we won't write to them.",
        )

    def land(self, token: str | None, counts: bool = True) -> Response:
        claims = self._verify(tokens.INVITATION_PURPOSE, token)
        invitation = self.referrals.invitation(str(claims.get("i"))) if claims else None
        if invitation is None:
            return web.invalid_link()
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


_LABELS = {
    "friend_email": "your friend's email address",
    "referrer_name": "your name (one line, up to 100 characters)",
    "note": "the note (up to 500 characters)",
}


def _problem(fields: list[str]) -> str:
    named = [_LABELS.get(f, f) for f in fields]
    return "Please check " + " and ".join(named) + "."


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
