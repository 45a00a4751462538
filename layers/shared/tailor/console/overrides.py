"""Overrides staff save from the console, with their history, in the mail bucket.

An override lives where the functions already read it (`copy/<type>/<lang>.json`,
`canned/...txt.j2`); every save also writes a version beside it, under
`<key>.history/<time>-<id>` (a name neither reader picks up), holding the text, who saved
it and when. Reverting saves an earlier version's text again, so history only grows.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from tailor import aws

HISTORY = ".history/"
MAX_VERSIONS = 100


@dataclass(frozen=True)
class Version:
    version_id: str
    at: datetime
    by: str
    action: str
    text: str


class Overrides:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self.s3: Any = aws.client("s3")

    def current(self, key: str) -> str | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return str(body.decode("utf-8"))

    def save(self, key: str, text: str, by: str, now: datetime, action: str = "saved") -> Version:
        # Numbered, so versions saved within the same second keep their order.
        number = len(self._version_ids(key)) + 1
        version_id = f"{number:06d}-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        version = Version(version_id, now, by, action, text)
        record = {"at": now.isoformat(), "by": by, "action": action, "text": text}
        # The version first: a save whose override write fails still shows who tried.
        self.s3.put_object(
            Bucket=self.bucket,
            Key=f"{key}{HISTORY}{version.version_id}",
            Body=json.dumps(record, ensure_ascii=False).encode(),
            ContentType="application/json",
        )
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=text.encode())
        return version

    def history(self, key: str) -> list[Version]:
        """The saved versions, newest first."""
        ids = self._version_ids(key)[-MAX_VERSIONS:]
        versions = (self.version(key, version_id) for version_id in reversed(ids))
        return [v for v in versions if v is not None]

    def _version_ids(self, key: str) -> list[str]:
        return sorted(k.rpartition("/")[2] for k in self._listed(f"{key}{HISTORY}"))

    def _listed(self, prefix: str) -> list[str]:
        paginator = self.s3.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=prefix)
        return [str(entry["Key"]) for page in pages for entry in page.get("Contents", [])]

    def version(self, key: str, version_id: str) -> Version | None:
        if not version_id or "/" in version_id:
            return None
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=f"{key}{HISTORY}{version_id}")
        except ClientError:
            return None
        record = json.loads(body["Body"].read())
        return Version(
            version_id,
            datetime.fromisoformat(record["at"]),
            str(record["by"]),
            str(record["action"]),
            str(record["text"]),
        )

    def keys(self, prefix: str) -> list[str]:
        """The overrides (not their versions) under `prefix`."""
        return sorted(k for k in self._listed(prefix) if HISTORY not in k)
