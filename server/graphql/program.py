"""The guided program in GraphQL: steps with lock state, requirements progress and content."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from server.graphql.context import Context
from server.graphql.errors import NotFoundError, StepLockedError, typed_errors
from server.graphql.habits import Habit, ScheduleType
from server.habits.model import Category, Kind
from server.program import service
from server.program.service import StepView


@strawberry.type
class Requirement:
    kind: str
    description: str
    current: float
    target: float
    met: bool


@strawberry.type
class SuggestedHabit:
    name: str
    category: Category
    kind: Kind
    schedule: ScheduleType
    target_quantity: float
    unit: str | None


@strawberry.type
class Step:
    key: str
    position: int
    title: str
    summary: str
    unlocked: bool
    unlocked_at: datetime | None
    content: str | None = strawberry.field(description="The step's text as Markdown; null while locked.")
    prompts: list[str] | None = strawberry.field(description="Reflection prompts; null while locked.")
    suggested_habits: list[SuggestedHabit] = strawberry.field(description="The starter kit (see starterKitAdopt).")
    requirements: list[Requirement] = strawberry.field(description="What unlocks the next step, with progress.")
    complete: bool

    @classmethod
    def from_view(cls, v: StepView) -> Step:
        s, open_ = v.step, v.state.unlocked
        return cls(
            key=s.key, position=s.position, title=s.title, summary=s.summary, unlocked=open_,
            unlocked_at=v.unlocked_at if open_ else None,
            content=s.body if open_ else None, prompts=list(s.prompts) if open_ else None,
            suggested_habits=[SuggestedHabit(
                name=h.name, category=h.category, kind=h.kind,
                schedule=ScheduleType.from_domain(h.schedule),
                target_quantity=h.target_quantity, unit=h.unit) for h in s.suggested_habits],
            requirements=[Requirement(kind=r.kind, description=r.description, current=r.current, target=r.target,
                                      met=r.met) for r in v.state.requirements],
            complete=v.state.complete)


@strawberry.type
class Program:
    key: str
    title: str
    steps: list[Step]

    @strawberry.field(description="The furthest step you have unlocked.")
    def current_step(self) -> Step:
        return [s for s in self.steps if s.unlocked][-1]


@strawberry.type
class StarterKitAdopted:
    habits: list[Habit]


StarterKitResult = Annotated[StarterKitAdopted | NotFoundError | StepLockedError, strawberry.union("StarterKitResult")]


@strawberry.type
class ProgramQuery:
    @strawberry.field(description="The guided program, with your unlock state.")
    async def program(self, info: Info[Context, None]) -> Program:
        views = await service.user_program(await info.context.require_viewer())
        program = service.get_program()
        return Program(key=program.key, title=program.title, steps=[Step.from_view(v) for v in views])


@strawberry.type
class ProgramMutation:
    @strawberry.mutation(description="Adopt a step's suggested habits in one go; adopting twice adds nothing.")
    @typed_errors
    async def starter_kit_adopt(self, info: Info[Context, None], step_key: str) -> StarterKitResult:
        records = await service.adopt_starter_kit(await info.context.require_viewer(), step_key)
        return StarterKitAdopted(habits=[Habit.from_domain(r) for r in records])
