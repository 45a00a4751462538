"""The preference centre (a function URL): what a customer can click to stay in control.

Routes:
  GET  /preferences?t=…   topics with their current state; save; unsubscribe from all
  POST /preferences       the form above (token in a hidden field)
  GET  /unsubscribe?t=…   a page with one button (link scanners must not unsubscribe)
  POST /unsubscribe?t=…   RFC 8058 one-click: unsubscribes at once, no page needed
  GET  /subscribe?t=…     confirm a newsletter subscription (double opt-in)
  POST /subscribe         the confirmation itself; the welcome email follows

Every token is signed for this customer; anything forged, truncated or foreign changes
nothing and gets a plain error page. A one-click unsubscribe token travels in a header that
mail clients and unsubscribe services see, so it can only ever unsubscribe: it never opens
the preference page nor leads to a token that does. Pages work without JavaScript.

Pages speak the customer's language (their profile's locale; before the token is read, the
browser's), and the preference page lets them choose it for our emails too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from babel import Locale

from tailor import addresses, aws, clock, consent, copy, profiles, web
from tailor.attribution.feedback import count_unsubscribe
from tailor.events.canonical import NewsletterSubscribed
from tailor.links import (
    OPT_IN_PURPOSE,
    PREFERENCES_PURPOSE,
    UNSUBSCRIBE_PURPOSE,
    InvalidToken,
    Signer,
    signer_from_secret,
)
from tailor.observability import logger
from tailor.profiles import Profile, Profiles
from tailor.settings import Settings

Response = dict[str, Any]


class Preferences:
    def __init__(self, settings: Settings, signer: Signer | None = None) -> None:
        self.settings = settings
        self.signer = signer or signer_from_secret(settings.need("link_signing_secret_arn"))
        self.profiles = Profiles(settings.need("profiles_table"))
        self.ledger = consent.ConsentLedger(settings.need("consent_ledger_table"))

    def handle(self, event: Mapping[str, Any]) -> Response:
        method, path = web.method(event), web.path(event).rstrip("/") or "/"
        route = path.rsplit("/", 1)[-1] or "preferences"
        form = web.form(event) if method == "POST" else {}
        token = web.query(event).get("t") or _first(form, "t")
        lang = web.language(event)
        routes = {
            ("GET", "preferences"): self.show,
            ("POST", "preferences"): self.save,
            ("GET", "unsubscribe"): self.confirm_unsubscribe,
            ("POST", "unsubscribe"): self.unsubscribe,
            ("GET", "subscribe"): self.confirm_subscribe,
            ("POST", "subscribe"): self.subscribe,
        }
        if not any(r == route for _, r in routes):
            return web.page(404, "not_found", lang)
        action = routes.get((method, route))
        if action is None:
            return web.page(405, "not_allowed", lang)
        try:
            claims, unsubscribe_only = read_token(self.signer, route, token)
        except InvalidToken as error:
            logger.info("preference link rejected", extra={"route": route, "reason": str(error)})
            return web.invalid_link(lang)
        email = addresses.normalize(claims.get("e"))
        if email is None:
            return web.invalid_link(lang)
        lang = web.language(event, self.profiles.get_or_new(email).locale)
        if unsubscribe_only and route != "unsubscribe":
            logger.info("unsubscribe link used for another page", extra={"route": route})
            return web.page(403, "unsubscribe_only", lang)
        return action(email, claims, form, lang)

    # ---------------------------------------------------------------- the page
    def show(
        self, email: str, claims: Mapping[str, Any], form: Any, lang: str, saved: bool = False
    ) -> Response:
        profile = self.profiles.get_or_new(email)
        topics = [{"id": t, "on": consent.allows(profile, t)} for t in consent.TOPICS]
        return web.page(
            200,
            "preferences",
            lang,
            template="pages/preferences.html.j2",
            topics=topics,
            languages=[(code, _autonym(code)) for code in copy.SUPPORTED],
            token=self.signer.sign(PREFERENCES_PURPOSE, {"e": email}),
            saved=saved,
            suppressed=bool(profile.suppressed),
        )

    def save(self, email: str, claims: Mapping[str, Any], form: Any, lang: str) -> Response:
        if _first(form, "action") == "unsubscribe_all":
            chosen: set[str] = set()
        else:
            chosen = set(form.get("topic", []))
        unknown = chosen - set(consent.TOPICS)
        language = _first(form, "language")
        if unknown or (language is not None and language not in copy.SUPPORTED):
            return web.page(400, "unknown_choice", lang)
        subscribe = sorted(chosen)
        unsubscribe = sorted(set(consent.TOPICS) - chosen)

        def apply(profile: Profile) -> Profile:
            # Ticking a box here counts as a confirmed opt-in: the link proves the address.
            # Each box becomes an explicit choice, so unticking the newsletter cannot
            # silently take away a topic that was only covered by it.
            newly = [t for t in subscribe if profile.consent_state(t) != "subscribed"]
            gone = [t for t in unsubscribe if consent.allows(profile, t) or t in profile.consent]
            profile = consent.change(
                profile, newly, "subscribed", "preference_page", opt_in_level="confirmed_opt_in"
            )
            profile = consent.change(profile, gone, "unsubscribed", "preference_page")
            # The select always posts a language: only a different one is a choice (de-AT
            # stays de-AT, and Shopify keeps updating a language nobody changed).
            if language and language != copy.supported_language(profile.locale):
                profile = profiles.choose_language(profile, language)
            return profile

        consent.update_consent(self.profiles, self.ledger, email, apply)
        logger.info("preferences saved", extra={"subscribed": subscribe, "language": language})
        return self.show(email, claims, form, language or lang, saved=True)

    # ---------------------------------------------------------------- unsubscribe
    def confirm_unsubscribe(
        self, email: str, claims: Mapping[str, Any], form: Any, lang: str
    ) -> Response:
        topic = claims.get("t")
        return web.page(
            200,
            "unsubscribe",
            lang,
            template="pages/unsubscribe.html.j2",
            topic=topic if topic in consent.TOPICS else None,
            token=self.signer.sign(UNSUBSCRIBE_PURPOSE, dict(claims)),
            done=False,
        )

    def unsubscribe(self, email: str, claims: Mapping[str, Any], form: Any, lang: str) -> Response:
        self.unsubscribe_topics(email, claims)
        return web.page(200, "unsubscribed", lang)

    def unsubscribe_topics(self, email: str, claims: Mapping[str, Any]) -> list[str]:
        """The topic the token names (all of them when it names none), unsubscribed."""
        topic = claims.get("t")
        topics = [str(topic)] if topic in consent.TOPICS else list(consent.TOPICS)
        before, after = consent.update_consent(
            self.profiles,
            self.ledger,
            email,
            lambda p: consent.change(p, topics, "unsubscribed", "unsubscribe_header"),
        )
        if before != after:
            count_unsubscribe(claims.get("c"), claims.get("l"))
        logger.info("unsubscribed", extra={"topics": topics})
        return topics

    # ---------------------------------------------------------------- double opt-in
    def confirm_subscribe(
        self, email: str, claims: Mapping[str, Any], form: Any, lang: str
    ) -> Response:
        return web.page(
            200,
            "subscribe",
            lang,
            template="pages/subscribe.html.j2",
            token=self.signer.sign(OPT_IN_PURPOSE, dict(claims)),
            done=False,
        )

    def subscribe(self, email: str, claims: Mapping[str, Any], form: Any, lang: str) -> Response:
        def confirm(profile: Profile) -> Profile:
            return consent.change(
                profile,
                [consent.NEWSLETTER],
                "subscribed",
                "double_opt_in",
                opt_in_level="confirmed_opt_in",
            )

        before, _ = consent.update_consent(self.profiles, self.ledger, email, confirm)
        if before.consent_state(consent.NEWSLETTER) != "subscribed":
            _publish(NewsletterSubscribed(email=email, subscribed_at=clock.now()), self.settings)
        return web.page(200, "subscribed", lang)


def read_token(signer: Signer, route: str, token: object) -> tuple[dict[str, Any], bool]:
    """The claims of a token for this route, and whether it may only unsubscribe.

    One-click tokens sent before they had their own purpose were signed for the preference
    page; they name a topic (`t`), which the page's own token never does, and keep working
    for unsubscribing only.
    """
    if route == "subscribe":
        return signer.verify(OPT_IN_PURPOSE, token), False
    try:
        claims = signer.verify(PREFERENCES_PURPOSE, token)
    except InvalidToken:
        return signer.verify(UNSUBSCRIBE_PURPOSE, token), True
    return claims, "t" in claims


def _autonym(lang: str) -> str:
    """A language as its speakers name it ("Deutsch", "日本語"), for the language choice."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def _first(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name) or []
    return values[0] if values else None


def _publish(model: NewsletterSubscribed, settings: Settings) -> None:
    response = aws.client("events").put_events(
        Entries=[
            {
                "Source": "tailor.preferences",
                "DetailType": model.detail_type,
                "Detail": json.dumps(model.model_dump(mode="json")),
                "EventBusName": settings.need("event_bus_name"),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"could not publish {model.detail_type}: {response['Entries']}")


def unsubscribe_by_mail(subject: str, settings: Settings) -> dict[str, Any]:
    """List-Unsubscribe's mailto: the subject is `unsubscribe <token>` (RFC 2369)."""
    words = subject.split()
    token = words[-1] if len(words) >= 2 and words[0].lower() == "unsubscribe" else None
    centre = Preferences(settings)
    try:
        claims, _ = read_token(centre.signer, "unsubscribe", token)
    except InvalidToken as error:
        logger.info("unsubscribe mail rejected", extra={"reason": str(error)})
        return {"status": "ignored", "reason": "unsubscribe mail without a valid token"}
    email = addresses.normalize(claims.get("e"))
    if email is None:
        return {"status": "ignored", "reason": "unsubscribe mail without a valid token"}
    return {"status": "unsubscribed", "topics": centre.unsubscribe_topics(email, claims)}
