"""The background process behind `tailor local start`: moto in server mode, provisioned.

Run as `python -m tailor_local.server --port N --home DIR`. It binds 127.0.0.1:N, creates
every resource template.yaml declares, then records itself in DIR/cloud.json, which is the
signal `tailor local start` waits for. SIGTERM (from `tailor local stop`) shuts it down and
removes the record.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from tailor_local import moto_fixes
from tailor_local.cloud import ServerInfo, aws_environment
from tailor_local.provision import provision
from tailor_local.template import local_template


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tailor_local.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    parameters = dict(item.split("=", 1) for item in args.parameter)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    moto_fixes.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = DomainDispatcherApplication(create_backend_app)
    try:
        server = make_server(
            "127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler
        )
    except (OSError, SystemExit) as error:
        print(f"cannot listen on 127.0.0.1:{args.port}: {error}", file=sys.stderr, flush=True)
        return 1
    port = int(server.server_port)
    endpoint = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    with aws_environment(endpoint):
        provision(local_template(parameters), endpoint)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    info = ServerInfo(os.getpid(), port, endpoint, started, parameters)
    info.write(args.home)
    print(f"local cloud ready at {endpoint} (pid {info.pid})", flush=True)

    stopping.wait()
    server.shutdown()
    thread.join(timeout=5)
    record = args.home / "cloud.json"
    if ServerInfo.read(args.home) == info:
        record.unlink(missing_ok=True)
    print("local cloud stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
