"""Sharing in the running app: the sync thread, targets in Settings, the secret check before a share,
answers in the tray, and delivery actions from the library.

Network and keyring calls never run on the GUI thread (app.background, app.sync_worker).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QNetworkInformation

from app.background import Background
from app.config import Config, load_config, remove_target, save_settings, save_target
from app.paths import Paths
from app.sync_worker import SyncWorker
from app.targets import validate_target
from app.writer import StorageWriter, WriteOp
from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import Draft
from storage.outbox import paused_targets
from storage.outbox_status import needs_attention
from storage.pull import mark_answered
from sync.connector import Target
from sync.engine import PassReport
from sync.registry import connector_for, is_public, kinds
from ui.ports import SharingDefaults, TargetInfo, TargetKeyInfo, TargetKindInfo

if TYPE_CHECKING:
    from sqlite_utils import Database

    from app.instance_server import Reply
    from app.sync_setup import DeviceSignIn
    from sync.engine import SyncEngine
    from sync.snapshots.runner import SnapshotRunner
    from ui.tray import Tray

log = logging.getLogger(__name__)
FIRST_PASS_DELAY_MS = 1500


class Sharing(QObject):
    """Owns the sync worker and everything about targets.

    Signals:
        answers_arrived(str, str, int): new answers to a question (moment id, title, count).
        synced(): a sync pass finished (the library may show new states or team items).
        online_changed(bool): whether the network is reachable changed (the library says when not).
    """

    answers_arrived = Signal(str, str, int)
    synced = Signal()
    online_changed = Signal(bool)
    _clicked = Signal(int)

    def __init__(self, paths: Paths, config: Config, writer: StorageWriter, read_db: Database, tray: Tray) -> None:
        super().__init__()
        self._paths = paths
        self._config = config
        self._writer = writer
        self._read_db = read_db
        self._tray = tray
        self._background = Background(self)
        self._worker: SyncWorker | None = None
        self._network: QNetworkInformation | None = None
        self._online = True

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Create the sync thread; its first pass (which reconciles what a crash left inflight) runs
        once start-up is over, so that the tray is ready first."""
        self._worker = SyncWorker(
            self._make_engine, self, make_snapshots=self._make_snapshots, has_work=self._has_work,
            open_db=lambda: open_database(self._paths.database),
        )  # fmt: skip
        self._worker.pass_finished.connect(self._on_worker_pass_finished)
        QTimer.singleShot(FIRST_PASS_DELAY_MS, self._first_pass)
        self._update_attention()

    def _first_pass(self) -> None:
        self._watch_network()
        self.wake()

    def _has_work(self, db: Database) -> bool:
        """Runs on the sync thread: anything to send, poll, pull or fetch? (When not, the engine and the
        fetcher with their network libraries are not even loaded.)"""
        from storage.outbox import next_due_at
        from storage.snapshots import next_snapshot_due

        return bool(self._config.targets) or next_due_at(db) is not None or next_snapshot_due(db) is not None

    def _make_engine(self) -> SyncEngine:
        """Runs on the sync thread: its own connection to the library."""
        from app.sync_setup import make_engine

        return make_engine(self._paths, self._config, open_database(self._paths.database))

    def _make_snapshots(self) -> SnapshotRunner:
        """Runs on the sync thread too: the offline-copy fetcher, with its own connection."""
        from app.sync_setup import make_snapshot_runner

        return make_snapshot_runner(self._config, open_database(self._paths.database))

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def wake(self) -> None:
        if self._worker is not None:
            self._worker.wake()

    def _watch_network(self) -> None:
        """Qt's reachability: no timers while offline, a pass as soon as the network is back."""
        network = QNetworkInformation.instance() if QNetworkInformation.loadDefaultBackend() else None
        if network is None:
            log.info("no network reachability backend: assuming online")
            return
        self._network = network
        network.reachabilityChanged.connect(self._on_network_reachability_changed)

    def online(self) -> bool:
        """Whether the network is reachable, as far as the desktop says (online when it cannot tell)."""
        return self._online

    def _on_network_reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        online = reachability in (
            QNetworkInformation.Reachability.Online,
            QNetworkInformation.Reachability.Site,
            QNetworkInformation.Reachability.Unknown,
        )
        if self._worker is not None:
            self._worker.set_online(online)
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)

    # ------------------------------------------------------------------ the capture window
    def target_infos(self) -> list[TargetInfo]:
        """The configured targets with their state, as `inflow sync status` reads it (paused, retrying)."""
        main = self._config.main_target()
        paused = paused_targets(self._read_db)
        failing = outbox_status.failing_targets(self._read_db)
        infos = []
        for t in self._config.targets:
            failure = failing.get(t.name)
            infos.append(TargetInfo(
                t.name, t.kind, dict(t.settings), is_main=main is not None and t.name == main.name,
                paused_reason=paused.get(t.name), managed=t.name in self._config.managed_targets,
                public=is_public(t.kind), failing_since=failure.since if failure else None,
                failing_reason=failure.error if failure else "", next_try_at=failure.next_try_at if failure else None,
            ))  # fmt: skip
        return infos

    def sharing_defaults(self) -> SharingDefaults:
        from app.policy.rules import share_fixed_by

        return SharingDefaults(self._config.sharing_defaults(), fixed_by=share_fixed_by(self._config))

    def secret_findings(self, draft: Draft, file_name: str = "") -> list[str]:
        """What the secret scanner found in a draft about to be shared (empty: fine or private):
        title, note, link, tags and the kept file's name."""
        if not draft.share_to:
            return []
        from app.secret_scan import scan_moment

        findings = scan_moment(draft.title, draft.body, draft.url or "", draft.tags, file_name)
        return [f.describe() for f in findings]

    def preload_scanner(self) -> None:
        """Load the scanner in the background so the first share does not wait ~0.3 s for it."""
        from app.secret_scan import prepare

        self._background.run(prepare, lambda _r, _e: None)

    # ------------------------------------------------------------------ library actions
    def retry_delivery(self, delivery_id: int) -> None:
        self._writer.change(lambda db: outbox.retry_now(db, delivery_id), "retry delivery")

    def cancel_delivery(self, delivery_id: int) -> None:
        self._writer.change(lambda db: outbox.cancel(db, delivery_id), "cancel delivery")

    def set_answered(self, moment_id: str, answered: bool) -> None:
        targets = self._config.tracking_targets("answered")
        self._writer.change(lambda db: mark_answered(db, moment_id, answered, targets), "answered")

    def moment_read(self, moment_id: str) -> None:
        """A moment was opened in the library: tracking targets that record reading get it once."""
        targets = self._config.tracking_targets("read")
        if targets:
            self._writer.submit(  # looking at a moment: nothing to show, failures only logged
                WriteOp(lambda db: outbox.track(db, moment_id, targets, "read"), success=lambda _n: self.wake(),
                        name="read")
            )  # fmt: skip

    # ------------------------------------------------------------------ settings: targets
    def target_kinds(self) -> list[TargetKindInfo]:
        """The kinds the Add form offers: every kind, or the ones allowed_target_kinds lists."""
        allowed = self._config.policy_value("allowed_target_kinds")
        infos = []
        for kind in kinds():
            if isinstance(allowed, tuple) and allowed and kind not in allowed:
                continue
            connector = connector_for(kind)
            keys = tuple(TargetKeyInfo(k.name, k.label, k.required, k.help) for k in connector.keys)
            infos.append(TargetKindInfo(kind, connector.label, keys, connector.secret_label,
                                        connector.can_retract, self.needs_device_sign_in(kind)))  # fmt: skip
        return infos

    def test_target(self, name: str, kind: str, settings: dict[str, str], secret: str,
                    done: Callable[[bool, str, str], None]) -> None:  # fmt: skip
        """A real authenticated call, off the GUI thread; an empty secret means the stored one.
        done(ok, message, problem): problem is the failure's sync.errors.ErrorKind, or "settings"."""
        problems = validate_target(name, kind, settings, secret=secret, permit_insecure_http=self._permit_http())
        if problems:
            done(False, "; ".join(problems), "settings")
            return
        target = Target(name, kind, settings)

        from app.sync_setup import credentials, make_connector, target_session

        def work() -> str:
            stored = secret or credentials(self._paths).get(name) or ""
            session = target_session(self._config, target, stored or None)
            try:
                return make_connector(target, stored or None, session).test()
            finally:
                session.close()

        def finished(result: str | None, error: BaseException | None) -> None:
            if error is None:
                done(True, str(result), "")
            else:
                done(False, _message(error), str(getattr(error, "kind", "")))

        self._background.run(work, finished)

    def add_target(self, name: str, kind: str, settings: dict[str, str], secret: str,
                   done: Callable[[str | None], None]) -> None:  # fmt: skip
        """Save the target (config) and its secret (keyring, off the GUI thread); done(None) or done(error)."""
        problems = validate_target(name, kind, settings, secret=secret, permit_insecure_http=self._permit_http())
        if problems:
            done("; ".join(problems))
            return

        from app.sync_setup import credentials

        def work() -> None:
            if secret:
                credentials(self._paths).set(name, secret)
            save_target(self._paths, Target(name, kind, settings))

        def finished(_result: object, error: BaseException | None) -> None:
            if error is None:
                self.reload_targets()
            done(None if error is None else _message(error))

        self._background.run(work, finished)

    def _permit_http(self) -> bool:
        return self._config.get_bool("permit_insecure_http")

    def needs_device_sign_in(self, kind: str) -> bool:
        """Kinds whose secret comes from an interactive sign-in (Microsoft device code), not typing."""
        from app.sync_setup import device_sign_in

        return device_sign_in(kind) is not None

    def device_sign_in(
        self,
        name: str,
        kind: str,
        settings: dict[str, str],
        show: Callable[[str], None],
        done: Callable[[str | None], None],
    ) -> None:
        """Start the sign-in off the GUI thread; `show` gets the instructions (open this page, enter
        this code); when the person has signed in, the target and its token cache are saved."""
        from app.sync_setup import credentials, device_sign_in, session_factory

        problems = validate_target(name, kind, settings, permit_insecure_http=self._permit_http())
        start = device_sign_in(kind)
        if problems or start is None:
            done("; ".join(problems) or f"{kind} targets have no web sign-in")
            return
        target = Target(name, kind, settings)

        def started(flow: DeviceSignIn | None, error: BaseException | None) -> None:
            if flow is None:  # it did not start: error says why
                done(_message(error) if error else "the sign-in did not start")
                return
            show(str(flow.message))

            def wait() -> None:
                credentials(self._paths).set(name, flow.wait())
                save_target(self._paths, target)

            def finished(_result: object, failure: BaseException | None) -> None:
                if failure is None:
                    self.reload_targets()
                    if self._worker is not None:
                        self._worker.resume(name)
                done(None if failure is None else _message(failure))

            self._background.run(wait, finished)

        self._background.run(lambda: start(target, session_factory()), started)

    def remove_target(self, name: str, done: Callable[[str | None], None]) -> None:
        from app.sync_setup import credentials

        def work() -> None:
            remove_target(self._paths, name)
            credentials(self._paths).delete(name)
            from storage.outbox import forget_target

            forget_target(open_database(self._paths.database), name)

        def finished(_result: object, error: BaseException | None) -> None:
            if self._worker is not None:
                self._worker.forget(name)
            self.reload_targets()
            done(None if error is None else _message(error))

        self._background.run(work, finished)

    def make_main(self, name: str) -> None:
        from app.policy.rules import PolicyRefusedError
        from app.targets import main_target_refusal

        target = self._config.target(name)
        refusal = main_target_refusal(target) if target is not None else ""
        if refusal:
            log.warning("main target: %s", refusal)  # the button is disabled for a public target
            return
        try:
            save_settings(self._paths, {"main_target": name})
        except PolicyRefusedError as exc:
            log.warning("main target: %s", exc)  # the button is disabled while the policy sets it
        self.reload_targets()

    def sign_in(self, name: str, secret: str, done: Callable[[str | None], None]) -> None:
        """A paused target gets a new secret; its deliveries resume."""

        def finished(_result: object, error: BaseException | None) -> None:
            if error is None and self._worker is not None:
                self._worker.resume(name)
            done(None if error is None else _message(error))

        from app.sync_setup import credentials

        self._background.run(lambda: credentials(self._paths).set(name, secret), finished)

    def settings_changed(self) -> None:
        """Offline-copy settings may have changed: the fetcher is rebuilt with them."""
        if self._worker is not None:
            self._worker.reset_snapshots()

    def reload_targets(self) -> None:
        """config.toml changed (Settings, `inflow target add`): targets and defaults are read again."""
        fresh = load_config(self._paths)
        self._config.targets = fresh.targets
        self._config.managed_targets, self._config.token_files = fresh.managed_targets, fresh.token_files
        self._config.values.update({k: v for k, v in fresh.values.items() if k.startswith(("share_", "main_"))})
        if self._worker is not None:
            for target in fresh.targets:
                self._worker.forget(target.name)

    # ------------------------------------------------------------------ other processes
    def sync_now(self, reply: Reply) -> None:
        if self._worker is None:
            reply({"ok": False, "error": "sync is not running"})
            return
        self._worker.sync_now(lambda report: reply({"ok": True, "summary": report.summary()}))

    # ------------------------------------------------------------------ results
    def _on_worker_pass_finished(self, report: PassReport) -> None:
        for news in report.answers:
            self.answers_arrived.emit(news.moment_id, news.title, news.count)
        for problem in report.problems:
            log.warning("sync: %s", problem)
        self._update_attention()
        self.synced.emit()

    def _update_attention(self) -> None:
        count = needs_attention(self._read_db)
        paused = paused_targets(self._read_db)
        tip = ", ".join(f"{name}: sign in again" for name in paused)
        self._tray.set_attention(count, tip)


def _message(error: BaseException) -> str:
    return str(getattr(error, "message", None) or error)
