"""CLI commands for sharing: targets, sync status, sync now."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TypedDict

from app.cli_support import CliError
from app.config import load_config, remove_target, save_target
from app.instance_client import InstanceError, Message, send_command
from app.paths import Paths
from app.targets import validate_target
from sync.connector import Target

SYNC_WAIT_S = 600.0


class TargetRow(TypedDict):
    """One target in `inflow target list --json`."""

    name: str
    kind: str
    settings: dict[str, str]
    main: bool
    paused: str | None
    managed: bool


class RetryingRow(TypedDict):
    """A delivery waiting for another attempt, in `inflow sync status --json`."""

    id: int
    action: str
    attempts: int
    last_error: str | None
    next_attempt_at: str


class TargetStatus(TypedDict):
    """One target in `inflow sync status --json`: deliveries per state, a pause, what is retrying."""

    states: dict[str, int]
    paused: str | None
    retrying: list[RetryingRow]


def _parse_sets(pairs: list[str]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--set takes key=value, not '{pair}'")
        settings[key.strip()] = value.strip()
    return settings


def target_add(args: argparse.Namespace, paths: Paths) -> int:
    from app.sync_setup import credentials
    from sync.credentials import CredentialsError

    settings = _parse_sets(args.set)
    config = load_config(paths)
    permit = config.get_bool("permit_insecure_http")
    problems = validate_target(args.name, args.kind, settings, permit_insecure_http=permit)
    if problems:
        raise CliError("; ".join(problems))
    from app.policy.rules import add_refusal

    refusal = add_refusal(config, Target(args.name, args.kind, settings), replacing=args.replace)
    if refusal:  # the organisation's policy (user_targets, allowed kinds and hosts, provisioned names)
        raise CliError(refusal)
    if config.target(args.name) is not None and not args.replace:
        raise CliError(f"a target named '{args.name}' exists already (use --replace to change it)")
    secret = _read_secret(args)
    problems = validate_target(args.name, args.kind, settings, secret=secret, permit_insecure_http=permit)
    if problems:  # a webhook kind's secret is its URL: plain http:// to another computer is refused too
        raise CliError("; ".join(problems))
    save_target(paths, Target(args.name, args.kind, settings))
    if secret:
        try:
            credentials(paths).set(args.name, secret)
        except CredentialsError as exc:
            raise CliError(f"target '{args.name}' saved, but its secret was not: {exc}") from exc
    _notify_instance(paths, {"cmd": "targets-changed"})
    print(f"Added target '{args.name}' ({args.kind}).", file=sys.stderr)
    return 0


def _read_secret(args: argparse.Namespace) -> str:
    if args.token_stdin:
        return sys.stdin.read().strip()
    if sys.stdin.isatty():
        return getpass.getpass("Secret (leave empty to skip): ").strip()
    return ""


def target_list(args: argparse.Namespace, paths: Paths) -> int:
    config = load_config(paths)
    paused = _paused(paths)
    main = config.main_target()
    rows: list[TargetRow] = [
        {"name": t.name, "kind": t.kind, "settings": dict(t.settings), "main": main is not None and t.name == main.name,
         "paused": paused.get(t.name), "managed": t.name in config.managed_targets}
        for t in config.targets
    ]  # fmt: skip
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print("No targets yet. Add one with: inflow target add KIND --name NAME --set url=...", file=sys.stderr)
    for row in rows:
        details = ", ".join(f"{k}={v}" for k, v in row["settings"].items())
        flags = (" (main)" if row["main"] else "") + (f" [paused: {row['paused']}]" if row["paused"] else "")
        flags += " (managed by your organization)" if row["managed"] else ""
        print(f"{row['name']}  {row['kind']}  {details}{flags}")
    return 0


def _paused(paths: Paths) -> dict[str, str]:
    if not paths.database.exists():
        return {}
    from storage.db import StorageError, open_database
    from storage.outbox import paused_targets

    try:
        return paused_targets(open_database(paths.database))
    except StorageError:
        return {}


def target_test(args: argparse.Namespace, paths: Paths) -> int:
    from app.sync_setup import credentials, make_connector, target_session
    from sync.credentials import CredentialsError
    from sync.errors import SyncError

    config = load_config(paths)
    target = config.target(args.name)
    if target is None:
        raise CliError(f"no target named '{args.name}' (see: inflow target list)")
    from app.policy.provisioning import hand_over_tokens

    hand_over_tokens(config, credentials(paths))  # a provisioned target's one-time token file
    try:
        secret = credentials(paths).get(target.name)
    except CredentialsError as exc:
        raise CliError(str(exc)) from exc
    session = target_session(config, target, secret)
    try:
        print(make_connector(target, secret, session).test())
    except SyncError as exc:
        raise CliError(f"{target.name}: {exc.message}") from exc
    finally:
        session.close()
    return 0


def target_signin(args: argparse.Namespace, paths: Paths) -> int:
    """Device-code sign-in (teams-graph): show the code, wait, keep the result as the target's secret."""
    from app.sync_setup import credentials, device_sign_in, session_factory
    from sync.credentials import CredentialsError
    from sync.errors import SyncError

    target = load_config(paths).target(args.name)
    if target is None:
        raise CliError(f"no target named '{args.name}' (see: inflow target list)")
    start = device_sign_in(target.kind)
    if start is None:
        raise CliError(
            f"'{target.name}' ({target.kind}) has no web sign-in: give its secret with "
            f"inflow target add {target.kind} --name {target.name} --replace --token-stdin"
        )
    session = session_factory()
    try:
        sign_in = start(target, session)
        print(sign_in.message, file=sys.stderr, flush=True)
        secret = sign_in.wait()
    except SyncError as exc:
        raise CliError(f"{target.name}: {exc.message}") from exc
    finally:
        session.close()
    try:
        credentials(paths).set(target.name, secret)
    except CredentialsError as exc:
        raise CliError(f"signed in as {sign_in.account}, but the sign-in could not be kept: {exc}") from exc
    if paths.database.exists():
        from storage.db import open_database
        from storage.outbox import resume_target

        resume_target(open_database(paths.database), target.name)
    _notify_instance(paths, {"cmd": "targets-changed"})
    print(f"Signed in as {sign_in.account}; '{target.name}' can share now.")
    return 0


def target_remove(args: argparse.Namespace, paths: Paths) -> int:
    from app.policy.rules import change_refusal
    from app.sync_setup import credentials
    from sync.credentials import CredentialsError

    refusal = change_refusal(load_config(paths), args.name, "removed")
    if refusal:  # provisioned by the organisation, or user_targets = false
        raise CliError(refusal)
    if not remove_target(paths, args.name):
        raise CliError(f"no target named '{args.name}'")
    try:
        credentials(paths).delete(args.name)
    except CredentialsError:
        pass  # nothing could have been stored there either
    if paths.database.exists():
        from storage.db import open_database
        from storage.outbox import forget_target

        forget_target(open_database(paths.database), args.name)
    _notify_instance(paths, {"cmd": "targets-changed"})
    print(f"Removed target '{args.name}'; what it had queued was cancelled.", file=sys.stderr)
    return 0


def target_main(args: argparse.Namespace, paths: Paths) -> int:
    from app.config import save_settings
    from app.policy.rules import PolicyRefusedError
    from app.targets import main_target_refusal

    target = load_config(paths).target(args.name)
    if target is None:
        raise CliError(f"no target named '{args.name}'")
    refusal = main_target_refusal(target)
    if refusal:
        raise CliError(refusal)
    try:
        save_settings(paths, {"main_target": args.name})
    except PolicyRefusedError as exc:
        raise CliError(str(exc)) from exc
    _notify_instance(paths, {"cmd": "targets-changed"})
    print(f"Tips and questions are now shared with '{args.name}' by default.", file=sys.stderr)
    return 0


STATUS_RETRYING_SHOWN = 5


def sync_status(args: argparse.Namespace, paths: Paths) -> int:
    """Per target: deliveries per state (`retrying`: failed before, tried again later), and each
    retrying one with its last error and the time of its next attempt."""
    from datetime import UTC, datetime

    from app.commands import describe_delivery
    from storage.db import open_database
    from storage.models import Delivery
    from storage.outbox_status import outbox_summary, retrying_deliveries

    config = load_config(paths)
    db = open_database(paths.database) if paths.database.exists() else None
    summary = outbox_summary(db) if db is not None else {}
    retrying: dict[str, list[Delivery]] = {}
    for delivery in retrying_deliveries(db) if db is not None else []:
        retrying.setdefault(delivery.target, []).append(delivery)
    paused = _paused(paths)
    names = [t.name for t in config.targets] + [n for n in summary if config.target(n) is None]
    report: dict[str, TargetStatus] = {
        n: {"states": summary.get(n, {}), "paused": paused.get(n), "retrying": [
            {"id": d.id, "action": d.action, "attempts": d.attempts, "last_error": d.last_error,
             "next_attempt_at": datetime.fromtimestamp(d.next_attempt_at, UTC).isoformat().replace("+00:00", "Z")}
            for d in retrying.get(n, [])
        ]}
        for n in names
    }  # fmt: skip
    if args.json:
        print(json.dumps(report))
        return 0
    if not report:
        print("No targets and nothing queued.", file=sys.stderr)
    for name, info in report.items():
        states = ", ".join(f"{count} {state}" for state, count in info["states"].items()) or "nothing queued"
        note = f"  [paused: {info['paused']}]" if info["paused"] else ""
        print(f"{name}: {states}{note}")
        waiting = retrying.get(name, [])
        for delivery in waiting[:STATUS_RETRYING_SHOWN]:
            print(f"  {delivery.action}: {describe_delivery(delivery)}")
        if len(waiting) > STATUS_RETRYING_SHOWN:
            print(f"  ... and {len(waiting) - STATUS_RETRYING_SHOWN} more retrying (all of them: --json)")
    return 0


def sync_now(args: argparse.Namespace, paths: Paths) -> int:
    """A full pass (push, replies, feed) in the running app, or here when none runs."""
    try:
        reply = send_command(paths.socket_path, {"cmd": "sync-now"}, timeout=SYNC_WAIT_S)
    except InstanceError as exc:
        raise CliError(str(exc)) from exc
    if reply is None:
        summary = _sync_in_process(paths)
    elif reply.get("ok"):
        summary = str(reply.get("summary", ""))
    else:
        raise CliError(str(reply.get("error", "the running Inflow could not sync")))
    print(summary)
    return 0


def _sync_in_process(paths: Paths) -> str:
    from app.sync_setup import make_engine
    from storage.db import StorageError, open_database

    config = load_config(paths)
    try:
        db = open_database(paths.database)
    except StorageError as exc:
        raise CliError(str(exc)) from exc
    from app.sync_setup import make_snapshot_runner

    engine = make_engine(paths, config, db)
    snapshots = make_snapshot_runner(config, db)
    try:
        engine.reconcile()
        report = engine.run_pass(pull_now=True)
        snapshots.reconcile()
        copies = snapshots.run_pass()
        report.snapshots_saved, report.snapshots_failed = copies.saved, copies.failed
        return report.summary()
    finally:
        engine.close()
        snapshots.close()


def _notify_instance(paths: Paths, message: Message) -> None:
    try:
        send_command(paths.socket_path, message, timeout=5.0)
    except InstanceError:
        pass  # it reloads its config at the next start anyway
