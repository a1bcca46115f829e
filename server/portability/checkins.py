"""checkInsImport: many check-ins and skips at once, all or nothing, with a report per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from server import clock
from server.accounts.model import Viewer
from server.database import is_unique_violation
from server.engine.unit_of_work import write_transaction
from server.errors import invalid
from server.habits.records import CheckInRecord, Source
from server.portability import repository
from server.portability.rows import (
    ROWS_MAX,
    SKIPS_MAX,
    CheckInRow,
    Plan,
    RowOutcome,
    RowStatus,
    SkipRow,
    Snapshot,
    judge_rows,
)


@dataclass(frozen=True, slots=True)
class ImportReport:
    dry_run: bool
    committed: bool  # False when a row was rejected (nothing written) or in a dry run
    rows: list[RowOutcome]
    skips: list[RowOutcome]

    def count(self, status: RowStatus, of: str = "rows") -> int:
        return sum(o.status is status for o in getattr(self, of))

    @property
    def rejected(self) -> int:
        return self.count(RowStatus.REJECTED) + self.count(RowStatus.REJECTED, "skips")


async def _snapshot(viewer: Viewer, rows: Sequence[CheckInRow], skips: Sequence[SkipRow]) -> Snapshot:
    account = viewer.account
    habit_ids = {r.habit_id for r in rows if r.habit_id} | {s.habit_id for s in skips if s.habit_id}
    habits = await repository.habits_by_ids(account.id, list(habit_ids))
    keys = list({r.idempotency_key for r in rows if r.idempotency_key})
    stored = await repository.check_ins_by_keys(account.id, keys) if keys else {}
    skipped = await repository.skipped_days(list({s.habit_id for s in skips if s.habit_id in habits})) \
        if skips else set()
    now = clock.now()
    return Snapshot(habits=habits, stored_by_key=stored, skipped=frozenset(skipped), zone=account.zone,
                    day_start_hour=account.day_start_hour, now=now, today=account.today(now))


async def import_check_ins(viewer: Viewer, rows: Sequence[CheckInRow], skips: Sequence[SkipRow],
                           dry_run: bool) -> ImportReport:
    """Judge every row against one snapshot; write all of them in one transaction only if none is rejected.

    A concurrent writer that takes one of our idempotency keys between the look-up and the insert
    makes the insert fail as a whole; judged again, that row is then a duplicate (or a rejection).
    """
    if len(rows) > ROWS_MAX:
        raise invalid("rows", f"at most {ROWS_MAX} rows per import; split the file")
    if len(skips) > SKIPS_MAX:
        raise invalid("skips", f"at most {SKIPS_MAX} skips per import; split the file")
    if dry_run:
        plan = judge_rows(rows, skips, await _snapshot(viewer, rows, skips))
        return ImportReport(True, False, plan.rows, plan.skips)
    for attempt in range(2):
        try:
            report = await _import_once(viewer, rows, skips)
        except Exception as error:
            if attempt or not is_unique_violation(error):
                raise
            continue
        return report
    raise AssertionError("unreachable")  # pragma: no cover


async def _import_once(viewer: Viewer, rows: Sequence[CheckInRow], skips: Sequence[SkipRow]) -> ImportReport:
    owner = viewer.account.id
    async with write_transaction() as uow:
        plan = judge_rows(rows, skips, await _snapshot(viewer, rows, skips))
        if plan.rejected:
            return ImportReport(False, False, plan.rows, plan.skips)
        now = clock.now()
        created = _created_records(owner, plan, now)
        await repository.insert_check_ins([_columns(c) for c in created.values()])
        await repository.insert_skips([{"id": uuid4(), "owner": owner, "habit": habit_id, "day": day,
                                        "created_at": now} for _, habit_id, day in plan.new_skips])
        if plan.new_check_ins or plan.new_skips:
            uow.mark_stale(owner, from_day=min([c.day for c in plan.new_check_ins] + [d for _, _, d in plan.new_skips]))
    first_by_key = {c.idempotency_key: c for c in created.values() if c.idempotency_key}
    out_rows = []
    for outcome in plan.rows:
        if outcome.status is RowStatus.WOULD_CREATE:
            outcome = replace(outcome, status=RowStatus.CREATED, check_in=created[outcome.index])
        elif outcome.status is RowStatus.DUPLICATE and outcome.check_in is None:
            key = rows[outcome.index].idempotency_key
            outcome = replace(outcome, check_in=first_by_key.get(key) if key else None)
        out_rows.append(outcome)
    out_skips = [replace(o, status=RowStatus.CREATED) if o.status is RowStatus.WOULD_CREATE else o
                 for o in plan.skips]
    return ImportReport(False, True, out_rows, out_skips)


def _created_records(owner: UUID, plan: Plan, now: datetime) -> dict[int, CheckInRecord]:
    return {
        new.index: CheckInRecord(
            id=uuid4(), owner_id=owner, habit_id=new.habit_id, occurred_at=new.occurred_at, day=new.day,
            quantity=new.quantity, note=new.note, source=Source.IMPORT, idempotency_key=new.idempotency_key,
            created_at=now, undone_at=None)
        for new in plan.new_check_ins
    }


def _columns(c: CheckInRecord) -> dict[str, object]:
    return {"id": c.id, "owner": c.owner_id, "habit": c.habit_id, "occurred_at": c.occurred_at, "day": c.day,
            "quantity": c.quantity, "note": c.note, "source": c.source.value, "idempotency_key": c.idempotency_key,
            "created_at": c.created_at, "undone_at": None}
