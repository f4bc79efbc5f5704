"""The sync engine: drains the outbox, pulls replies to open questions and the team feed.

Synchronous, no Qt: `app.sync_worker` runs passes on a background thread. Every database step is
one short transaction (claim -> send with no transaction -> record), so a crash at any point loses
nothing: a claim is a lease (see storage.outbox); once it has expired, or its process has died, the
row goes back to pending and is resent with the SAME idempotency key (Matrix txnId, xAPI statement
id, webhook-id), so nothing is posted twice where the backend can prevent it. Several engines (the
app, `inflow sync now`) may share one database: a live lease is never taken over, and a target's
wait after a rate limit or an outage is stored, so every process honours it.

A little over 400 lines: push, pull and the connector cache share one engine's state and lease owner.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from storage import outbox, pull
from storage.models import Kind
from sync.connector import Connector, OutgoingMoment, RemoteReply, Target
from sync.errors import ErrorKind, NotSupportedError, SyncError, scrubbed
from sync.registry import connector_for

if TYPE_CHECKING:  # requests is imported where a session is made (sync.http), not at start-up
    import requests

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 3600.0
FEED_INTERVAL_S = 300.0
KINDS = {k.value for k in Kind}
DEFAULT_POLL_DAYS = 14
#: Failures that pause the whole target until the person acts (signs in again, or re-enables it).
_PAUSING = (ErrorKind.AUTH, ErrorKind.GONE)


@dataclass
class AnswerNews:
    """New replies to one of our questions (what the tray tells the person)."""

    moment_id: str
    title: str
    count: int


@dataclass
class PassReport:
    """What one pass did, and when the engine next has something to do (unix seconds)."""

    sent: int = 0
    retrying: int = 0
    dead: int = 0
    paused: list[str] = field(default_factory=list)
    answers: list[AnswerNews] = field(default_factory=list)
    feed: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    next_due: float | None = None
    snapshots_saved: int = 0
    snapshots_failed: int = 0

    def summary(self) -> str:
        parts = [f"{self.sent} sent", f"{self.retrying} retrying", f"{self.dead} failed"]
        if self.paused:
            parts.append("paused: " + ", ".join(self.paused))
        answers = sum(a.count for a in self.answers)
        parts.append(f"{answers} new answer{'s' if answers != 1 else ''}")
        parts.append(f"{sum(self.feed.values())} new from the team")
        if self.snapshots_saved or self.snapshots_failed:
            parts.append(f"{self.snapshots_saved} offline copies saved, {self.snapshots_failed} failed")
        return "; ".join(parts)


def backoff_delay(attempts: int, retry_after: float | None, rng: Callable[[], float] = random.random) -> float:
    """Capped exponential backoff with jitter (50-100 %), never sooner than the server asked."""
    delay: float = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** max(0, attempts))
    delay *= 0.5 + rng() / 2
    return max(delay, retry_after or 0.0)


def poll_interval(age_s: float) -> float:
    """How often to look for answers: often while a question is fresh, rarely once it is old."""
    if age_s < 3600:
        return 60.0
    if age_s < 86400:
        return 300.0
    if age_s < 7 * 86400:
        return 1800.0
    return 7200.0


class SyncEngine:
    """One per running app (or per `inflow sync now` without an app). Not thread-safe: one thread."""

    def __init__(
        self,
        db: Database,
        targets: Callable[[], list[Target]],
        secret_for: Callable[[Target], str | None],
        session_factory: Callable[[], requests.Session],
        *,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        poll_days: float = DEFAULT_POLL_DAYS,
        snapshot_feed: bool = False,
        store_secret: Callable[[Target, str], None] | None = None,
    ) -> None:
        self._db = db
        self._targets = targets
        self._secret_for = secret_for
        self._session_factory = session_factory
        self._clock = clock
        self._rng = rng
        self._poll_s = poll_days * 86400
        self._snapshot_feed = snapshot_feed
        self._store_secret = store_secret
        self._connectors: dict[str, tuple[Target, str | None, Connector, MutableMapping[str, str]]] = {}
        self._owner = outbox.new_owner()  # this engine's claims
        self._feed_next: dict[str, float] = {}
        self._saved_state: dict[str, dict[str, str]] = {}  # target state as last read or written
        self._session: requests.Session | None = None

    # ------------------------------------------------------------------ lifecycle
    def reconcile(self) -> int:
        """Deliveries left inflight by a crash (lease expired, or its process gone) go back to pending
        (same key); another live engine's claims are left alone. Also run at the start of each pass."""
        count = outbox.reconcile_inflight(self._db, self._clock())
        if count:
            log.info("took over %d delivery(ies) left inflight", count)
        return count

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        self._connectors.clear()

    def next_due(self) -> float | None:
        """When there is next something to do (None: nothing until the outbox changes)."""
        times = [t for t in (outbox.next_due_at(self._db), *self._feed_times()) if t is not None]
        return min(times) if times else None

    def _feed_times(self) -> list[float]:
        now = self._clock()
        paused = outbox.paused_targets(self._db)
        waits = outbox.target_waits(self._db, now)
        return [
            max(self._feed_next.get(t.name, now), waits.get(t.name, now))
            for t in self._targets()
            if t.name not in paused and connector_for(t.kind).can_pull
        ]

    # ------------------------------------------------------------------ one pass
    def run_pass(self, *, pull_now: bool = False, stop: Callable[[], bool] = lambda: False) -> PassReport:
        """Push everything due, then pull what is due (everything, with pull_now)."""
        report = PassReport()
        targets = {t.name: t for t in self._targets()}
        self.reconcile()
        self._push(targets, report, stop)
        covered: set[str] = set()
        if not stop():
            covered = self._pull_feed(targets, report, force=pull_now)
        if not stop():
            self._pull_replies(targets, report, force=pull_now, covered=covered)
        report.paused = sorted(outbox.paused_targets(self._db))
        report.next_due = self.next_due()
        return report

    def _push(self, targets: dict[str, Target], report: PassReport, stop: Callable[[], bool]) -> None:
        while not stop():
            skip = sorted(outbox.paused_targets(self._db))  # a waiting target has nothing due (claim_due)
            row = outbox.claim_due(self._db, self._clock(), owner=self._owner, skip_targets=skip)
            if row is None:
                return
            target = targets.get(row.target)
            if target is None:
                message = f"The target '{row.target}' is no longer configured."
                report.dead += self._recorded(row, outbox.record_dead(self._db, row.id, message, owner=self._owner))
                continue
            self._deliver(target, row, report)

    def _deliver(self, target: Target, row: outbox.ClaimedDelivery, report: PassReport) -> None:
        tracking = row.action == "track"
        moment = OutgoingMoment(
            moment_id=row.moment_id, kind=row.kind.value, title=row.title, body=row.body, url=row.url,
            tags=row.tags, created_at=row.created_at, idempotency_key=row.idempotency_key,
            activity=row.detail if tracking else None, activity_at=row.queued_at if tracking else None,
            attempts=row.attempts,
        )  # fmt: skip
        try:
            connector = self._connector(target)
            remote_id, link = row.remote_id, None
            if row.action in ("post", "track"):
                result = connector.send(moment)
                remote_id, link = result.remote_id, result.link
            elif row.action == "edit" and row.remote_id:
                connector.edit(moment, row.remote_id)
            elif row.action == "retract" and row.remote_id:
                connector.retract(row.remote_id)
        except NotSupportedError as exc:
            report.dead += self._recorded(row, outbox.record_dead(self._db, row.id, str(exc), owner=self._owner))
            return
        except SyncError as exc:
            self._record_failure(target, row, exc, report)
            return
        finally:
            self._save_state(target)
        is_question = row.kind is Kind.QUESTION and row.action == "post"
        poll_until = self._clock() + self._poll_s if is_question and connector.can_pull else None
        sent = outbox.record_sent(
            self._db, row.id, remote_id, link, owner=self._owner, poll_until=poll_until, now=self._clock()
        )
        report.sent += self._recorded(row, sent)

    def _recorded(self, row: outbox.ClaimedDelivery, recorded: bool) -> int:
        """1 when the result was recorded; 0 when the lease had been taken over (that process records)."""
        if not recorded:
            log.warning(
                "delivery %d to %s: its claim expired and was taken over; not recorded here", row.id, row.target
            )
        return int(recorded)

    def _record_failure(self, target: Target, row: outbox.ClaimedDelivery, exc: SyncError, report: PassReport) -> None:
        exc = self._scrubbed(target, exc)
        log.info("delivery %d to %s: %r", row.id, target.name, exc)
        if exc.kind in _PAUSING:
            outbox.pause_target(self._db, target.name, exc.message, delivery_id=row.id, owner=self._owner)
            self._connectors.pop(target.name, None)
            report.problems.append(f"{target.name}: {exc.message}")
            return
        if exc.kind is ErrorKind.PERMANENT:
            report.dead += self._recorded(row, outbox.record_dead(self._db, row.id, exc.message, owner=self._owner))
            return
        delay = backoff_delay(row.attempts, exc.retry_after, self._rng)
        retry_at = self._clock() + delay
        retried = outbox.record_retry(self._db, row.id, exc.message, retry_at, owner=self._owner)
        # The whole target waits, in every process: a rate limit or an outage is about the server.
        outbox.set_target_wait(self._db, target.name, retry_at)
        report.retrying += self._recorded(row, retried)

    # ------------------------------------------------------------------ pulling
    def _pull_replies(self, targets: dict[str, Target], report: PassReport, *, force: bool, covered: set[str]) -> None:
        """Ask for replies to due questions, except where this pass's complete feed read already
        brought every reply on that target (then only the next poll is scheduled)."""
        now = self._clock()
        skip = sorted({*outbox.paused_targets(self._db), *outbox.target_waits(self._db, now)})
        due = pull.due_polls(self._db, float("inf") if force else now, skip_targets=skip)
        for poll in due:
            target = targets.get(poll.target)
            if target is None:
                continue
            age = now - _unix(poll.created_at, now)
            next_poll = now + poll_interval(age)
            if poll.target in covered and not poll.first:
                pull.store_replies(self._db, poll, [], next_poll if next_poll < poll.poll_until else None)
                continue
            try:
                replies = self._connector(target).fetch_replies(poll.remote_id)
            except NotSupportedError:
                pull.store_replies(self._db, poll, [], None)
                continue
            except SyncError as exc:
                if exc.kind is ErrorKind.PERMANENT:  # e.g. the thread was deleted: stop asking
                    pull.store_replies(self._db, poll, [], None)
                self._pull_failed(target, exc, report)
                continue
            finally:
                self._save_state(target)
            incoming = [pull.IncomingReply(r.remote_id, r.author, r.body, r.created_at) for r in replies]
            new = pull.store_replies(self._db, poll, incoming, next_poll if next_poll < poll.poll_until else None)
            self._report_answers(report, poll, new)

    def _report_answers(self, report: PassReport, poll: pull.PollDue, new: int) -> None:
        if not new:
            return
        for news in report.answers:
            if news.moment_id == poll.moment_id:
                news.count += new
                return
        report.answers.append(AnswerNews(poll.moment_id, poll.title, new))

    def _pull_feed(self, targets: dict[str, Target], report: PassReport, *, force: bool) -> set[str]:
        """Read each due feed (also when an answer poll is due on that target: one feed read can
        replace a poll per open question); returns the targets whose read was complete."""
        now = self._clock()
        paused = outbox.paused_targets(self._db)
        waits = outbox.target_waits(self._db, now)
        polls_due = {p.target for p in pull.due_polls(self._db, now)}
        covered: set[str] = set()
        for target in targets.values():
            if target.name in paused or not connector_for(target.kind).can_pull:
                continue
            feed_due = self._feed_next.get(target.name, 0.0) <= now
            if not (force or feed_due or target.name in polls_due):
                continue
            if target.name in waits:
                continue
            cursor = pull.get_cursor(self._db, target.name, "feed")
            try:
                page = self._connector(target).fetch_feed(cursor)
            except NotSupportedError:
                self._feed_next[target.name] = float("inf")
                continue
            except SyncError as exc:
                self._pull_failed(target, exc, report)
                continue
            finally:
                self._save_state(target)
            items = [
                pull.IncomingFeedItem(
                    remote_id=i.remote_id, author=i.author, kind=Kind(i.kind) if i.kind in KINDS else Kind.TIP,
                    title=i.title, body=i.body, url=i.url, tags=i.tags, created_at=i.created_at, local_id=i.local_id,
                )
                for i in page.items
            ]  # fmt: skip
            new = pull.store_feed(self._db, target.name, items, page.cursor, snapshot=self._snapshot_feed)
            report.feed[target.name] = report.feed.get(target.name, 0) + new
            self._feed_next[target.name] = now + FEED_INTERVAL_S
            self._store_feed_replies(target.name, page.replies, report)
            if cursor is not None and page.complete:
                covered.add(target.name)
        return covered

    def _store_feed_replies(self, target: str, replies: dict[str, list[RemoteReply]], report: PassReport) -> None:
        """Thread replies met in the feed, stored for whichever open question they answer."""
        if not replies:
            return
        for question in pull.open_questions(self._db, target):
            found = replies.get(question.remote_id)
            if found:
                incoming = [pull.IncomingReply(r.remote_id, r.author, r.body, r.created_at) for r in found]
                self._report_answers(report, question, pull.store_replies(self._db, question, incoming, False))

    def _scrubbed(self, target: Target, exc: SyncError) -> SyncError:
        """The error without the target's secret, which a server may echo back (never recorded)."""
        return scrubbed(exc, cached[1] if (cached := self._connectors.get(target.name)) else None)

    def _pull_failed(self, target: Target, exc: SyncError, report: PassReport) -> None:
        exc = self._scrubbed(target, exc)
        if exc.kind in _PAUSING:
            outbox.pause_target(self._db, target.name, exc.message)
            self._connectors.pop(target.name, None)
        elif exc.kind is ErrorKind.TRANSIENT:
            wait = self._clock() + backoff_delay(1, exc.retry_after, self._rng)
            outbox.set_target_wait(self._db, target.name, wait)
        report.problems.append(f"{target.name}: {exc.message}")

    # ------------------------------------------------------------------ connectors
    def _connector(self, target: Target) -> Connector:
        secret = self._secret_for(target)
        cached = self._connectors.get(target.name)
        if cached is not None and cached[0] == target and cached[1] == secret:
            return cached[2]
        if self._session is None:
            self._session = self._session_factory()
        state: MutableMapping[str, str] = outbox.get_target_state(self._db, target.name)
        state.pop("paused", None)
        self._saved_state[target.name] = dict(state)  # as stored, before the connector touches it
        connector = connector_for(target.kind)(target, secret, self._session, state)
        self._connectors[target.name] = (target, secret, connector, state)
        return connector

    def _save_state(self, target: Target) -> None:
        cached = self._connectors.get(target.name)
        if cached is None:
            return
        fresh = getattr(cached[2], "updated_secret", None)
        if isinstance(fresh, str) and fresh:  # e.g. refreshed Microsoft tokens: back to the keyring
            cached[2].updated_secret = None  # type: ignore[attr-defined]
            self._connectors[target.name] = (cached[0], fresh, cached[2], cached[3])
            if self._store_secret is not None:
                try:
                    self._store_secret(target, fresh)
                except Exception as exc:  # the old secret keeps working; it is refreshed again next time
                    log.warning("could not store the refreshed secret of %s: %s", target.name, exc)
        state = dict(cached[3])
        if state != self._saved_state.get(target.name):  # written only when the connector changed it
            outbox.save_target_state(self._db, target.name, state)
            self._saved_state[target.name] = state

    def forget(self, target_name: str) -> None:
        """A target changed or was removed: drop its cached connector and pacing."""
        self._connectors.pop(target_name, None)
        self._saved_state.pop(target_name, None)
        outbox.clear_target_wait(self._db, target_name)
        self._feed_next.pop(target_name, None)

    def resume(self, target_name: str) -> None:
        """After signing in again."""
        self.forget(target_name)
        outbox.resume_target(self._db, target_name)


def _unix(iso: str, default: float) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default
