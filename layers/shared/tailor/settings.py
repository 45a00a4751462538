"""Settings: the environment template.yaml gives every function, validated once at cold start.

A missing or malformed variable fails the cold start with a message naming it, instead of
surfacing later as a KeyError in the middle of a send.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator


def _no_trailing_slash(url: str) -> str:
    return url.rstrip("/")


BaseUrl = Annotated[
    str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$"), AfterValidator(_no_trailing_slash)
]


class SettingsError(RuntimeError):
    """The function's environment is incomplete or malformed."""


class Settings(BaseModel):
    """Everything a function reads from its environment (names are the upper-cased fields)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    shop_name: str = Field(min_length=1, max_length=100)
    shop_base_url: BaseUrl
    sender_address: str = Field(pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+$")
    default_locale: str = "en"
    shop_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    shop_timezone: str = "UTC"

    profiles_table: str = ""
    catalog_table: str = ""
    copurchase_table: str = ""
    idempotency_table: str = ""

    transactional_configuration_set: str = ""
    marketing_configuration_set: str = ""
    link_signing_secret_arn: str = ""

    offer_url: str = ""
    preferences_url: str = ""
    offer_minutes: int = Field(default=15, ge=1, le=24 * 60)
    offer_discount_code: str = ""
    idempotency_days: int = Field(default=7, ge=1, le=365)

    @field_validator("shop_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        source = os.environ if environ is None else environ
        values = {name: source[name.upper()] for name in cls.model_fields if name.upper() in source}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']).upper() or 'environment'}: {e['msg']}"
                for e in error.errors()
            )
            raise SettingsError(f"invalid function environment: {problems}") from None

    def need(self, name: str) -> str:
        """A setting this function cannot work without (empty means template.yaml forgot it)."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(f"{name.upper()} is not set in this function's environment")
        return str(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
