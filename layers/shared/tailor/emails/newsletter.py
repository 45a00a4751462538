"""Newsletter double opt-in: a confirmation email with a signed link, then a welcome.

Until the link is used the subscription is only pending, and pending never receives
marketing. Both emails answer the customer's own action (signing up, clicking "confirm"),
so both go out at once, whatever the hour; the welcome is marketing, so it still needs
the confirmed consent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from tailor import addresses, consent, copy
from tailor.delivery import deliver, skipped
from tailor.events.canonical import NewsletterSignupRequested, NewsletterSubscribed
from tailor.idempotency import email_once, once
from tailor.links import OPT_IN_PURPOSE, Signer, signer_from_secret
from tailor.profiles import Profile, Profiles
from tailor.settings import Settings, get_settings

CONFIRMATION = "newsletter_confirmation"
WELCOME = "newsletter_welcome"


def opt_in_url(email: str, source: str, settings: Settings, signer: Signer) -> str:
    """The signed link that confirms a newsletter subscription for this address."""
    token = signer.sign(OPT_IN_PURPOSE, {"e": email, "src": source})
    return f"{settings.need('preferences_url').rstrip('/')}/subscribe?{urlencode({'t': token})}"


def page_context(profile: Profile, settings: Settings) -> dict[str, Any]:
    locale = copy.resolve_locale(profile.locale, settings.default_locale)
    return {
        "shop": {"name": settings.shop_name, "url": settings.shop_base_url},
        "brand": settings.brand(),
        "lang": copy.resolve_language(profile.locale, settings.default_locale),
        "locale": locale,
        "first_name": profile.first_name,
    }


@once(key="[email, requested_at]")
def send_confirmation(*, event: NewsletterSignupRequested) -> dict[str, Any]:
    settings = get_settings()
    email = addresses.normalize(event.email)
    if email is None:
        return skipped(CONFIRMATION, "no valid email address on the signup")
    profiles = Profiles(settings.need("profiles_table"))
    ledger = consent.ConsentLedger(settings.need("consent_ledger_table"))

    def pending(profile: Profile) -> Profile:
        profile = profile.model_copy(
            update={
                "first_name": profile.first_name or event.first_name,
                "locale": profile.locale or event.locale,
            }
        )
        if profile.consent_state(consent.NEWSLETTER) == "subscribed":
            return profile
        return consent.change(profile, [consent.NEWSLETTER], "pending", "signup")

    _, profile = consent.update_consent(profiles, ledger, email, pending)
    if profile.consent_state(consent.NEWSLETTER) == "subscribed":
        return skipped(CONFIRMATION, "already subscribed")
    context = {
        **page_context(profile, settings),
        "confirm_url": opt_in_url(
            email,
            event.source,
            settings,
            signer_from_secret(settings.need("link_signing_secret_arn")),
        ),
    }
    return deliver(CONFIRMATION, context, profile, requested_by_customer=True)


@email_once(key="email")
def send_welcome(*, event: NewsletterSubscribed, raw: Mapping[str, Any]) -> dict[str, Any]:
    settings = get_settings()
    email = addresses.normalize(event.email)
    profile = Profiles(settings.need("profiles_table")).get(email) if email else None
    if profile is None:
        return skipped(WELCOME, "no profile for this subscription")
    return deliver(
        WELCOME,
        page_context(profile, settings),
        profile,
        retry_event=raw,
        requested_by_customer=True,
    )
