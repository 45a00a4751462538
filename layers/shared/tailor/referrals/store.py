"""The referrals table: invitations, their codes, the friends they reached, the referrals
their orders made, and every refusal with its reason. It is evidence of what was promised
and paid, so template.yaml keeps it when the stack goes.

One table, keys `pk` and `sk`:

| pk | sk | what |
| --- | --- | --- |
| `CODE#<code>` | `CODE` | a code Tailor issued: invitation id, referrer, email type, issued_at |
| `INVITE#<id>` | `INVITE` | an invitation: referrer, friend, code, responded_at |
| `FRIEND#<email>` | `FRIEND` | the first invitation that reached a friend; the order rewarded |
| `ORDER#<order id>` | `REFERRAL` | a referral: invitation, status (pending, released, revoked) |
| `CUSTOMER#<email>` | `FACTS` | who has ordered: order ids, customer ids, address fingerprints |
| `REFERRER#<email>` | `DAY#<date>` / `MONTH#<month>` | invitations a day, rewards a month |
| `REFERRER#<email>` | `REFUSAL#<time>#<id>` | a refusal and its reason |
| `NONCE#<nonce>` | `NONCE` | a "tell a friend" form already submitted |

A code is found by `GetItem` on its key, so attribution can read any code's record.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tailor import aws, transactions
from tailor.observability import logger
from tailor.referrals import codes

# Why a referral was refused: stored with the refusal and logged (never with an address).
SELF_REFERRAL = "a customer cannot refer themselves"
EXISTING_CUSTOMER = "the friend is an existing customer"
ALREADY_INVITED = "the friend was invited before (first link wins)"
RATE_LIMITED = "the referrer's invitations for the day are used up"
ALREADY_REWARDED = "a reward was already earned for this friend"
MONTHLY_CAP = "the referrer's rewards for the month are used up"

PENDING, RELEASED, REVOKED = "pending", "released", "revoked"
NONCE_DAYS = 2


@dataclass(frozen=True)
class CodeRecord:
    code: str
    invitation_id: str
    referrer: str
    email_type: str
    issued_at: str


@dataclass(frozen=True)
class Invitation:
    invitation_id: str
    referrer: str
    friend: str
    code: str
    issued_at: str
    referrer_customer_id: str = ""
    locale: str = ""
    responded_at: str = ""


@dataclass(frozen=True)
class Referral:
    order_id: str
    invitation_id: str
    referrer: str
    friend: str
    status: str
    placed_at: str
    release_at: str
    total: Decimal = Decimal(0)
    currency: str = ""
    refunded: Decimal = Decimal(0)
    reward_code: str = ""
    note: str = ""


@dataclass(frozen=True)
class CustomerFacts:
    order_ids: frozenset[str] = field(default_factory=frozenset)
    customer_ids: frozenset[str] = field(default_factory=frozenset)
    addresses: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Refused:
    reason: str


def address_fingerprint(*parts: str | None) -> str | None:
    """A shipping address compared without being stored: a hash of its normalised lines."""
    words = [" ".join((part or "").lower().split()) for part in parts]
    if not any(words):
        return None
    return hashlib.sha256("|".join(words).encode()).hexdigest()[:32]


def _key(pk: str, sk: str) -> dict[str, str]:
    return {"pk": pk, "sk": sk}


def _fields(cls: type, item: dict[str, Any]) -> dict[str, Any]:
    """The item's attributes that are fields of the record (not its keys or counters)."""
    names = {f.name for f in fields(cls)}
    return {name: value for name, value in item.items() if name in names}


class Referrals:
    def __init__(self, table_name: str) -> None:
        self.name = table_name
        self.table = aws.table(table_name)

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key=_key(pk, sk), ConsistentRead=True).get("Item")
        return dict(item) if item else None

    # ------------------------------------------------------------------ reading
    def code(self, code: str) -> CodeRecord | None:
        """The record of a code Tailor issued (case and spacing as Shopify forgives them)."""
        normal = codes.normalize_code(code)
        item = self._get(f"CODE#{normal}", "CODE") if normal else None
        return CodeRecord(**_fields(CodeRecord, item)) if item else None

    def invitation(self, invitation_id: str) -> Invitation | None:
        item = self._get(f"INVITE#{invitation_id}", "INVITE")
        return Invitation(**_fields(Invitation, item)) if item else None

    def referral(self, order_id: str) -> Referral | None:
        item = self._get(f"ORDER#{order_id}", "REFERRAL")
        return Referral(**_fields(Referral, item)) if item else None

    def first_invitation_to(self, friend: str) -> str | None:
        item = self._get(f"FRIEND#{friend}", "FRIEND")
        return str(item["invitation_id"]) if item else None

    def customer(self, email: str) -> CustomerFacts:
        item = self._get(f"CUSTOMER#{email}", "FACTS") or {}
        return CustomerFacts(
            order_ids=frozenset(item.get("order_ids") or ()),
            customer_ids=frozenset(item.get("customer_ids") or ()),
            addresses=frozenset(item.get("addresses") or ()),
        )

    def refusals(self, referrer: str) -> list[dict[str, Any]]:
        response = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :refusal)",
            ExpressionAttributeValues={":pk": f"REFERRER#{referrer}", ":refusal": "REFUSAL#"},
        )
        return [dict(item) for item in response["Items"]]

    # ------------------------------------------------------------------ writing
    def refuse(self, referrer: str, reason: str, now: datetime, **about: str) -> Refused:
        """Log and store a refusal; `about` holds ids (invitation, order), never addresses."""
        logger.info("referral refused", extra={"reason": reason, **about})
        self.table.put_item(
            Item={
                **_key(f"REFERRER#{referrer}", f"REFUSAL#{now.isoformat()}#{secrets.token_hex(4)}"),
                "reason": reason,
                "at": now.isoformat(),
                **about,
            }
        )
        return Refused(reason)

    def record_customer(
        self, email: str, order_id: str, customer_id: str | None, address: str | None
    ) -> None:
        """Remember that this address has ordered, under which ids and to which address."""
        sets = {":order": {order_id}}
        adds = ["order_ids :order"]
        if customer_id:
            sets[":customer"] = {customer_id}
            adds.append("customer_ids :customer")
        if address:
            sets[":address"] = {address}
            adds.append("addresses :address")
        self.table.update_item(
            Key=_key(f"CUSTOMER#{email}", "FACTS"),
            UpdateExpression="ADD " + ", ".join(adds),
            ExpressionAttributeValues=sets,
        )

    def claim_nonce(self, nonce: str, now: datetime) -> bool:
        """True the first time a form's nonce is submitted; False on a replay."""
        expires = int((now + timedelta(days=NONCE_DAYS)).timestamp())
        return aws.written(
            self.table.put_item,
            Item={**_key(f"NONCE#{nonce}", "NONCE"), "expires": expires},
            ConditionExpression="attribute_not_exists(pk)",
        )

    def issue_invitation(
        self,
        *,
        referrer: str,
        referrer_customer_id: str | None,
        friend: str,
        locale: str,
        now: datetime,
        per_day: int,
        email_type: str,
    ) -> Invitation | Refused:
        """The invitation and its code, written together with the friend's claim (first link
        wins) and the referrer's count for the day; or the refusal, stored."""
        invitation = Invitation(
            invitation_id=codes.new_invitation_id(),
            referrer=referrer,
            friend=friend,
            code=codes.new_code(codes.INVITATION_PREFIX),
            issued_at=now.isoformat(),
            referrer_customer_id=referrer_customer_id or "",
            locale=locale,
        )
        day = now.date().isoformat()
        outcome = transactions.write_together(
            [
                transactions.put(
                    self.name,
                    {
                        "Item": {
                            **_key(f"FRIEND#{friend}", "FRIEND"),
                            "invitation_id": invitation.invitation_id,
                            "invited_at": invitation.issued_at,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    },
                ),
                transactions.update(
                    self.name,
                    {
                        "Key": _key(f"REFERRER#{referrer}", f"DAY#{day}"),
                        "UpdateExpression": "ADD invitations :one",
                        "ConditionExpression": "attribute_not_exists(invitations) "
                        "OR invitations < :limit",
                        "ExpressionAttributeValues": {":one": 1, ":limit": per_day},
                    },
                ),
                transactions.put(
                    self.name,
                    {
                        "Item": {
                            **_key(f"INVITE#{invitation.invitation_id}", "INVITE"),
                            # responded_at is written when the friend responds, not before.
                            **{k: v for k, v in invitation.__dict__.items() if v != ""},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    },
                ),
                transactions.put(
                    self.name,
                    {
                        "Item": {
                            **_key(f"CODE#{invitation.code}", "CODE"),
                            "code": invitation.code,
                            "invitation_id": invitation.invitation_id,
                            "referrer": referrer,
                            "email_type": email_type,
                            "issued_at": invitation.issued_at,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    },
                ),
            ]
        )
        if outcome is None:
            return invitation
        failed = transactions.CONDITION_FAILED
        about = {"invitation_id": invitation.invitation_id}
        if outcome[0] == failed:
            return self.refuse(referrer, ALREADY_INVITED, now, **about)
        if outcome[1] == failed:
            return self.refuse(referrer, RATE_LIMITED, now, **about)
        raise RuntimeError(f"could not record the invitation: {outcome}")

    def mark_responded(self, invitation_id: str, now: datetime) -> bool:
        """True the first time the friend responds to the invitation."""
        return aws.written(
            self.table.update_item,
            Key=_key(f"INVITE#{invitation_id}", "INVITE"),
            UpdateExpression="SET responded_at = :now",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(responded_at)",
            ExpressionAttributeValues={":now": now.isoformat()},
        )

    def convert(
        self, invitation: Invitation, referral: Referral, now: datetime, per_month: int
    ) -> Referral | Refused:
        """The referral recorded with the friend's one reward and the referrer's count for
        the month, or the refusal, stored."""
        month = now.strftime("%Y-%m")
        outcome = transactions.write_together(
            [
                transactions.update(
                    self.name,
                    {
                        "Key": _key(f"FRIEND#{referral.friend}", "FRIEND"),
                        "UpdateExpression": "SET order_id = :order, "
                        "invitation_id = if_not_exists(invitation_id, :invitation)",
                        "ConditionExpression": "attribute_not_exists(order_id)",
                        "ExpressionAttributeValues": {
                            ":order": referral.order_id,
                            ":invitation": invitation.invitation_id,
                        },
                    },
                ),
                transactions.update(
                    self.name,
                    {
                        "Key": _key(f"REFERRER#{invitation.referrer}", f"MONTH#{month}"),
                        "UpdateExpression": "ADD rewards :one",
                        "ConditionExpression": "attribute_not_exists(rewards) OR rewards < :cap",
                        "ExpressionAttributeValues": {":one": 1, ":cap": per_month},
                    },
                ),
                transactions.put(
                    self.name,
                    {
                        "Item": {
                            **_key(f"ORDER#{referral.order_id}", "REFERRAL"),
                            **referral.__dict__,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    },
                ),
            ]
        )
        if outcome is None:
            return referral
        about = {"invitation_id": invitation.invitation_id, "order_id": referral.order_id}
        if outcome[0] == transactions.CONDITION_FAILED:
            return self.refuse(invitation.referrer, ALREADY_REWARDED, now, **about)
        if outcome[1] == transactions.CONDITION_FAILED:
            return self.refuse(invitation.referrer, MONTHLY_CAP, now, **about)
        raise RuntimeError(f"could not record the referral: {outcome}")

    def settle(self, order_id: str, status: str, now: datetime, **more: Any) -> bool:
        """Move a pending referral to released or revoked; False if it was not pending."""
        names = ["status", "settled_at", *more]
        values = {":status": status, ":settled_at": now.isoformat(), ":pending": PENDING}
        values.update({f":{name}": value for name, value in more.items()})
        return aws.written(
            self.table.update_item,
            Key=_key(f"ORDER#{order_id}", "REFERRAL"),
            UpdateExpression="SET " + ", ".join(f"#{n} = :{n}" for n in names),
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames={f"#{n}": n for n in names},
            ExpressionAttributeValues=values,
        )

    def record_reward_code(self, referral: Referral, code: str, now: datetime) -> None:
        self.table.put_item(
            Item={
                **_key(f"CODE#{code}", "CODE"),
                "code": code,
                "invitation_id": referral.invitation_id,
                "referrer": referral.referrer,
                "email_type": "referral_reward",
                "issued_at": now.isoformat(),
                "order_id": referral.order_id,
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def add_refund(self, order_id: str, refund_id: str, amount: Decimal) -> Referral | None:
        """Add a refund (once per refund id) to the referral of this order, if there is one."""
        written = aws.written(
            self.table.update_item,
            Key=_key(f"ORDER#{order_id}", "REFERRAL"),
            UpdateExpression="ADD refunded :amount, refund_ids :refund",
            ConditionExpression="attribute_exists(pk) AND NOT contains(refund_ids, :id)",
            ExpressionAttributeValues={":amount": amount, ":refund": {refund_id}, ":id": refund_id},
        )
        return self.referral(order_id) if written else None

    def annotate(self, order_id: str, note: str) -> None:
        """Record what happened to a settled referral (a refund after its release)."""
        self.table.update_item(
            Key=_key(f"ORDER#{order_id}", "REFERRAL"),
            UpdateExpression="SET note = :note",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":note": note},
        )
