"""Mail arriving at the shop: SES receiving, with the template's own receipt rules.

An `.eml` file given to `tailor run` (or a demo step) is a message SES received. Each enabled
receipt rule whose recipients match (an address, a domain, or `.domain` for subdomains)
runs its actions in order, as SES does: S3Action stores the raw message at
`<prefix><messageId>` in the bucket, LambdaAction invokes the function with SES's receipt
event (asynchronously for InvocationType Event), StopAction ends the rule set. The spam,
virus, SPF, DKIM and DMARC verdicts come from the message's own `X-SES-*-Verdict` and
`Authentication-Results` headers, since there is no SMTP conversation to judge locally.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from email.message import EmailMessage
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from tailor_local.reports import Report
from tailor_local.template import ReceiptRule

if TYPE_CHECKING:
    from tailor_local.reports import Host

_AUTH = re.compile(r"\b(spf|dkim|dmarc)=(\w+)", re.IGNORECASE)
_VERDICTS = {"pass": "PASS", "fail": "FAIL", "softfail": "FAIL", "none": "GRAY"}


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return message


def recipients(message: EmailMessage) -> list[str]:
    """The envelope recipients, as the To and Cc headers name them."""
    values = [str(v) for name in ("To", "Cc") for v in message.get_all(name, [])]
    return [address.lower() for _, address in getaddresses(values) if address]


def matches(address: str, entry: str) -> bool:
    """SES recipient conditions: an address, a domain, or `.domain` for its subdomains."""
    entry = entry.lower()
    domain = address.rpartition("@")[2]
    if "@" in entry:
        return address == entry
    if entry.startswith("."):
        return domain.endswith(entry)
    return domain == entry


def verdicts(message: EmailMessage) -> dict[str, str]:
    found = {"spf": "GRAY", "dkim": "GRAY", "dmarc": "GRAY"}
    for header in message.get_all("Authentication-Results", []):
        for name, result in _AUTH.findall(str(header)):
            found[name.lower()] = _VERDICTS.get(result.lower(), "GRAY")
    found["spam"] = str(message.get("X-SES-Spam-Verdict") or "PASS").strip().upper()
    found["virus"] = str(message.get("X-SES-Virus-Verdict") or "PASS").strip().upper()
    return found


def receipt_event(
    message: EmailMessage,
    message_id: str,
    accepted: list[str],
    action: dict[str, Any],
    timestamp: str,
) -> dict[str, Any]:
    """The event SES's Lambda action delivers for one received message."""
    judged = verdicts(message)
    sender = getaddresses([str(message.get("Return-Path") or message.get("From") or "")])
    common = {
        "returnPath": sender[0][1] if sender else "",
        "from": [str(v) for v in message.get_all("From", [])],
        "date": str(message.get("Date") or ""),
        "to": [str(v) for v in message.get_all("To", [])],
        "messageId": str(message.get("Message-ID") or ""),
        "subject": str(message.get("Subject") or ""),
    }
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": timestamp,
                        "source": common["returnPath"],
                        "messageId": message_id,
                        "destination": recipients(message),
                        "headersTruncated": False,
                        "headers": [{"name": k, "value": str(v)} for k, v in message.items()],
                        "commonHeaders": common,
                    },
                    "receipt": {
                        "timestamp": timestamp,
                        "processingTimeMillis": 0,
                        "recipients": accepted,
                        **{f"{name}Verdict": {"status": value} for name, value in judged.items()},
                        "action": action,
                    },
                },
            }
        ]
    }


def receive(runner: Host, raw: bytes, origin: str = "") -> Report:
    """SES receives `raw`: the matching receipt rules run, then everything is drained."""
    message = parse(raw)
    message_id = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    label = f"mail from {message.get('From', '?')}: {message.get('Subject', '(no subject)')}"
    report = Report(message_id, label, None, origin)
    addressed = recipients(message)
    timestamp = runner.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with runner.reporting(report):
        stopped = False
        for rule in runner.template.receipt_rules():
            accepted = [a for a in addressed if any(matches(a, r) for r in rule.recipients)]
            if stopped or not rule.enabled or not accepted:
                continue
            report.rules.append(rule.name)
            stopped = _run_actions(runner, rule, raw, message, message_id, accepted, timestamp)
        if not report.rules:
            report.unmatched.append(
                f"{label} to {', '.join(addressed) or 'nobody'}: no SES receipt rule in "
                "template.yaml takes mail for that address"
            )
        runner.drain()
    return report


def _run_actions(
    runner: Host,
    rule: ReceiptRule,
    raw: bytes,
    message: EmailMessage,
    message_id: str,
    accepted: list[str],
    timestamp: str,
) -> bool:
    """Run one rule's actions; True when a StopAction ends the rule set."""
    for action in rule.actions:
        if "S3Action" in action:
            s3 = action["S3Action"]
            key = f"{s3.get('ObjectKeyPrefix') or ''}{message_id}"
            runner.cloud.client("s3").put_object(Bucket=s3["BucketName"], Key=key, Body=raw)
        elif "LambdaAction" in action:
            call = action["LambdaAction"]
            function = runner.template.function_for_arn(str(call.get("FunctionArn", "")))
            if function is None:
                runner.current.failures.append(
                    f"receipt rule {rule.name} invokes {call.get('FunctionArn')}, which is not a "
                    "function of this template"
                )
                continue
            kind = str(call.get("InvocationType") or "Event")
            described = {"type": "Lambda", "functionArn": call["FunctionArn"]}
            event = receipt_event(
                message, message_id, accepted, {**described, "invocationType": kind}, timestamp
            )
            trigger = f"SES receipt rule {rule.name}"
            if kind == "Event":
                runner.invoke_async(function, event, trigger)
            else:
                runner.invoke_sync(function, event, trigger)
        elif "StopAction" in action:
            return True
        else:
            kinds = ", ".join(action)
            runner.current.notes.append(f"receipt rule {rule.name}: {kinds} is not run locally")
    return False
