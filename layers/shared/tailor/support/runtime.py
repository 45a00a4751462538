"""The support desk's runtime: settings, the tickets store and the business calendar."""

from __future__ import annotations

from dataclasses import dataclass

from tailor.copy import SOURCE_LANGUAGE
from tailor.settings import Settings, get_settings
from tailor.support.canned import Library
from tailor.support.config import SupportSettings, get_support_settings
from tailor.support.sla import BusinessHours
from tailor.support.store import Store

# Where the SES receipt rules store raw mail in the mail bucket (template.yaml).
INBOUND_PREFIX = "inbound/"


@dataclass(frozen=True)
class Desk:
    settings: Settings
    support: SupportSettings
    store: Store
    hours: BusinessHours

    @classmethod
    def from_env(cls) -> Desk:
        settings, support = get_settings(), get_support_settings()
        return cls(
            settings=settings,
            support=support,
            store=Store(support.need("tickets_table")),
            hours=support.business_hours(settings.shop_timezone),
        )

    def library(self, lang: str = SOURCE_LANGUAGE) -> Library:
        """The canned responses in `lang` (the ticket's, `context.language_for`)."""
        return Library.load(self.support.mail_bucket or None, self.support.canned_prefix, lang)

    @property
    def lead_address(self) -> str:
        """Who gets the SLA digest: the lead, else the support address, else the sender."""
        return (
            self.support.support_lead_address
            or self.support.support_address
            or self.settings.sender_address.lower()
        )
