"""Settings: the environment template.yaml gives every function, validated once at cold start.

Each function's app.py requires, at module level, the settings it cannot work without
(`NEEDS = Settings.require(...)`), so a missing or malformed variable fails the cold start
with a message naming it, instead of surfacing in the middle of a send.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Self, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tailor import discounts
from tailor.observability import invocation_memo


def _no_trailing_slash(url: str) -> str:
    return url.rstrip("/")


BaseUrl = Annotated[
    str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$"), AfterValidator(_no_trailing_slash)
]


class SettingsError(RuntimeError):
    """The function's environment is incomplete or malformed."""


class EnvSettings(BaseModel):
    """A function's environment as a model: each field is an upper-cased variable name.

    `from_env` validates once at cold start and names every variable at fault.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    scope: ClassVar[str] = "function environment"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {
            name: source[name.upper()] for name in cls.model_fields if name.upper() in source
        }
        try:
            return cls.model_validate(cls._prepare(values))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']).upper() or 'environment'}: {e['msg']}"
                for e in error.errors()
            )
            raise SettingsError(f"invalid {cls.scope}: {problems}") from None

    @classmethod
    def current(cls) -> Self:
        """The settings of the environment the function runs in, validated once per
        distinct environment (the local cloud runs many functions in one process), and
        read from it once per invocation (reading every variable costs more than the rest
        of a read, and an email's path reads its settings many times)."""
        memo = invocation_memo.get()
        if memo is not None and cls in memo:
            return cast(Self, memo[cls])
        names = (name.upper() for name in cls.model_fields)
        settings = _validated(cls, tuple((n, os.environ[n]) for n in names if n in os.environ))
        if memo is not None:
            memo[cls] = settings
        return cast(Self, settings)

    @classmethod
    def require(cls, *names: str) -> tuple[str, ...]:
        """Fail the cold start unless the environment is valid and sets every one of `names`.

        Each function's app.py calls this at module level, so Lambda's init (the import of
        the handler module) raises a SettingsError naming each variable that is missing,
        instead of the first invocation failing half-way through. The rest of the code keeps
        reading settings through `current()` and `need()`. Returns the variable names, which
        the function keeps as its `NEEDS`.
        """
        wanted = tuple(dict.fromkeys(names))  # a group may repeat what a function lists
        unknown = [name for name in wanted if name not in cls.model_fields]
        if unknown:
            raise SettingsError(f"{cls.__name__} has no setting {', '.join(unknown)}")
        settings = cls.current()
        missing = [name.upper() for name in wanted if not getattr(settings, name)]
        if missing:
            raise SettingsError(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set in "
                "this function's environment"
            )
        return tuple(name.upper() for name in wanted)

    @classmethod
    def _prepare(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Turn raw strings into what fields expect, where pydantic cannot by itself."""
        return values

    def need(self, name: str) -> str:
        """A setting this function cannot work without (empty means template.yaml forgot it)."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(f"{name.upper()} is not set in this function's environment")
        return str(value)


# What `tailor.delivery.deliver` reads to send one email of each kind: a function that sends
# mail requires these besides its own.
SENDS_TRANSACTIONAL_MAIL = (
    "transactional_configuration_set",
    "link_signing_secret_arn",  # the click redirect's links (tailor.attribution.clicks)
    "results_table",  # what each email sent and earned (tailor.attribution)
)
SENDS_MARKETING_MAIL = (
    "profiles_table",  # the frequency cap is claimed on the profile
    "marketing_configuration_set",
    "preferences_url",  # the manage and unsubscribe links
    "link_signing_secret_arn",
    "scheduler_role_arn",  # a deferred email is sent again by a schedule
    "results_table",
)


class Settings(EnvSettings):
    """Everything a function reads from its environment (names are the upper-cased fields)."""

    shop_name: str = Field(min_length=1, max_length=100)
    shop_base_url: BaseUrl
    # Hosts besides SHOP_BASE_URL's that redirects may lead to, comma-separated (e.g. the
    # shop's myshopify.com domain).
    shop_domains: str = ""
    sender_address: str = Field(pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+$")
    default_locale: str = "en"
    shop_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    # Where the shop is: the zone of customers whose own zone is unknown. Required, as a
    # silent UTC would show a Tulsa customer 8:00 PM for a 2 p.m. delivery.
    shop_timezone: str

    profiles_table: str = ""
    catalog_table: str = ""
    copurchase_table: str = ""
    idempotency_table: str = ""
    # Sent links, clicks, attributions and counters (tailor.attribution).
    results_table: str = ""

    transactional_configuration_set: str = ""
    marketing_configuration_set: str = ""
    link_signing_secret_arn: str = ""

    consent_ledger_table: str = ""
    offer_url: str = ""
    preferences_url: str = ""
    unsubscribe_address: str = ""
    event_bus_name: str = ""

    # Marketing mail only: at most one per customer per cap (topics may override, e.g.
    # {"back_in_stock": 0}), never during quiet hours in the customer's time zone.
    frequency_cap_hours: int = Field(default=16, ge=0, le=24 * 30)
    frequency_cap_overrides: dict[str, int] = Field(default_factory=dict)
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=8, ge=0, le=23)
    scheduler_role_arn: str = ""
    scheduler_group: str = "default"
    soft_bounce_limit: int = Field(default=3, ge=1, le=100)
    offer_minutes: int = Field(default=15, ge=1, le=24 * 60)
    offer_discount_code: str = ""
    idempotency_days: int = Field(default=7, ge=1, le=365)

    # Brand: shown in every email (the logo, else the shop's name; the postal address that
    # bulk-mail law expects in every marketing footer; contact and social links).
    brand_logo_url: str = Field(default="", pattern=r"^(https://\S+)?$")
    brand_color: str = Field(default="#8a4b08", pattern=r"^#[0-9A-Fa-f]{6}$")
    brand_accent_color: str = Field(default="#fbf6ee", pattern=r"^#[0-9A-Fa-f]{6}$")
    shop_postal_address: str = ""
    shop_contact_email: str = ""
    brand_social_links: str = Field(
        default="", pattern=r"^(https://[^\s,]+(,\s*https://[^\s,]+)*)?$"
    )
    # Where merchants put copy overrides (copy/<email_type>/<lang>.json); empty: none.
    copy_bucket: str = ""

    @field_validator("shop_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty: set the shop's IANA time zone, e.g. America/Chicago")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"unknown IANA time zone {value!r} (expected e.g. America/Chicago)"
            ) from error
        return value

    @model_validator(mode="after")
    def _discounts_in_the_shops_currency(self) -> Self:
        for name in type(self).model_fields:
            discounts.check_currency(getattr(self, name), self.shop_currency, name)
        return self

    def cap_hours(self, topic: str) -> int:
        return self.frequency_cap_overrides.get(topic, self.frequency_cap_hours)

    def shop_zone(self) -> ZoneInfo:
        return ZoneInfo(self.shop_timezone)

    def brand(self) -> dict[str, Any]:
        """What every email's layout shows of the shop (`brand` in templates)."""
        return {
            "name": self.shop_name,
            "url": self.shop_base_url,
            "logo_url": self.brand_logo_url,
            "color": self.brand_color,
            "accent_color": self.brand_accent_color,
            "postal_address": self.shop_postal_address,
            "contact_email": self.shop_contact_email,
            "social": [
                {"name": _network(url), "url": url}
                for url in (u.strip() for u in self.brand_social_links.split(","))
                if url
            ],
        }

    @classmethod
    def _prepare(cls, values: dict[str, Any]) -> dict[str, Any]:
        if isinstance(values.get("frequency_cap_overrides"), str):
            try:
                values["frequency_cap_overrides"] = json.loads(
                    values["frequency_cap_overrides"] or "{}"
                )
            except json.JSONDecodeError as error:
                raise SettingsError(f"FREQUENCY_CAP_OVERRIDES is not JSON: {error}") from None
        return values


@lru_cache(maxsize=32)
def _validated(kind: type[EnvSettings], values: tuple[tuple[str, str], ...]) -> EnvSettings:
    return kind.from_env(dict(values))


_NETWORKS = {
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "tiktok.com": "TikTok",
    "pinterest.com": "Pinterest",
    "youtube.com": "YouTube",
    "x.com": "X",
    "twitter.com": "X",
    "linkedin.com": "LinkedIn",
    "threads.net": "Threads",
    "bsky.app": "Bluesky",
}


def _network(url: str) -> str:
    """A social link's network by name ("Instagram"), else its host."""
    host = url.split("/")[2].lower().removeprefix("www.")
    return next((name for domain, name in _NETWORKS.items() if host.endswith(domain)), host)


def get_settings() -> Settings:
    return Settings.current()
