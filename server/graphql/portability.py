"""Bulk import, export and restore in GraphQL; the rules live in server.portability."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from server.errors import ErrorCode
from server.graphql.context import Context
from server.graphql.errors import Error, InvalidInputError, OutOfRangeError, typed_errors
from server.graphql.habits import CheckIn
from server.graphql.ids import try_parse_id
from server.graphql.scalars import AccountExport
from server.portability import checkins, export, restore
from server.portability.checkins import ImportReport
from server.portability.rows import ROWS_MAX, CheckInRow, RowOutcome, RowStatus, SkipRow

ImportRowStatusType = strawberry.enum(
    RowStatus, name="ImportRowStatus",
    description="CREATED: stored now. DUPLICATE: its idempotency key already holds the same check-in (or an "
                "earlier row of this import does): nothing new. REJECTED: see code and message. WOULD_CREATE: "
                "valid, not stored (a dry run, or another row was rejected).")


@strawberry.input(description="One check-in of checkInsImport.")
class CheckInImportRow:
    habit_id: strawberry.ID = strawberry.field(description="The habit's id.")
    occurred_at: datetime = strawberry.field(description="With a time zone offset; its local day is computed "
                                                         "with your current profile, as habitCheckIn does.")
    quantity: float | None = strawberry.field(default=None, description="Defaults to 1.")
    note: str | None = strawberry.field(default=None, description="Up to 500 characters.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Same key and content as a stored check-in: the row is a DUPLICATE, not a "
                                  "second check-in; same key, other content: REJECTED with DUPLICATE.")


@strawberry.input(description="One day to mark skipped in checkInsImport.")
class SkipImportRow:
    habit_id: strawberry.ID = strawberry.field(description="The habit's id.")
    day: date = strawberry.field(description="The local day.")


@strawberry.input(description="Check-ins and skips to import, all or nothing.")
class CheckInsImportInput:
    rows: list[CheckInImportRow] = strawberry.field(description=f"At most {ROWS_MAX} rows.")
    skips: list[SkipImportRow] | None = strawberry.field(default=None, description="Days to mark skipped.")
    dry_run: bool = strawberry.field(default=False, description="Judge every row, store nothing.")


@strawberry.type(description="The verdict on one row (or skip) of an import.")
class ImportRowReport:
    index: int = strawberry.field(description="Position of the row in `rows` (or `skips`), from 0.")
    status: RowStatus = strawberry.field(description="What became of it.")
    code: ErrorCode | None = strawberry.field(description="REJECTED: why, as habitCheckIn would say it.")
    message: str | None = strawberry.field(description="REJECTED: why, for people.")
    field: str | None = strawberry.field(description="REJECTED: the row's field at fault, when one is.")
    check_in: CheckIn | None = strawberry.field(description="The stored check-in (created, or the duplicate's "
                                                            "original); null otherwise.")

    @classmethod
    def from_domain(cls, o: RowOutcome) -> ImportRowReport:
        return cls(index=o.index, status=o.status, code=o.code, message=o.message, field=o.field,
                   check_in=CheckIn.from_domain(o.check_in) if o.check_in else None)


@strawberry.type(description="What an import did, or in a dry run would do, row by row.")
class CheckInsImportReport:
    dry_run: bool = strawberry.field(description="true: nothing was stored; the counts say what would be.")
    created: int = strawberry.field(description="Check-ins created (in a dry run: that would be).")
    skipped_duplicates: int = strawberry.field(description="Rows already stored with the same content.")
    rejected: int = strawberry.field(description="Rows and skips rejected.")
    skips_created: int = strawberry.field(description="Days marked skipped (in a dry run: that would be).")
    rows: list[ImportRowReport] = strawberry.field(description="One verdict per row, in order.")
    skips: list[ImportRowReport] = strawberry.field(description="One verdict per skip, in order.")

    @classmethod
    def from_domain(cls, r: ImportReport) -> CheckInsImportReport:
        new = (RowStatus.CREATED, RowStatus.WOULD_CREATE) if r.dry_run else (RowStatus.CREATED,)
        return cls(dry_run=r.dry_run, created=sum(o.status in new for o in r.rows),
                   skipped_duplicates=r.count(RowStatus.DUPLICATE), rejected=r.rejected,
                   skips_created=sum(o.status in new for o in r.skips),
                   rows=[ImportRowReport.from_domain(o) for o in r.rows],
                   skips=[ImportRowReport.from_domain(o) for o in r.skips])


@strawberry.type(description="Some rows were rejected, so nothing was stored; `report` says which and why.")
class ImportRejectedError(Error):
    report: CheckInsImportReport = strawberry.field(description="Every row and skip, judged.")
    built_by_resolver = True  # not from a DomainError's code: check_error_unions lets it be


CheckInsImportResult = Annotated[CheckInsImportReport | ImportRejectedError | InvalidInputError,
                                 strawberry.union(
                                     "CheckInsImportResult", description="The report, or why nothing was stored.")]


@strawberry.input(description="An export to restore.")
class AccountImportInput:
    data: JSON = strawberry.field(description="A document returned by the `export` query.")
    dry_run: bool = strawberry.field(default=False, description="Count what would be created, store nothing.")
    apply_profile: bool = strawberry.field(
        default=True, description="Take the export's time zone and day start (and display name if you have "
                                  "none), so 'today' and therefore streaks and strength match the source.")


@strawberry.type(description="What a restore created; importing the same export again creates nothing.")
class AccountImportReport:
    dry_run: bool = strawberry.field(description="true: nothing was stored; the counts say what would be.")
    habits_created: int = strawberry.field(description="Habits created.")
    check_ins_created: int = strawberry.field(description="Check-ins created.")
    skips_created: int = strawberry.field(description="Skipped days created.")
    pauses_created: int = strawberry.field(description="Pauses restored (in a dry run: that would be).")
    reminders_created: int = strawberry.field(description="Reminders restored on their habits, due in your "
                                                          "profile (in a dry run: that would be).")
    journal_entries_created: int = strawberry.field(description="Journal entries created.")
    achievements_restored: int = strawberry.field(description="Achievements restored, with their dates.")
    steps_restored: int = strawberry.field(description="Program steps restored as unlocked.")
    unchanged: int = strawberry.field(description="Objects of the export this account already had.")
    profile_applied: bool = strawberry.field(description="The export's time zone and day start were taken.")


AccountImportResult = Annotated[AccountImportReport | InvalidInputError | OutOfRangeError,
                                strawberry.union(
                                    "AccountImportResult", description="The report, or why nothing was restored.")]


def _row(r: CheckInImportRow) -> CheckInRow:
    return CheckInRow(try_parse_id(r.habit_id), r.occurred_at, r.quantity, r.note, r.idempotency_key)


@strawberry.type
class PortabilityQuery:
    @strawberry.field(description="Everything you own, as a versioned JSON document (see AccountExport).")
    async def export(self, info: Info[Context, None]) -> AccountExport:
        return AccountExport(await export.export_account(await info.context.require_viewer()))


@strawberry.type
class PortabilityMutation:
    @strawberry.mutation(description="Many check-ins (and skips) at once, all or nothing: if any row is "
                                     "rejected nothing is stored and ImportRejectedError reports every row.")
    @typed_errors
    async def check_ins_import(self, info: Info[Context, None], input: Annotated[
            CheckInsImportInput, strawberry.argument(description="The rows.")]) -> CheckInsImportResult:
        viewer = await info.context.require_viewer()
        rows = [_row(r) for r in input.rows]
        skips = [SkipRow(try_parse_id(s.habit_id), s.day) for s in input.skips or []]
        report = await checkins.import_check_ins(viewer, rows, skips, input.dry_run)
        if not report.dry_run and not report.committed:
            return ImportRejectedError(
                code=ErrorCode.INVALID_INPUT, field="rows",
                message=f"{report.rejected} of {len(rows) + len(skips)} rows were rejected; nothing was imported",
                report=CheckInsImportReport.from_domain(report))
        return CheckInsImportReport.from_domain(report)

    @strawberry.mutation(description="Restore an export into your account (new ids; days kept as exported). "
                                     "One transaction; importing the same export twice creates nothing.")
    @typed_errors
    async def account_import(self, info: Info[Context, None], input: Annotated[
            AccountImportInput, strawberry.argument(description="The export.")]) -> AccountImportResult:
        viewer = await info.context.require_viewer()
        r = await restore.restore_account(viewer, input.data, input.dry_run, input.apply_profile)
        return AccountImportReport(
            dry_run=r.dry_run, habits_created=r.habits_created, check_ins_created=r.check_ins_created,
            skips_created=r.skips_created, pauses_created=r.pauses_created, reminders_created=r.reminders_created,
            journal_entries_created=r.journal_entries_created, achievements_restored=r.achievements_restored,
            steps_restored=r.steps_restored,
            unchanged=r.unchanged, profile_applied=r.profile_applied)
