"""Pauses in GraphQL: take a break from some habits or all of them; the rule lives in server.habits.pauses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from server.errors import DomainError, ErrorCode
from server.graphql.context import Context
from server.graphql.errors import InvalidInputError, NotFoundError, OutOfRangeError, typed_errors
from server.graphql.habits import Habit
from server.graphql.ids import parse_id, try_parse_id
from server.habits import pause_service
from server.habits.pause_service import PAUSES_MAX
from server.habits.pauses import AHEAD_MAX_DAYS, RANGE_MAX_DAYS, REASON_MAX
from server.habits.records import PauseRecord


@strawberry.type(description="A break (holiday, illness): each day from `from` to `to` counts as a skipped day "
                             "for its habits (streaks and freezes kept, strength unchanged); a check-in on a paused "
                             "day still counts as done.")
class Pause:
    id: strawberry.ID = strawberry.field(description="The pause's id, for pauseDelete.")
    from_: date = strawberry.field(name="from", description="The first paused local day.")
    to: date = strawberry.field(description="The last paused local day (inclusive).")
    reason: str | None = strawberry.field(description=f"Why, in your words (up to {REASON_MAX} characters).")
    created_at: datetime = strawberry.field(description="When the pause was declared.")
    record: strawberry.Private[PauseRecord]

    @classmethod
    def from_domain(cls, p: PauseRecord) -> Pause:
        return cls(id=strawberry.ID(str(p.id)), from_=p.start, to=p.end, reason=p.reason, created_at=p.created_at,
                   record=p)

    @strawberry.field(description="The paused habits; null: every habit, also those created later inside the "
                                  "range.")
    async def habits(self, info: Info[Context, None]) -> list[Habit] | None:
        if self.record.habit_ids is None:
            return None
        records = await (await info.context.loaders()).habit.load_many(list(self.record.habit_ids))
        return [Habit.from_domain(r) for r in records if r is not None]


@strawberry.type(description="A pause was deleted: its days count as logged again.")
class PauseDeleted:
    id: strawberry.ID = strawberry.field(description="The deleted pause's id.")


PauseResult = Annotated[Pause | NotFoundError | InvalidInputError | OutOfRangeError,
                        strawberry.union("PauseResult", description="The new pause, or why it was refused.")]
PauseDeleteResult = Annotated[PauseDeleted | NotFoundError,
                              strawberry.union("PauseDeleteResult", description="The deleted pause's id, or "
                                                                                 "NOT_FOUND.")]


@strawberry.input(description="A break from some habits, or all of them.")
class PauseCreateInput:
    habit_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The habits to pause; null (the default): every habit, including habits created "
                                  "later inside the range. An id that is not one of your habits is NOT_FOUND.")
    from_: date = strawberry.field(name="from", description=f"The first paused local day: in the past (a break "
                                                            f"declared after the fact) or at most {AHEAD_MAX_DAYS} "
                                                            f"days ahead.")
    to: date = strawberry.field(description=f"The last paused local day (inclusive); a pause covers at most "
                                            f"{RANGE_MAX_DAYS} days.")
    reason: str | None = strawberry.field(default=None, description="Why, in your words (up to "
                                                                    f"{REASON_MAX} characters).")


@strawberry.type
class PauseQuery:
    @strawberry.field(description="Your pauses, past, running and planned, latest start first.")
    async def pauses(self, info: Info[Context, None]) -> list[Pause]:
        return [Pause.from_domain(p) for p in await pause_service.pauses(await info.context.require_viewer())]


@strawberry.type
class PauseMutation:
    @strawberry.mutation(description="Take a break: every day of the range counts as skipped for the habits paused. "
                                     "Past, running and future ranges alike; streaks, strength and confidence are "
                                     f"recomputed (nothing earned is taken away). At most {PAUSES_MAX} pauses.")
    @typed_errors
    async def pause_create(self, info: Info[Context, None],
                           input: Annotated[PauseCreateInput, strawberry.argument(
                               description="The range, the habits (or all) and why.")]) -> PauseResult:
        viewer = await info.context.require_viewer()
        habit_ids = None
        if input.habit_ids is not None:
            parsed = [try_parse_id(i) for i in input.habit_ids]
            if any(p is None for p in parsed):
                raise DomainError(ErrorCode.NOT_FOUND, "habit not found", "habitIds")
            habit_ids = [p for p in parsed if p is not None]
        pause = await pause_service.create_pause(viewer, habit_ids, input.from_, input.to, input.reason)
        return Pause.from_domain(pause)

    @strawberry.mutation(description="Call a pause off: its days count as they were logged again.")
    @typed_errors
    async def pause_delete(self, info: Info[Context, None],
                           id: Annotated[strawberry.ID, strawberry.argument(description="The pause's id.")]
                           ) -> PauseDeleteResult:
        viewer = await info.context.require_viewer()
        deleted = await pause_service.delete_pause(viewer, parse_id(id, "pause"))
        return PauseDeleted(id=strawberry.ID(str(deleted.id)))
