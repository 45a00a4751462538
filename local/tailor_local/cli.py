"""`tailor`: the whole bundle on one machine, without Docker.

tailor local start [--port N] | stop | status   a local AWS holding template.yaml's resources
tailor run EVENT_FILE... [--outbox DIR]         deliver events, drain, write what was sent
tailor invoke FUNCTION_ID [-e EVENT.json]       one handler, like `sam local invoke`
tailor outbox [--json] [--dir DIR]              what the running local cloud has sent
tailor clock advance DURATION                   move time on; fire due schedules
tailor serve [--port N]                         the function URLs over local HTTP
tailor demo                                     the seed story, as a gallery of emails
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from tailor.copy import SUPPORTED

from tailor_local.state import LocalError
from tailor_local.template import REPO_ROOT, TemplateError

DEFAULT_LOCAL_PORT = 4566
DEFAULT_SERVE_PORT = 3000


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "command"):
        parser.print_help()
        return 2
    try:
        return int(args.command(args))
    except (LocalError, TemplateError) as error:
        print(f"tailor: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `tailor outbox --json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tailor",
        description="Run, invoke, replay and demo the Tailor bundle on a local cloud (no Docker).",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    local = commands.add_parser("local", help="start, stop or check the local cloud")
    actions = local.add_subparsers(title="actions", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start a local cloud in the background")
    start.add_argument("--port", type=int, default=DEFAULT_LOCAL_PORT, help="default 4566")
    _parameter_option(start)
    start.set_defaults(command=_local_start)
    actions.add_parser("stop", help="stop the local cloud").set_defaults(command=_local_stop)
    status = actions.add_parser("status", help="is it running? (exit 0 yes, 3 no)")
    status.set_defaults(command=_local_status)

    run = commands.add_parser("run", help="deliver event files and write what was sent")
    run.add_argument("files", nargs="+", type=Path, metavar="EVENT_FILE")
    run.add_argument(
        "--outbox", type=Path, default=Path("out/outbox"), metavar="DIR", help="default out/outbox"
    )
    run.add_argument(
        "--ephemeral", action="store_true", help="use a fresh in-process cloud even if one runs"
    )
    _parameter_option(run)
    run.set_defaults(command=_run)

    invoke = commands.add_parser("invoke", help="invoke one function with an event")
    invoke.add_argument("function_id", metavar="FUNCTION_ID")
    invoke.add_argument(
        "-e", "--event", type=Path, metavar="EVENT.json", help="the event file ('-' for stdin)"
    )
    _parameter_option(invoke)
    invoke.set_defaults(command=_invoke)

    outbox = commands.add_parser("outbox", help="what the running local cloud has sent")
    outbox.add_argument("--json", action="store_true", help="print index entries as JSON")
    outbox.add_argument("--dir", type=Path, metavar="DIR", help="also write the emails there")
    outbox.set_defaults(command=_outbox)

    report = commands.add_parser("report", help="what each email sent and earned")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.set_defaults(command=_report)

    clock = commands.add_parser("clock", help="the local cloud's clock")
    clock.set_defaults(command=_clock_show)
    clock_actions = clock.add_subparsers(title="actions", metavar="ACTION")
    advance = clock_actions.add_parser("advance", help="move time on, firing due schedules")
    advance.add_argument("duration", metavar="DURATION", help="e.g. 15m, 36h, 270d")
    advance.set_defaults(command=_clock_advance)

    serve = commands.add_parser("serve", help="serve the function URLs over local HTTP")
    serve.add_argument("--port", type=int, default=DEFAULT_SERVE_PORT, help="default 3000")
    _parameter_option(serve)
    serve.set_defaults(command=_serve)

    demo = commands.add_parser("demo", help="play the seed story and write a gallery")
    demo.add_argument(
        "--out", type=Path, default=REPO_ROOT / "out" / "demo", metavar="DIR", help="out/demo"
    )
    demo.add_argument(
        "--ephemeral", action="store_true", help="use a fresh in-process cloud even if one runs"
    )
    demo.add_argument(
        "--story", type=Path, metavar="FILE", help="a story of your own (events/demo/story.json)"
    )
    demo.add_argument(
        "--languages",
        default=",".join(SUPPORTED),
        metavar="LANGS",
        help="also tell the story in each of these languages, a gallery page each "
        f"(default {','.join(SUPPORTED)}; empty for none)",
    )
    demo.set_defaults(command=_demo)
    return parser


def _parameter_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--parameter",
        action="append",
        default=[],
        type=_parameter,
        metavar="NAME=VALUE",
        help="a template parameter (repeatable); the local profile sets ReceivingDomain, "
        "SupportLeadAddress and SupportTimezone",
    )


def _parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE, e.g. ShopName=My Shop")
    return name, value


def _parameters(args: argparse.Namespace) -> dict[str, str]:
    return dict(getattr(args, "parameter", []) or [])


# ---------------------------------------------------------------------- local cloud
def _local_start(args: argparse.Namespace) -> int:
    from tailor_local import control

    control.start(args.port, _parameters(args))
    return 0


def _local_stop(args: argparse.Namespace) -> int:
    from tailor_local import control

    control.stop()
    return 0


def _local_status(args: argparse.Namespace) -> int:
    from tailor_local import control

    return 0 if control.status() else 3


# ---------------------------------------------------------------------- run / invoke
def _run(args: argparse.Namespace) -> int:
    from tailor_local import events, outbox
    from tailor_local.cloud import command_template, open_cloud
    from tailor_local.console import print_report
    from tailor_local.runner import Runner
    from tailor_local.schedules import Clock

    template = command_template(_parameters(args), ephemeral=args.ephemeral)
    with open_cloud(template, ephemeral=args.ephemeral) as cloud:
        clock = Clock(cloud.state)
        delivered = events.load_all(list(args.files), clock.now())
        before = {message.ses_message_id for message in cloud.sent_messages()}
        runner = Runner(template, cloud, clock)
        print(f"Delivering {len(delivered)} event(s) to {cloud.describe()}", flush=True)
        reports = []
        for number, item in enumerate(delivered, start=1):
            if item.mail is not None:
                report = runner.receive_mail(item.mail, item.origin)
            else:
                report = runner.deliver(item.event, item.bus, item.origin)
            print_report(report, number)
            reports.append(report)
        sent = outbox.emails(cloud, exclude=before)
        outbox.write(args.outbox, sent)
    logs = outbox.write_logs(args.outbox, reports)
    failed = sum(len(r.failures) for r in reports)
    unmatched = sum(len(r.unmatched) for r in reports)
    print(
        f"\n{len(sent)} email(s) written to {args.outbox}/ (index.json); "
        f"{failed} failure(s); {unmatched} event(s) matched no rule"
    )
    if failed:
        print(f"What the functions logged is in {logs}")
    return 1 if failed else 0


def _read_event(path: Path | None, now: datetime) -> Any:
    """The event as given (like `sam local invoke -e`), with {{now}} placeholders filled in."""
    from tailor_local.events import parse

    if path is None:
        return {}
    if str(path) == "-":
        return parse(sys.stdin.buffer.read(), "standard input", now)
    if not path.is_file():
        raise LocalError(f"{path}: no such file; pass -e with the path of a JSON event")
    return parse(path.read_bytes(), str(path), now)


def _invoke(args: argparse.Namespace) -> int:
    from tailor_local.cloud import command_template, open_cloud
    from tailor_local.runner import Runner

    template = command_template(_parameters(args))
    function = template.function(args.function_id)
    with open_cloud(template) as cloud:
        runner = Runner(template, cloud)
        event = _read_event(args.event, runner.clock.now())
        report = runner.invoke_once(function, event, str(args.event or ""))
    invocation = report.invocations[0]
    for send in invocation.sends:
        print(
            f"sent {send.email_type or 'email'} to {', '.join(send.recipients)} "
            f"(SES message {send.ses_message_id})",
            file=sys.stderr,
        )
    if invocation.outcome.ok:
        print(json.dumps(invocation.outcome.result, indent=2, default=str))
        return 0
    print(json.dumps(invocation.outcome.error_payload(), indent=2))
    print(f"tailor: {args.function_id} failed: {invocation.outcome.reason}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------------- outbox / clock
def _require_running() -> Any:
    from tailor_local.cloud import configured_endpoint, running_server

    if configured_endpoint() is None and running_server() is None:
        raise LocalError(
            "no local cloud is running: start one with `tailor local start` "
            "(an ephemeral `tailor run` writes its emails with --outbox instead)"
        )


def _outbox(args: argparse.Namespace) -> int:
    from tailor_local import outbox
    from tailor_local.cloud import command_template, open_cloud
    from tailor_local.console import table

    _require_running()
    with open_cloud(command_template()) as cloud:
        found = outbox.emails(cloud)
        if args.dir:
            outbox.write(args.dir, found)
    entries = [outbox.describe(item) for item in found]
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print(f"Nothing sent yet by {cloud.describe()}.")
        return 0
    rows = [
        [str(n), e["email_type"], e["recipient"], e["function"], e["subject"]]
        for n, e in enumerate(entries, start=1)
    ]
    print(table(rows, ["#", "type", "to", "function", "subject"]))
    if args.dir:
        print(f"\nWritten to {args.dir}/ (index.json)")
    return 0


def _clock_show(args: argparse.Namespace) -> int:
    from tailor_local.cloud import command_template, open_cloud
    from tailor_local.schedules import Clock, format_duration

    _require_running()
    with open_cloud(command_template()) as cloud:
        clock = Clock(cloud.state)
        print(
            f"local time {clock.now():%Y-%m-%d %H:%M:%S} UTC "
            f"(real time + {format_duration(clock.offset)})"
        )
    return 0


def _clock_advance(args: argparse.Namespace) -> int:
    from tailor_local.cloud import command_template, open_cloud
    from tailor_local.console import print_report
    from tailor_local.runner import Runner
    from tailor_local.schedules import Clock, Scheduler, format_duration, parse_duration

    delta = parse_duration(args.duration)
    _require_running()
    template = command_template()
    with open_cloud(template) as cloud:
        clock = Clock(cloud.state)
        scheduler = Scheduler(Runner(template, cloud, clock))
        reports = scheduler.advance(delta)
        for number, report in enumerate(reports, start=1):
            print_report(report, number)
        for skipped in sorted(scheduler.skipped):
            print(f"note: schedule {skipped} is not fired locally (only at() and rate())")
        for note in scheduler.notes:
            print(f"note: {note}")
        print(
            f"Local time is now {clock.now():%Y-%m-%d %H:%M} UTC "
            f"(real time + {format_duration(clock.offset)}); {len(reports)} schedule(s) fired"
        )
    return 1 if any(r.failures for r in reports) else 0


# ---------------------------------------------------------------------- serve
def _serve(args: argparse.Namespace) -> int:
    from tailor_local import serve

    serve.main(args.port, _parameters(args))
    return 0


def _report(args: argparse.Namespace) -> int:
    from tailor_local import results
    from tailor_local.cloud import command_template, open_cloud

    _require_running()
    template = command_template()
    with open_cloud(template) as _:
        found = results.collect(template)
    print(json.dumps(found, indent=2) if args.json else results.text(found))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from tailor_local import demo

    languages = tuple(filter(None, (part.strip() for part in args.languages.split(","))))
    return demo.main(
        args.out, args.story or demo.STORY, ephemeral=args.ephemeral, languages=languages
    )


if __name__ == "__main__":
    sys.exit(main())
