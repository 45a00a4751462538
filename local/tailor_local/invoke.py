"""Invoke a template function in this process, as Lambda would: its handler, its environment.

The handler module is loaded from its CodeUri by file path (each function's `app.py` under
its own module name); the layer is the installed `tailor` package, exactly as the Lambda
layer puts it on the import path.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tailor_local.template import ACCOUNT, REGION, Function

_modules: dict[str, ModuleType] = {}


@dataclass
class FakeContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    timeout_seconds: int
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@contextmanager
def environment(
    function: Function, extra: Mapping[str, str] | None = None, warm: object = None
) -> Iterator[None]:
    """The function's environment for the duration of one invocation.

    Without `warm`, every invocation is a cold start (caches cleared before and after). With
    a `warm` token (the runner passes its cloud's), the caches survive until a different
    function, environment or token comes along, as a warm Lambda container keeps its clients.
    """
    # The template declares AWS_ENDPOINT_URL empty (for `sam local invoke --env-vars`);
    # empty means unset, so it must not hide the local cloud's endpoint.
    declared = {k: v for k, v in function.environment.items() if v or k != "AWS_ENDPOINT_URL"}
    values = {
        **declared,
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
        "AWS_REGION": os.environ.get("AWS_REGION", REGION),
        **(extra or {}),
    }
    container = (
        None
        if warm is None
        else (warm, str(function.code_dir), tuple(sorted(function.environment.items())))
    )
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    if container is None or container != _warm[0]:
        _reset_caches()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if container is None:
            _reset_caches()
        _warm[0] = container


# The warm container, if any: (token, code dir, environment) of the last warm invocation.
_warm: list[tuple[object, str, tuple[tuple[str, str], ...]] | None] = [None]


def _reset_caches() -> None:
    """Cold-start caches hold clients and loggers; a new function means a new cold start.
    (Settings are cached per distinct environment, so they need no reset.)"""
    from tailor import aws, copy
    from tailor.observability import logger, metrics
    from tailor.support import canned

    service = os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined")
    logger.append_keys(service=service)
    # Handlers clear the logger's state on entry, back to the keys it was created with (the
    # service of the first function this process loaded): those must name this one.
    logger._default_log_keys["service"] = service
    metrics.service = service
    # Likewise the namespace: tailor.observability may first be imported outside any
    # function's environment (the demo reads tailor.copy before the story plays).
    metrics.namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE")
    aws.reset()
    aws.secrets.cache_clear()  # a new container fetches its secrets afresh
    copy.clear_cache()  # and reads the shop's overrides afresh
    canned.clear_cache()


def handler(function: Function) -> Callable[[Any, Any], Any]:
    module_name, _, attribute = function.handler.rpartition(".")
    path = function.code_dir / f"{module_name.replace('.', '/')}.py"
    key = str(path)
    if key not in _modules:
        spec = importlib.util.spec_from_file_location(f"tailor_fn_{function.logical_id}", path)
        if spec is None or spec.loader is None:
            raise FileNotFoundError(f"handler module {path} not found")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[key] = module
    return getattr(_modules[key], attribute)  # type: ignore[no-any-return]


def invoke(
    function: Function,
    event: Any,
    extra_env: Mapping[str, str] | None = None,
    warm: object = None,
) -> Any:
    with environment(function, extra_env, warm):
        return handler(function)(event, FakeContext(function.logical_id, function.timeout))


@dataclass
class Outcome:
    """How one invocation went: what the handler returned, or the error it raised."""

    ok: bool
    result: Any = None
    error_type: str | None = None
    error_message: str | None = None
    stack: list[str] | None = None
    logs: str = ""

    @property
    def reason(self) -> str:
        return f"{self.error_type}: {self.error_message}" if not self.ok else ""

    def error_payload(self) -> dict[str, Any]:
        """The error as Lambda reports it (responsePayload of a failed invocation)."""
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "stackTrace": self.stack or [],
        }


def run_handler(
    function: Function,
    event: Any,
    extra_env: Mapping[str, str] | None = None,
    warm: object = None,
) -> Outcome:
    """Invoke, catching what the handler raises and what it logs, as the Lambda service does."""
    with captured_output() as output:
        try:
            result = invoke(function, event, extra_env, warm)
        except Exception as error:  # the handler's failure is the outcome, not ours
            return Outcome(
                ok=False,
                error_type=type(error).__name__,
                error_message=str(error),
                stack=traceback.format_exception(error)[-6:],
                logs=output.getvalue(),
            )
    return Outcome(ok=True, result=result, logs=output.getvalue())


class _Capture(io.StringIO):
    """One invocation's output. A logger created during an invocation (Powertools binds its
    handler to the sys.stdout of that moment) is left writing into that invocation's capture,
    so later invocations take it over too."""


@contextmanager
def captured_output() -> Iterator[io.StringIO]:
    """What handlers print or log (Powertools writes JSON lines to stdout) goes to a buffer."""
    buffer = _Capture()
    consoles = {id(s) for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)}
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    swapped = []
    for logger in loggers:
        for log_handler in logger.handlers:
            if isinstance(log_handler, logging.StreamHandler) and (
                id(log_handler.stream) in consoles or isinstance(log_handler.stream, _Capture)
            ):
                swapped.append((log_handler, log_handler.setStream(buffer)))
    try:
        with redirect_stdout(buffer), redirect_stderr(buffer):
            yield buffer
    finally:
        for log_handler, stream in swapped:
            log_handler.setStream(stream)
