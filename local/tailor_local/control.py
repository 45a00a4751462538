"""`tailor local start | stop | status`: the local cloud as a background process.

`start` checks the port, starts `python -m tailor_local.server` in its own session (so it
outlives the command), waits until it has provisioned everything and written
`.tailor/cloud.json`, then writes `.tailor/env.json` for `sam local invoke --env-vars`.
`stop` ends that process (SIGTERM, then SIGKILL if it lingers) and checks it is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tailor_local.cloud import (
    LOCAL_AWS_ENVIRONMENT,
    SERVER_MODULE,
    ServerInfo,
    is_server_process,
    running_server,
)
from tailor_local.schedules import Clock, format_duration
from tailor_local.state import LocalError, State, home, write_json
from tailor_local.template import REPO_ROOT, Template, local_template

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10
DOCKER_HOST = "host.docker.internal"


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def start(
    port: int, parameters: Mapping[str, str] | None = None, directory: Path | None = None
) -> ServerInfo:
    directory = directory or home()
    running = running_server(directory)
    if running is not None:
        raise LocalError(
            f"a local cloud is already running at {running.endpoint} (pid {running.pid}); "
            "stop it first with `tailor local stop`"
        )
    if not 0 <= port <= 65535:
        raise LocalError(f"--port {port} is not a TCP port; use 1024-65535")
    if port and not port_free(port):
        raise LocalError(
            f"port {port} on 127.0.0.1 is in use; choose another with "
            "`tailor local start --port N`, or stop whatever is listening there"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for stale in ("cloud.json", "state.json", "sent.jsonl"):
        (directory / stale).unlink(missing_ok=True)
    print(f"Starting the local cloud on 127.0.0.1:{port} ...", flush=True)
    log_path = directory / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                *("-m", SERVER_MODULE, "--port", str(port), "--home", str(directory)),
                *(f"--parameter={name}={value}" for name, value in (parameters or {}).items()),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            env={**os.environ, **LOCAL_AWS_ENVIRONMENT},
            start_new_session=True,
        )
    info = _wait_until_ready(process, directory, log_path)
    env_path = directory / "env.json"
    write_json(env_path, sam_env_vars(local_template(info.parameters), info.port))
    print(
        f"Local cloud running at {info.endpoint} (pid {info.pid}), provisioned from template.yaml\n"
        f"  use it:        export AWS_ENDPOINT_URL={info.endpoint}   (tailor run/invoke/outbox"
        " find it by themselves)\n"
        f"  with Docker:   sam local invoke FUNCTION_ID -e EVENT.json --env-vars {env_path}\n"
        f"                 (env.json points functions at http://{DOCKER_HOST}:{info.port}; on"
        f" Linux also pass --docker-network host --add-host {DOCKER_HOST}:127.0.0.1)\n"
        f"  stop it:       tailor local stop"
    )
    return info


def _wait_until_ready(process: subprocess.Popen[bytes], directory: Path, log: Path) -> ServerInfo:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        info = ServerInfo.read(directory)
        if info is not None and info.pid == process.pid:
            return info
        if process.poll() is not None:
            last = _last_line(log) or f"exit status {process.returncode}"
            raise LocalError(f"the local cloud did not start: {last} (see {log})")
        time.sleep(0.1)
    _terminate(process.pid)
    raise LocalError(
        f"the local cloud did not become ready in {START_TIMEOUT_SECONDS}s (see {log}); "
        "it was stopped"
    )


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text().splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def stop(directory: Path | None = None) -> bool:
    """Stop the local cloud; False when none was running."""
    directory = directory or home()
    info = ServerInfo.read(directory)
    if info is None:
        print("No local cloud is running.")
        return False
    if not is_server_process(info.pid):
        (directory / "cloud.json").unlink(missing_ok=True)
        print(f"No local cloud is running (removed the stale record of pid {info.pid}).")
        return False
    _terminate(info.pid)
    (directory / "cloud.json").unlink(missing_ok=True)
    print(f"Stopped the local cloud at {info.endpoint} (pid {info.pid}).")
    return True


def _terminate(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_server_process(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        _reap(pid)
        if not is_server_process(pid):
            return
        time.sleep(0.05)
    raise LocalError(f"the local cloud (pid {pid}) would not stop; end it with `kill -9 {pid}`")


def _reap(pid: int) -> None:
    """Collect the exit status when the server is our own child (it is in tests)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def status(directory: Path | None = None) -> ServerInfo | None:
    directory = directory or home()
    info = running_server(directory)
    if info is None:
        print("No local cloud is running; start one with `tailor local start`.")
        return None
    state = State.load(directory / "state.json")
    sent = directory / "sent.jsonl"
    emails = len(sent.read_text().splitlines()) if sent.exists() else 0
    clock = Clock(state)
    print(
        f"Local cloud running at {info.endpoint} (pid {info.pid}, since {info.started_at})\n"
        f"  local time {clock.now():%Y-%m-%d %H:%M} UTC "
        f"(real time + {format_duration(clock.offset)}); {emails} email(s) sent by tailor"
    )
    return info


def sam_env_vars(template: Template, port: int) -> dict[str, Any]:
    """`sam local invoke --env-vars` content: each function's environment, pointed at us.

    SAM only overrides variables the template declares, so AWS_ENDPOINT_URL reaches a
    function only if template.yaml declares it (an empty value is ignored by botocore).
    """
    endpoint = f"http://{DOCKER_HOST}:{port}"
    found: dict[str, Any] = {"Parameters": {"AWS_ENDPOINT_URL": endpoint}}
    for function_id, function in template.functions().items():
        found[function_id] = {**function.environment, "AWS_ENDPOINT_URL": endpoint}
    return found
