"""A freshly provisioned moto account for every test, provisioned once per process.

Creating every runtime resource of template.yaml takes moto about 0.4 s, longer than most
tests take themselves. So each template is provisioned once per process (per xdist worker)
and the moto backends holding the result are kept; every test then starts moto afresh
(`mock_aws` resets every backend) and gets its own deep copy of those backends. A copy is
what a new provisioning would make, and nothing a test writes (items, stream records,
messages, mail, schedules, objects, secret values) is in the next test's copy.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto import mock_aws
from moto.core.base_backend import BackendDict, BaseBackend
from moto.sqs.models import SQSBackend
from tailor_local import moto_fixes
from tailor_local.provision import provision
from tailor_local.template import Template

# Where a backend lives: its service's BackendDict, the account and the region.
_Place = tuple[BackendDict[Any], str, str]
# Per template (by identity; the template is kept, so the id is never reused): where each
# provisioned backend lives, and a copy of it that no test ever touches.
_snapshots: dict[int, tuple[Template, list[_Place], list[BaseBackend]]] = {}


@contextmanager
def provisioned(template: Template) -> Iterator[Template]:
    """moto, holding every runtime resource `template` declares and nothing else."""
    moto_fixes.install()
    places, pristine = _snapshot(template)
    with mock_aws():
        for (backends, account, region), backend in zip(places, _copy(pristine), strict=True):
            backends[account][region] = backend
        yield template


def _snapshot(template: Template) -> tuple[list[_Place], list[BaseBackend]]:
    if id(template) not in _snapshots:
        with mock_aws():
            provision(template)
            places: list[_Place] = []
            live: list[BaseBackend] = []
            # Every service provisioning touched (moto's own list, typed as moto types it).
            for backends in BackendDict._instances:  # type: ignore[misc]
                for account, region, backend in backends.iter_backends():
                    places.append((backends, account, region))
                    live.append(backend)
            # Copied before mock_aws ends: its reset re-initialises the live backends.
            _snapshots[id(template)] = (template, places, _copy(live))
    _, places, pristine = _snapshots[id(template)]
    return places, pristine


def _copy(backends: list[BaseBackend]) -> list[BaseBackend]:
    """A deep copy of `backends`, in one go so that references between them hold."""
    # An SQS queue guards its messages with a threading.Condition, which cannot be copied:
    # each copy of a queue gets a new one.
    memo: dict[int, Any] = {
        id(queue._messages_lock): threading.Condition()
        for backend in backends
        if isinstance(backend, SQSBackend)
        for queue in backend.queues.values()
    }
    copied: list[BaseBackend] = copy.deepcopy(backends, memo)
    return copied
