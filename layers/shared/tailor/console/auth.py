"""Staff sign-in: single-use links mailed to addresses on the staff list, server-side sessions.

Why mailed links rather than a Cognito user pool: the console is one function deployed with
SAM, with nothing else to run or configure, staff already prove who they are by reading
their mail, and the local cloud's outbox receives the link like any other email, so the
console signs in the same way locally and on AWS.

* A link carries 32 random bytes; the console table keeps only their SHA-256 (`LINK#`), so
  reading the table signs no one in. A conditional write consumes it: once, within 15
  minutes, and only while the address is still on the staff list.
* The link opens a page whose button posts the token: mail scanners that fetch links do not
  burn it, and the session cookie is set on a same-site POST, so it can be SameSite=Strict.
* A session is a record (`SESSION#` + SHA-256 of the cookie's value) with a synchronizer
  CSRF token, an idle timeout and an absolute lifetime; DynamoDB's TTL removes it later,
  the times are checked on every request. The cookie is `__Host-`, Secure, HttpOnly,
  SameSite=Strict.
* Asking for a link answers the same whether or not the address is staff; an address gets
  at most 5 links an hour.
* Every sign-in and every change is an audit record (`AUDIT#<day>`), kept without expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tailor import addresses, aws
from tailor.settings import EnvSettings

LINK_LIFETIME = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=12)
# A session's last-seen time is written at most this often, not on every page.
TOUCH_EVERY = timedelta(minutes=1)
LINKS_PER_HOUR = 5
COOKIE = "__Host-tailor-console"
# Loopback has no TLS, so `tailor serve` uses a cookie without the prefix's Secure rule.
LOCAL_COOKIE = "tailor-console"


class ConsoleSettings(EnvSettings):
    scope = "console environment"

    console_table: str = ""
    staff_addresses: str = ""

    def staff(self) -> frozenset[str]:
        found = (addresses.normalize(a) for a in self.staff_addresses.split(","))
        return frozenset(a for a in found if a)

    def is_staff(self, address: str) -> bool:
        normalized = addresses.normalize(address)
        return normalized is not None and normalized in self.staff()


@dataclass(frozen=True)
class Session:
    key: str
    email: str
    csrf: str
    created_at: datetime
    seen_at: datetime

    def valid_csrf(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf, str(token))

    @property
    def agent_name(self) -> str:
        return agent_name(self.email)


def agent_name(email: str) -> str:
    """How a reply is signed and a ticket assigned: `maria.lopez@…` is `Maria Lopez`."""
    local = email.split("@")[0]
    return " ".join(w.capitalize() for w in local.replace("_", ".").replace("-", ".").split("."))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class Console:
    """The console table: sign-in links, sessions, notes and the audit trail."""

    def __init__(self, settings: ConsoleSettings) -> None:
        self.settings = settings
        self.table = aws.table(settings.need("console_table"))

    # ------------------------------------------------------------------ sign-in links
    def issue_link(self, email: str, now: datetime) -> tuple[str, str] | None:
        """The staff address and a fresh sign-in token for it; None (nothing stored) for
        any other address."""
        normalized = addresses.normalize(email)
        if normalized is None or not self.settings.is_staff(normalized):
            return None
        if not self._count_link(normalized, now):
            return None
        token = secrets.token_urlsafe(32)
        self.table.put_item(
            Item={
                "pk": f"LINK#{digest(token)}",
                "sk": "LINK",
                "email": normalized,
                "created_at": now.isoformat(),
                "expires_at": _epoch(now + LINK_LIFETIME),
            }
        )
        return normalized, token

    def _count_link(self, email: str, now: datetime) -> bool:
        """Count a link for `email` this hour; False past LINKS_PER_HOUR, so the sign-in
        form cannot be used to flood a colleague's mailbox."""
        key = {"pk": f"LINKS#{email}", "sk": now.strftime("%Y-%m-%dT%H")}
        return aws.counted(self.table, key, LINKS_PER_HOUR, _epoch(now + timedelta(days=1)))

    def consume_link(self, token: str, now: datetime) -> str | None:
        """The staff address a token signs in, once: the write that marks it used is
        conditional, so a replayed or expired link gets nothing."""
        if not token or len(token) > 100:
            return None
        try:
            item = self.table.update_item(
                Key={"pk": f"LINK#{digest(token)}", "sk": "LINK"},
                UpdateExpression="SET used_at = :now",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(used_at) "
                "AND expires_at > :epoch",
                ExpressionAttributeValues={":now": now.isoformat(), ":epoch": _epoch(now)},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return None
        email = str(item["email"])
        return email if self.settings.is_staff(email) else None

    # ------------------------------------------------------------------ sessions
    def open_session(self, email: str, now: datetime) -> str:
        """A new session (never a reused one: no fixation); returns the cookie's value."""
        secret = secrets.token_urlsafe(32)
        self.table.put_item(
            Item={
                "pk": f"SESSION#{digest(secret)}",
                "sk": "SESSION",
                "email": email,
                "csrf": secrets.token_urlsafe(32),
                "created_at": _epoch(now),
                "seen_at": _epoch(now),
                "expires_at": _epoch(now + SESSION_LIFETIME),
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return secret

    def session(self, secret: str | None, now: datetime) -> Session | None:
        """The live session a cookie names: unknown, idle, too old or no longer staff is None."""
        if not secret or len(secret) > 100:
            return None
        key = f"SESSION#{digest(secret)}"
        item = self.table.get_item(Key={"pk": key, "sk": "SESSION"}, ConsistentRead=True).get(
            "Item"
        )
        if not item:
            return None
        created, seen = _time(item["created_at"]), _time(item["seen_at"])
        expired = now >= created + SESSION_LIFETIME or now >= seen + IDLE_TIMEOUT
        if expired or not self.settings.is_staff(str(item["email"])):
            self.table.delete_item(Key={"pk": key, "sk": "SESSION"})
            return None
        if now - seen >= TOUCH_EVERY:
            self.table.update_item(
                Key={"pk": key, "sk": "SESSION"},
                UpdateExpression="SET seen_at = :now",
                ExpressionAttributeValues={":now": _epoch(now)},
            )
            seen = now
        return Session(key, str(item["email"]), str(item["csrf"]), created, seen)

    def close_session(self, session: Session) -> None:
        self.table.delete_item(Key={"pk": session.key, "sk": "SESSION"})

    # ------------------------------------------------------------------ audit and notes
    def audit(self, actor: str, action: str, now: datetime, **detail: Any) -> None:
        """Who did what, when: kept without expiry (evidence)."""
        self.table.put_item(
            Item={
                "pk": f"AUDIT#{now.date().isoformat()}",
                "sk": f"{now.isoformat()}#{uuid.uuid4().hex}",
                "actor": actor,
                "action": action,
                "at": now.isoformat(),
                **{k: str(v) for k, v in detail.items() if v is not None},
            }
        )

    def audit_trail(self, day: str) -> list[dict[str, Any]]:
        response = self.table.query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"AUDIT#{day}"}
        )
        return list(response.get("Items", []))

    def add_note(self, ticket_id: str, author: str, text: str, now: datetime) -> None:
        self.table.put_item(
            Item={
                "pk": f"NOTES#{ticket_id}",
                "sk": f"{now.isoformat()}#{uuid.uuid4().hex}",
                "author": author,
                "text": text,
                "at": now.isoformat(),
            }
        )

    def notes(self, ticket_id: str) -> list[dict[str, Any]]:
        response = self.table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": f"NOTES#{ticket_id}"},
        )
        return list(response.get("Items", []))

    # ------------------------------------------------------------------ drafts
    def save_draft(self, session: Session, ticket_id: str, html: str, now: datetime) -> None:
        """The previewed reply's HTML, for the preview frame (gone with the session)."""
        self.table.put_item(
            Item={
                "pk": session.key,
                "sk": f"DRAFT#{ticket_id}",
                "html": html,
                "expires_at": _epoch(now + SESSION_LIFETIME),
            }
        )

    def draft(self, session: Session, ticket_id: str) -> str | None:
        item = self.table.get_item(Key={"pk": session.key, "sk": f"DRAFT#{ticket_id}"}).get("Item")
        return str(item["html"]) if item else None


def _time(epoch: Any) -> datetime:
    return datetime.fromtimestamp(int(epoch), UTC)


def session_cookie(secure: bool, value: str, max_age: int) -> str:
    name = COOKIE if secure else LOCAL_COOKIE
    flags = "Secure; " if secure else ""
    return f"{name}={value}; Path=/; {flags}HttpOnly; SameSite=Strict; Max-Age={max_age}"


def cookie_name(secure: bool) -> str:
    return COOKIE if secure else LOCAL_COOKIE
