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
from server.program.requirements import RequirementKind
from server.program.service import StepView

RequirementKindType = strawberry.enum(
    RequirementKind, name="RequirementKind",
    description="What a requirement measures. JOURNAL_ENTRIES: journal entries written. HABITS_CREATED: habits "
                "created. CATEGORY_STREAK: the best current streak among a category's habits. HABIT_STRENGTH: the "
                "best strength among a category's habits. QUIT_STREAK: the best current streak of a QUIT habit. "
                "CONFIDENCE_AT_LEAST: days in a row with confidence at or above a level.")


@strawberry.type(description="One condition for unlocking the next step, with your progress.")
class Requirement:
    kind: str = strawberry.field(description="What is measured, as a string.",
                                 deprecation_reason="Use requirementKind: the same value as an enum.")
    requirement_kind: RequirementKind = strawberry.field(description="What is measured.")
    description: str = strawberry.field(description="The condition in words.")
    current: float = strawberry.field(description="Where you are.")
    target: float = strawberry.field(description="Where it is met.")
    met: bool = strawberry.field(description="current has reached target.")


@strawberry.type(description="A habit a step suggests; starterKitAdopt creates them.")
class SuggestedHabit:
    name: str = strawberry.field(description="Its name.")
    category: Category = strawberry.field(description="Its category.")
    kind: Kind = strawberry.field(description="BUILD or QUIT.")
    schedule: ScheduleType = strawberry.field(description="How often it is due.")
    target_quantity: float = strawberry.field(description="Its daily target.")
    unit: str | None = strawberry.field(description="Its unit, if any.")


@strawberry.type(description="One of the program's ten steps.")
class Step:
    key: str = strawberry.field(description="Stable, e.g. no-contact.")
    position: int = strawberry.field(description="1-10, in the program's order.")
    title: str = strawberry.field(description="Its title.")
    summary: str = strawberry.field(description="One line on what it is about (shown while locked too).")
    unlocked: bool = strawberry.field(description="Open to you: its content, prompts and starter kit are readable.")
    unlocked_at: datetime | None = strawberry.field(description="When it opened for you; null while locked.")
    content: str | None = strawberry.field(description="The step's text as Markdown; null while locked.")
    prompts: list[str] | None = strawberry.field(description="Reflection prompts; null while locked.")
    suggested_habits: list[SuggestedHabit] = strawberry.field(description="The starter kit (see starterKitAdopt).")
    requirements: list[Requirement] = strawberry.field(description="What unlocks the next step, with progress.")
    complete: bool = strawberry.field(description="Its requirements are all met (the next step opens).")

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
            requirements=[Requirement(kind=r.kind, requirement_kind=RequirementKind(r.kind), description=r.description,
                                      current=r.current, target=r.target, met=r.met) for r in v.state.requirements],
            complete=v.state.complete)


@strawberry.type(description="The guided program: ten steps, each opened by the work of the one before.")
class Program:
    key: str = strawberry.field(description="Stable program key.")
    title: str = strawberry.field(description="Its title.")
    steps: list[Step] = strawberry.field(description="Every step, in order, with your unlock state.")

    @strawberry.field(description="The furthest step you have unlocked.")
    def current_step(self) -> Step:
        return [s for s in self.steps if s.unlocked][-1]


@strawberry.type(description="What adopting a starter kit did.")
class StarterKitAdopted:
    habits: list[Habit] = strawberry.field(description="The step's suggested habits, as your habits (created now "
                                                       "or before).")


StarterKitResult = Annotated[StarterKitAdopted | NotFoundError | StepLockedError, strawberry.union(
    "StarterKitResult", description="The habits, or why not.")]


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
    async def starter_kit_adopt(self, info: Info[Context, None], step_key: Annotated[
            str, strawberry.argument(description="The step's key.")]) -> StarterKitResult:
        records = await service.adopt_starter_kit(await info.context.require_viewer(), step_key)
        return StarterKitAdopted(habits=[Habit.from_domain(r) for r in records])
