"""Outbox leases and target waits: what makes several engines on one database safe."""

from __future__ import annotations

import time

from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, get_moment
from tests.unit.storage.crashed import crashed_owner


def share(db: Database, title: str = "a tip") -> int:
    return get_moment(db, add_moment(db, Draft(kind=Kind.TIP, title=title, share_to=("team",))).id).rowid


def state(db: Database, rowid: int) -> DeliveryState:
    return outbox_status.deliveries_for(db, rowid)[0].state


def test_a_live_lease_is_never_taken_over_an_expired_one_is(db: Database) -> None:
    rowid, now = share(db), time.time()
    mine, other = outbox.new_owner(), outbox.new_owner()
    claimed = outbox.claim_due(db, now, owner=mine, lease_s=60)
    assert claimed is not None
    assert outbox.claim_due(db, now, owner=other) is None  # inflight: nobody else gets it
    assert outbox.reconcile_inflight(db, now + 59) == 0  # e.g. a second `inflow sync now` starting
    assert state(db, rowid) is DeliveryState.INFLIGHT
    assert outbox.reconcile_inflight(db, now + 61) == 1  # the claimer hung or vanished: resent, same key
    again = outbox.claim_due(db, now + 61, owner=other)
    assert again is not None and again.idempotency_key == claimed.idempotency_key


def test_the_lease_of_a_process_that_died_is_taken_over_at_once(db: Database) -> None:
    share(db)
    now = time.time()
    assert outbox.claim_due(db, now, owner=crashed_owner()) is not None
    assert outbox.reconcile_inflight(db, now) == 1


def test_a_taken_over_lease_counts_as_an_attempt_so_the_next_sender_looks_first(db: Database) -> None:
    share(db)
    now = time.time()
    first = outbox.claim_due(db, now, owner=crashed_owner())
    assert first is not None and first.attempts == 0
    outbox.reconcile_inflight(db, now)  # killed after the server accepted, before we recorded it
    again = outbox.claim_due(db, now, owner=outbox.new_owner())
    assert again is not None
    assert (again.idempotency_key, again.attempts) == (first.idempotency_key, 1)


def test_only_the_lease_owner_records_a_result(db: Database) -> None:
    rowid, now = share(db), time.time()
    stale, current = outbox.new_owner(), outbox.new_owner()
    first = outbox.claim_due(db, now, owner=stale, lease_s=1)
    assert first is not None
    outbox.reconcile_inflight(db, now + 2)
    assert outbox.claim_due(db, now + 2, owner=current) is not None
    # the first claimer comes back late: none of its results overwrite the current claim
    assert not outbox.record_sent(db, first.id, "r1", None, owner=stale)
    assert not outbox.record_retry(db, first.id, "boom", now + 10, owner=stale)
    assert not outbox.record_dead(db, first.id, "boom", owner=stale)
    outbox.pause_target(db, "team", "revoked", delivery_id=first.id, owner=stale)
    assert state(db, rowid) is DeliveryState.INFLIGHT
    assert outbox.record_sent(db, first.id, "r2", None, owner=current)
    (delivery,) = outbox_status.deliveries_for(db, rowid)
    assert (delivery.state, delivery.remote_id) == (DeliveryState.SENT, "r2")


def test_a_target_wait_holds_back_claims_and_moves_the_next_due_time(db: Database) -> None:
    share(db)
    now = time.time()
    outbox.set_target_wait(db, "team", now + 30)
    outbox.set_target_wait(db, "team", now + 10)  # an earlier wait never shortens a later one
    assert outbox.target_waits(db, now) == {"team": now + 30}
    assert outbox.claim_due(db, now + 29, owner=outbox.new_owner()) is None
    assert outbox.next_due_at(db) == now + 30
    assert outbox.claim_due(db, now + 31, owner=outbox.new_owner()) is not None


def test_resuming_or_removing_a_target_drops_its_wait(db: Database) -> None:
    now = time.time()
    outbox.set_target_wait(db, "team", now + 30)
    outbox.resume_target(db, "team")
    assert outbox.target_waits(db, now) == {}
    outbox.set_target_wait(db, "team", now + 30)
    outbox.forget_target(db, "team")
    assert outbox.target_waits(db, now) == {}


def test_retrying_rows_are_counted_apart_and_listed_with_their_reason(db: Database) -> None:
    share(db, "one")
    share(db, "two")
    now = time.time()
    owner = outbox.new_owner()
    claimed = outbox.claim_due(db, now, owner=owner)
    assert claimed is not None
    outbox.record_retry(db, claimed.id, "Matrix is rate-limiting us (429)", now + 20, owner=owner)
    outbox.set_target_wait(db, "team", now + 40)
    assert outbox_status.outbox_summary(db) == {"team": {"pending": 1, "retrying": 1}}
    (retrying,) = outbox_status.retrying_deliveries(db)
    assert (retrying.id, retrying.attempts, retrying.last_error) == (claimed.id, 1, "Matrix is rate-limiting us (429)")
    assert retrying.next_attempt_at == now + 40  # not before the target's wait


def test_failing_targets_say_since_when_the_latest_error_and_the_next_try(db: Database) -> None:
    first, _second = share(db, "one"), share(db, "two")
    assert outbox_status.failing_targets(db) == {}
    now = time.time()
    owner = outbox.new_owner()
    for error in ("DNS lookup failed for matrix.example.org", "Connection refused by matrix.example.org"):
        claimed = outbox.claim_due(db, now + 100, owner=owner)
        assert claimed is not None
        outbox.record_retry(db, claimed.id, error, now + 20, owner=owner)
    outbox.set_target_wait(db, "team", now + 40)
    failure = outbox_status.failing_targets(db)["team"]
    created = db.execute("SELECT min(created_at) FROM outbox WHERE moment_rowid = ?", [first]).fetchone()[0]
    assert (failure.since, failure.waiting, failure.next_try_at) == (created, 2, now + 40)
    assert failure.error == "Connection refused by matrix.example.org"  # the most recent failure
    outbox.pause_target(db, "team", "401 Unauthorized")
    assert outbox_status.failing_targets(db) == {}  # paused, not retrying: the pause says why
