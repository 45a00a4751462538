"""The local AWS the functions run against: a running moto server, or an ephemeral one.

`tailor local start` leaves a moto server running in the background (see `server.py`);
commands find it through `.tailor/cloud.json` or AWS_ENDPOINT_URL. Without one, a command
starts moto in-process (`mock_aws`), provisions it from template.yaml, and forgets it when
it ends. Either way the functions run in this process, with fake credentials, so nothing
can ever reach a real AWS account.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3

from tailor_local import moto_fixes
from tailor_local.provision import provision
from tailor_local.state import Journal, LocalError, State, home, write_json
from tailor_local.template import ACCOUNT, REGION, Template, local_template

SERVER_MODULE = "tailor_local.server"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "host.docker.internal"})

# Fake credentials: moto accepts anything, and real AWS would reject these.
LOCAL_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    # moto does not serve the account-id endpoints botocore picks for DynamoDB Streams.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}
# Settings that could send requests elsewhere or make botocore read a real profile.
_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


@contextmanager
def aws_environment(endpoint_url: str | None) -> Iterator[None]:
    """Fake credentials and the local endpoint (or none, for in-process moto) meanwhile."""
    values: dict[str, str | None] = {**LOCAL_AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": endpoint_url}
    values.update(dict.fromkeys(_CLEARED))
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _set(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set(name, value)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@dataclass(frozen=True)
class SentMessage:
    """One email SES accepted: its SES id, raw MIME and envelope recipients."""

    ses_message_id: str
    raw: bytes
    destinations: list[str]


@dataclass(frozen=True)
class ServerInfo:
    """A running local cloud, as `.tailor/cloud.json` records it."""

    pid: int
    port: int
    endpoint: str
    started_at: str
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path) -> ServerInfo | None:
        path = directory / "cloud.json"
        try:
            data = json.loads(path.read_text())
            return cls(
                int(data["pid"]),
                int(data["port"]),
                str(data["endpoint"]),
                data["started_at"],
                {str(k): str(v) for k, v in (data.get("parameters") or {}).items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, directory: Path) -> None:
        write_json(directory / "cloud.json", self.__dict__)


def is_server_process(pid: int) -> bool:
    """True when `pid` is alive and is a local cloud server (not a recycled pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return SERVER_MODULE in cmdline.read_bytes().decode(errors="replace")
        except OSError:
            return False
    return True


def running_server(directory: Path | None = None) -> ServerInfo | None:
    info = ServerInfo.read(directory or home())
    return info if info is not None and is_server_process(info.pid) else None


class Cloud:
    """The local AWS one command works against."""

    endpoint_url: str | None = None
    ephemeral = True

    def __init__(self, template: Template, state: State, journal: Journal) -> None:
        self.template = template
        self.state = state
        self.journal = journal
        self._clients: dict[str, Any] = {}
        self._queue_urls: dict[str, str] = {}
        # Tells one cloud from another for warm function containers (ids can be reused).
        self.token = uuid.uuid4().hex

    def client(self, service: str) -> Any:
        """A client of the local cloud (one per service: creating them is not cheap)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(  # type: ignore[call-overload]
                service, region_name=REGION, endpoint_url=self.endpoint_url
            )
        return self._clients[service]

    def sent_messages(self) -> list[SentMessage]:
        raise NotImplementedError

    def queue_url(self, logical_or_physical: str) -> str:
        name = (
            self.template.physical_name(logical_or_physical)
            if logical_or_physical in self.template.resources
            else logical_or_physical
        )
        if name not in self._queue_urls:
            url = self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
            self._queue_urls[name] = str(url)
        return self._queue_urls[name]

    def describe(self) -> str:
        raise NotImplementedError


class EphemeralCloud(Cloud):
    """moto in this process, provisioned from the template, gone when the command ends."""

    def sent_messages(self) -> list[SentMessage]:
        from moto.ses.models import ses_backends

        return [
            _sent(message.id, message.raw_data, message.destinations)
            for message in ses_backends[ACCOUNT][REGION].sent_messages
            if getattr(message, "raw_data", None) is not None
        ]

    def describe(self) -> str:
        return "an ephemeral local cloud (in-process moto)"


class RemoteCloud(Cloud):
    """A moto server on this machine (normally the one `tailor local start` runs)."""

    ephemeral = False

    def __init__(self, template: Template, state: State, journal: Journal, endpoint: str) -> None:
        super().__init__(template, state, journal)
        self.endpoint_url = endpoint.rstrip("/")

    def sent_messages(self) -> list[SentMessage]:
        data = fetch_json(f"{self.endpoint_url}/moto-api/data.json")
        messages = data.get("ses", {}).get("RawMessage", [])
        return [_sent(m["id"], m["raw_data"], m.get("destinations") or []) for m in messages]

    def describe(self) -> str:
        return f"the local cloud at {self.endpoint_url}"


def _sent(message_id: str, raw: str | bytes, destinations: Any) -> SentMessage:
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    recipients = destinations if isinstance(destinations, list) else []
    return SentMessage(str(message_id), data, [str(d) for d in recipients])


def fetch_json(url: str, timeout: float = 10) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            return json.loads(response.read())
    except (urllib.error.URLError, OSError) as error:
        raise LocalError(
            f"the local cloud at {url.split('/moto-api')[0]} does not answer ({error}); "
            "start it with `tailor local start`"
        ) from None


def answers(endpoint: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=timeout):  # noqa: S310
            return True
    except (urllib.error.URLError, OSError):
        return False


def configured_endpoint() -> str | None:
    """AWS_ENDPOINT_URL, when set; refused unless it points at this machine."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if not endpoint:
        return None
    host = urlsplit(endpoint).hostname or ""
    if host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise LocalError(
            f"AWS_ENDPOINT_URL is {endpoint}, which is not this machine; tailor only runs "
            "against a local cloud: unset AWS_ENDPOINT_URL or start one with `tailor local start`"
        )
    return endpoint.rstrip("/").replace("host.docker.internal", "127.0.0.1")


@contextmanager
def open_cloud(template: Template, *, ephemeral: bool = False) -> Iterator[Cloud]:
    """The running local cloud if there is one (unless `ephemeral`), else a fresh in-process one.

    While it is open, the process environment holds fake credentials and the cloud's endpoint.
    """
    endpoint = None if ephemeral else (configured_endpoint() or _running_endpoint())
    if endpoint is not None:
        if not answers(endpoint):
            raise LocalError(
                f"nothing answers at {endpoint}: start the local cloud with `tailor local start`"
                " (or unset AWS_ENDPOINT_URL to use an ephemeral one)"
            )
        directory = home()
        with aws_environment(endpoint):
            yield RemoteCloud(
                template,
                State.load(directory / "state.json"),
                Journal(directory / "sent.jsonl"),
                endpoint,
            )
        return

    from moto import mock_aws

    moto_fixes.install()
    with aws_environment(None), mock_aws():
        provision(template)
        yield EphemeralCloud(template, State(), Journal(None))


def command_template(
    overrides: Mapping[str, str] | None = None,
    urls: Mapping[str, str] | None = None,
    ephemeral: bool = False,
) -> Template:
    """The template a command runs: the local profile, the running cloud's parameters (it
    was provisioned with them), then the command's own `--parameter`s."""
    info = None if ephemeral else running_server()
    return local_template({**(info.parameters if info else {}), **(overrides or {})}, urls)


def _running_endpoint() -> str | None:
    info = running_server()
    return info.endpoint if info else None
