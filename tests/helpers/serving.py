"""`tailor serve` in a thread on a free port, over an ephemeral local cloud."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tailor_local.cloud import open_cloud
from tailor_local.runner import Runner
from tailor_local.serve import FunctionUrls, make_server, url_template


@contextmanager
def serving(
    prepare: Callable[[Runner], object] = lambda runner: None,
) -> Iterator[tuple[Runner, int]]:
    """The runner and port of a served local cloud, after `prepare` has played into it."""
    with socket.socket() as probe:  # a free port: tests may run side by side (xdist)
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    template = url_template(port)
    with open_cloud(template, ephemeral=True) as cloud:
        runner = Runner(template, cloud)
        prepare(runner)
        server = make_server(FunctionUrls(template, cloud, port), port)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield runner, port
        finally:
            server.shutdown()
            server.server_close()
