"""Loop Habit Tracker import and export in GraphQL; the rules live in server.portability.loop*."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from enum import StrEnum
from typing import Annotated

import strawberry
from strawberry.types import Info

from server import clock
from server.errors import invalid
from server.graphql.context import Context
from server.graphql.errors import DuplicateError, InvalidInputError, OutOfRangeError, typed_errors
from server.graphql.habits import Habit, ScheduleType
from server.habits.model import Kind
from server.portability import loop_service
from server.portability.loop_service import HabitOutcome, LoopImportResult


class ImportAction(StrEnum):
    CREATE = "CREATE"
    REUSE = "REUSE"


LoopImportActionType = strawberry.enum(
    ImportAction, name="LoopImportAction",
    description="CREATE: a new habit (in a dry run: would be). REUSE: your habit of the same name and kind takes "
                "the history; only what it lacks is added.")


@strawberry.type(description="One habit of a Loop Habit Tracker export: what it became here, and whether its "
                             "numbers are Loop's.")
class LoopHabitImport:
    position: int = strawberry.field(description="Its Position in Loop's Habits.csv.")
    loop_name: str = strawberry.field(description="Its name in Loop.")
    name: str = strawberry.field(description="Its name here (made unique when needed).")
    action: ImportAction = strawberry.field(description="Created here, or reusing your habit of the same name.")
    habit: Habit | None = strawberry.field(description="The habit; null in a dry run for one that would be created.")
    kind: Kind = strawberry.field(description="BUILD, or QUIT for Loop's numeric 'at most' habits.")
    schedule: ScheduleType = strawberry.field(description="1/1 is DAILY, any other frequency INTERVAL.")
    target_quantity: float = strawberry.field(description="1 for yes/no habits; Loop's target for numeric ones.")
    daily_limit: float | None = strawberry.field(description="QUIT habits from 'at most' ones: the slip threshold.")
    start_date: date = strawberry.field(description="Loop's first scored day (an empty habit: the export's day).")
    archived: bool = strawberry.field(description="Archived in Loop, so archived here.")
    check_ins: int = strawberry.field(description="Check-ins in Loop's history: checked days and amounts.")
    created: int = strawberry.field(description="Check-ins stored now (in a dry run: that would be).")
    duplicates: int = strawberry.field(description="Check-ins an earlier import already stored.")
    skips: int = strawberry.field(description="Skipped days in Loop's history.")
    skips_created: int = strawberry.field(description="Skipped days stored now (in a dry run: that would be).")
    exact: bool = strawberry.field(
        description="True when this habit's strength here is Loop's Scores.csv within 0.05 points on every day "
                    "and every day's status is Loop's (YES_MANUAL = DONE, YES_AUTO = COVERED, SKIP = SKIPPED, NO = "
                    "MISSED or FROZEN); checked on the import itself.")
    max_score_difference: float | None = strawberry.field(
        description="The largest difference from Loop's Scores.csv, in points; null when the export has none.")
    days_compared: int = strawberry.field(description="Days whose status was compared with Loop's.")
    mismatches: list[str] = strawberry.field(description="The first days that differ from Loop, if any.")
    warnings: list[str] = strawberry.field(description="Everything not brought over as it was, named.")

    @classmethod
    def from_domain(cls, o: HabitOutcome) -> LoopHabitImport:
        p, v = o.planned, o.verification
        return cls(
            position=p.loop.position, loop_name=p.loop.name, name=o.habit.name if o.habit else p.name,
            action=ImportAction(o.action), habit=Habit.from_domain(o.habit) if o.habit else None, kind=o.rules.kind,
            schedule=ScheduleType.from_domain(o.rules.schedule), target_quantity=o.rules.target,
            daily_limit=o.rules.limit or None if o.rules.kind is Kind.QUIT else None, start_date=o.rules.start_date,
            archived=p.archived or bool(o.habit and o.habit.archived), check_ins=len(p.check_ins), created=o.created,
            duplicates=o.duplicates, skips=len(p.skips), skips_created=o.skips_created,
            exact=bool(v and v.exact), max_score_difference=v.max_score_difference if v else None,
            days_compared=v.days_compared if v else 0, mismatches=list(v.mismatches) if v else [],
            warnings=[*p.warnings, *o.warnings])


@strawberry.type(description="What a Loop import did (or in a dry run would do), habit by habit.")
class LoopImportReport:
    dry_run: bool = strawberry.field(description="true: nothing was stored; the counts say what would be.")
    exported_on: date | None = strawberry.field(description="The day Loop wrote the export (its last scored day).")
    habits_created: int = strawberry.field(description="Habits created (in a dry run: that would be).")
    check_ins_created: int = strawberry.field(description="Check-ins stored (in a dry run: that would be).")
    skips_created: int = strawberry.field(description="Skipped days stored (in a dry run: that would be).")
    habits: list[LoopHabitImport] = strawberry.field(description="Every habit of the export, in Loop's order.")
    warnings: list[str] = strawberry.field(description="What the ZIP held that is not imported, and how it was read.")

    @classmethod
    def from_domain(cls, r: LoopImportResult) -> LoopImportReport:
        return cls(dry_run=r.dry_run, exported_on=r.exported_on,
                   habits_created=sum(o.action == "CREATE" for o in r.habits),
                   check_ins_created=sum(o.created for o in r.habits),
                   skips_created=sum(o.skips_created for o in r.habits),
                   habits=[LoopHabitImport.from_domain(o) for o in r.habits], warnings=list(r.warnings))


@strawberry.input(description="A Loop Habit Tracker export to import.")
class LoopImportInput:
    archive: str = strawberry.field(description="Loop's 'Export as CSV' ZIP, base64-encoded.")
    dry_run: bool = strawberry.field(default=False, description="Read and check everything, store nothing.")


LoopImportResultType = Annotated[LoopImportReport | InvalidInputError | DuplicateError | OutOfRangeError,
                                 strawberry.union(
                                     "LoopImportResult", description="The report, or why nothing was imported.")]


@strawberry.type(description="Your habits as Loop Habit Tracker's CSV export ZIP.")
class LoopExportFile:
    filename: str = strawberry.field(description="As Loop names it: \"Loop Habits CSV <today>.zip\".")
    archive: str = strawberry.field(description="The ZIP, base64-encoded.")


@strawberry.type
class LoopQuery:
    @strawberry.field(description="Every habit (archived ones too) in Loop Habit Tracker's 'Export as CSV' format: "
                                  "Habits.csv, a folder per habit with Checkmarks.csv and Scores.csv, and the "
                                  "combined Checkmarks.csv and Scores.csv.")
    async def loop_export(self, info: Info[Context, None]) -> LoopExportFile:
        viewer = await info.context.require_viewer()
        data = await loop_service.export_loop(viewer)
        today = viewer.account.today(clock.now())
        return LoopExportFile(filename=f"Loop Habits CSV {today.isoformat()}.zip",
                              archive=base64.b64encode(data).decode("ascii"))


@strawberry.type
class LoopMutation:
    @strawberry.mutation(description="Import Loop Habit Tracker's 'Export as CSV' ZIP, all or nothing: habits, "
                                     "check-ins and skips in one transaction. Importing it again adds only what is "
                                     "new; a day whose amount changed in Loop since is a DuplicateError.")
    @typed_errors
    async def loop_import(self, info: Info[Context, None], input: Annotated[
            LoopImportInput, strawberry.argument(description="The ZIP.")]) -> LoopImportResultType:
        viewer = await info.context.require_viewer()
        try:
            data = base64.b64decode(input.archive, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("archive", "expected the ZIP as base64") from None
        return LoopImportReport.from_domain(await loop_service.import_loop(viewer, data, input.dry_run))
