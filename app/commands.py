"""The CLI commands that work on the library (no Qt unless a command needs the GUI)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from app.cli_support import CliError, UsageError, open_library
from app.instance_client import InstanceError, send_command
from app.paths import Paths, launch_command
from app.terminal import json_text
from storage.models import Delivery, Draft

START_WAIT_S = 15.0
MIN_PREFIX = 4
"""The shortest id prefix `inflow show` accepts (storage.moments.get_moment's rule)."""


def _read_text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return str(args.text)
    if not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        return data.decode("utf-8", errors="replace")
    return ""


def _capture_kind(args: argparse.Namespace, default_kind: str) -> str:
    """The kind asked for; else a resource for a link or a file, else the default kind. A --url that is no
    link at all is a usage error."""
    from app.context_urls import not_a_link

    problem = not_a_link(args.url) if args.url else None
    if problem:
        raise UsageError(f"--url: {problem}. Nothing was saved.")
    return str(args.kind or ("resource" if args.file or (args.url or "").strip() else default_kind))


def capture(args: argparse.Namespace, paths: Paths) -> int:
    from app.config import load_config
    from storage.models import Draft, DraftError, Kind, TextTooLongError, validate_draft

    config = load_config(paths)
    kind = _capture_kind(args, config.get_str("default_kind"))
    unknown = [name for name in args.share if config.target(name) is None]
    if unknown:
        raise CliError(f"no target named {', '.join(unknown)} (see: inflow target list)")
    draft = Draft(
        kind=Kind(kind),
        title=args.title or (Path(args.file).name if args.file else ""),
        body=_read_text(args),
        url=args.url,
        tags=tuple(args.tag),
        source_app="inflow (command line)",
        share_to=tuple(args.share),
    )
    try:
        draft = validate_draft(draft)
    except TextTooLongError as exc:
        raise CliError(
            f"{exc} Nothing was saved; to keep all of it, write it to a file and use: inflow capture --file PATH"
        ) from exc
    except DraftError as exc:
        raise CliError(str(exc)) from exc
    if draft.share_to and not args.allow_secrets:
        from app.secret_scan import scan_moment

        file_name = Path(args.file).name if args.file else ""
        findings = scan_moment(draft.title, draft.body, draft.url or "", tuple(args.tag), file_name)  # tags as typed
        if findings:
            found = ", ".join(f.describe() for f in findings)
            raise CliError(
                f"not shared: this looks like it contains a secret ({found}). Remove it, "
                "capture with --private, or pass --allow-secrets to share anyway."
            )
    from storage.interchange.json_format import moment_to_dict

    moment_data: dict[str, object] | None
    if args.file:
        from app.commands_library import capture_file

        moment_data = capture_file(paths, draft, args.file, track_targets=config.tracking_targets("captured"))
    else:
        moment_data = _capture_via_instance(paths, draft)
    if moment_data is None:
        from storage.db import StorageError, disk_full_note
        from storage.moments import add_moment

        db = open_library(paths)
        try:
            moment = add_moment(
                db, draft, track_targets=config.tracking_targets("captured"),
                snapshot=config.get_bool("snapshots_enabled"),
            )  # fmt: skip
            moment_data = moment_to_dict(moment)
        except (StorageError, OSError) as exc:
            raise CliError(f"could not save: {exc}") from exc
        except Exception as exc:
            if type(exc).__module__ == "sqlite3":
                note = disk_full_note(paths.data_dir)
                raise CliError(f"could not save to {paths.database}: {exc}{note}") from exc
            raise
    if args.json:
        print(json_text(moment_data))
    else:
        print(moment_data["id"])
    return 0


def _capture_via_instance(paths: Paths, draft: Draft) -> dict[str, object] | None:
    from dataclasses import asdict

    payload = asdict(draft)
    payload["kind"] = draft.kind.value
    try:
        reply = send_command(paths.socket_path, {"cmd": "capture", "draft": payload})
    except InstanceError as exc:
        raise CliError(str(exc)) from exc
    if reply is None:
        return None
    if not reply.get("ok"):
        raise CliError(str(reply.get("error", "the running Inflow could not save the moment")))
    moment = reply.get("moment")
    if not isinstance(moment, dict):
        raise CliError("the running Inflow sent an unexpected answer")
    return moment


def search(args: argparse.Namespace, paths: Paths) -> int:
    from storage.interchange.json_format import moment_to_dict
    from storage.models import Kind, MomentQuery
    from storage.moments import moments_by_rowid
    from storage.search import search as run_search

    if not args.query.strip():
        raise UsageError("search needs a QUERY: one word or more")
    if args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    db = open_library(paths)
    query = MomentQuery(text=args.query, kind=Kind(args.kind) if args.kind else None, tag=args.tag)
    result = run_search(db, query, limit=args.limit)
    moments = moments_by_rowid(db, result.rowids)
    if args.json:
        print(json_text([moment_to_dict(m) for m in moments]))
        return 0
    for moment in moments:
        tags = " ".join(f"#{t}" for t in moment.tags)
        print(f"{moment.id}  {moment.kind.value:<8}  {moment.display_title}  {tags}".rstrip())
    if not moments:
        print("No moments match.", file=sys.stderr)
    return 0


def show(args: argparse.Namespace, paths: Paths) -> int:
    from dataclasses import asdict

    from storage.interchange.json_format import file_to_dict, moment_to_dict, snapshot_to_dict
    from storage.interchange.markdown_format import moment_to_markdown
    from storage.moments import get_moment
    from storage.outbox_status import deliveries_for
    from storage.pull import replies_for

    db = open_library(paths)
    try:
        moment = get_moment(db, args.id)
    except KeyError:
        if len(args.id.strip()) < MIN_PREFIX:
            raise UsageError(f"{args.id!r} is too short: an id prefix needs at least {MIN_PREFIX} characters") from None
        raise CliError(f"no moment with id {args.id}") from None
    deliveries = deliveries_for(db, moment.rowid)
    replies = replies_for(db, moment.rowid)
    if args.json:
        data = moment_to_dict(moment)
        data["deliveries"] = [{**asdict(d), "state": d.state.value} for d in deliveries]
        data["replies"] = [asdict(r) for r in replies]
        data["snapshot"] = snapshot_to_dict(db, moment.rowid, full=False)
        data["file"] = file_to_dict(db, moment.rowid, full=False)
        print(json_text(data))
        return 0
    print(moment_to_markdown(moment), end="")
    if deliveries:
        print("\nShared:")
        for d in deliveries:
            print(f"  {d.target} ({d.action}): {describe_delivery(d)}")
    if replies:
        print(f"\nAnswers ({len(replies)}):")
        for r in replies:
            print(f"  {r.author} at {r.created_at}:\n    " + r.body.replace("\n", "\n    "))
    return 0


def describe_delivery(delivery: Delivery) -> str:
    """One line: queued / sent <link> / retrying (attempt N, next try at T): error / failed / paused."""
    from datetime import datetime

    state = str(delivery.state.value)
    if state == "sent":
        return "sent" + (f" {delivery.remote_link}" if delivery.remote_link else "")
    if state == "pending" and delivery.attempts:
        when = datetime.fromtimestamp(delivery.next_attempt_at).strftime("%H:%M:%S")
        return f"retrying (attempt {delivery.attempts}, next try at {when}): {delivery.last_error}"
    if state == "pending":
        return "queued"
    if state == "dead":
        return f"failed: {delivery.last_error}"
    if state == "paused":
        return f"paused, sign in again: {delivery.last_error}"
    return state


def export(args: argparse.Namespace, paths: Paths) -> int:
    from storage.export import export_json, export_markdown

    db = open_library(paths)
    destination = Path(args.destination)
    try:
        if args.format == "json":
            count = export_json(db, destination)
        else:
            if destination.exists() and not destination.is_dir():
                raise CliError(f"{destination} is a file; markdown export needs a folder")
            count = export_markdown(db, destination)
    except OSError as exc:
        raise CliError(f"could not write {destination}: {exc.strerror or exc}") from exc
    print(f"Exported {count} moment{'s' if count != 1 else ''} to {destination}", file=sys.stderr)
    return 0


def doctor(args: argparse.Namespace, paths: Paths) -> int:
    from app.doctor import collect_report, format_report

    report = collect_report(paths)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def open_capture_window(paths: Paths, *, json_logging: bool) -> int:
    """Ask the running app for the capture window; start it (detached) when none runs."""
    try:
        reply = send_command(paths.socket_path, {"cmd": "capture-window"})
    except InstanceError as exc:
        raise CliError(str(exc)) from exc
    if reply is not None:
        return 0 if reply.get("ok") else 1
    _spawn_app(paths, ["--open-capture"], json_logging=json_logging)
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        try:
            if send_command(paths.socket_path, {"cmd": "ping"}, timeout=2.0) is not None:
                return 0
        except InstanceError:
            pass
        time.sleep(0.05)
    raise CliError("Inflow did not start; see the log in " + str(paths.log_dir))


def _spawn_app(paths: Paths, extra: list[str], *, json_logging: bool) -> None:
    command = launch_command(paths)
    if json_logging:
        command.append("--json-logging")
    subprocess.Popen(
        [*command, *extra],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ.copy(),
    )


def start_app(paths: Paths, *, json_logging: bool, open_capture: bool = False) -> int:
    """Run the tray app, or hand over to the running one (it opens the library)."""
    from app.gui import start_or_hand_over

    return start_or_hand_over(paths, json_logging=json_logging, open_capture=open_capture)
