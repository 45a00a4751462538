"""One-time EventBridge Scheduler schedules: a function invoked once, later, with an input.

Deferred marketing mail, review requests and replenishment reminders all use them. Each
schedule has a deterministic name (a hash of what it is about, never an address), so a
repeated event finds the schedule it already made instead of making a second one; it
fires once and deletes itself afterwards (ActionAfterCompletion DELETE).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from tailor import aws
from tailor.observability import logger


def schedule_name(kind: str, *about: str) -> str:
    """`<kind>-<hash>`: at most 64 characters of [A-Za-z0-9-], the same for the same subject."""
    digest = hashlib.sha256("|".join(about).encode()).hexdigest()[:40]
    return f"{kind[:20]}-{digest}"


class Schedules:
    def __init__(self, group: str, role_arn: str) -> None:
        self.group = group
        self.role_arn = role_arn
        self._client = aws.client("scheduler")

    def create(self, name: str, at: datetime, target_arn: str, event: dict[str, Any]) -> bool:
        """Create the schedule; False when one of that name already exists (a repeat)."""
        when = at.astimezone(UTC)
        try:
            self._client.create_schedule(
                Name=name,
                GroupName=self.group,
                ScheduleExpression=f"at({when:%Y-%m-%dT%H:%M:%S})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                Target={
                    "Arn": target_arn,
                    "RoleArn": self.role_arn,
                    "Input": json.dumps(event, separators=(",", ":")),
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 10},
                },
                ActionAfterCompletion="DELETE",
            )
        except self._client.exceptions.ConflictException:
            logger.info("already scheduled", extra={"schedule": name})
            return False
        logger.info(
            "scheduled",
            extra={
                "schedule": name,
                "at": when.isoformat(),
                "detail_type": event.get("detail-type"),
            },
        )
        return True

    def detail(self, name: str) -> dict[str, Any] | None:
        """The `detail` of the event a pending schedule will deliver, None if there is none."""
        try:
            schedule = self._client.get_schedule(Name=name, GroupName=self.group)
        except self._client.exceptions.ResourceNotFoundException:
            return None
        try:
            detail = json.loads(schedule["Target"]["Input"])["detail"]
        except (KeyError, TypeError, ValueError):
            return {}
        return detail if isinstance(detail, dict) else {}

    def delete(self, name: str) -> None:
        try:
            self._client.delete_schedule(Name=name, GroupName=self.group)
        except self._client.exceptions.ResourceNotFoundException:
            return
        logger.info("schedule replaced", extra={"schedule": name})
