"""The least a response of a given shape can cost through graphql-core and Strawberry: the phone
dashboard's and the habit page's answers, held in memory (no HTTP, no token, no database, no habit
math, no extension), executed on a bare Strawberry schema whose every field is a plain attribute.

bench.reads times these in the same run as `{ __typename }` through the real app, so that the
ratio shows how much of a target (dashboard <= 10x trivial, habit page <= 5x) the response's shape
alone takes: each list value passes graphql-core's completion one by one (its public path; the
methods that would complete a leaf list at once are private).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import strawberry

from server.habits.model import DayStatus

DayStatusType = strawberry.enum(DayStatus, name="DayStatus")


@strawberry.type
class Series:
    start: date
    statuses: list[str] = strawberry.field(graphql_type=list[DayStatusType])  # values, as the service gives
    quantities: list[float]


@strawberry.type
class Strength:
    from_: date = strawberry.field(name="from")
    to: date
    values: list[float]


@strawberry.type
class Node:
    id: strawberry.ID
    day: date
    occurred_at: datetime
    quantity: float
    note: str | None
    source: str


@strawberry.type
class Edge:
    node: Node


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Connection:
    edges: list[Edge]
    page_info: PageInfo


@strawberry.type
class Habit:
    id: strawberry.ID
    name: str
    current_streak: int
    longest_streak: int
    strength: float
    done_today: bool
    freezes_held: int
    day_series: Series
    strength_series: Strength
    check_ins: Connection


def _habit(i: int, today: date, days: int, strength_days: int) -> Habit:
    statuses = [(DayStatus.DONE if (d * 7 + i) % 5 else DayStatus.MISSED).value for d in range(days)]
    at = datetime(2026, 1, 1, 12)
    nodes = [Edge(node=Node(id=strawberry.ID(f"c{i}-{n}"), day=today, occurred_at=at, quantity=1.0, note=None,
                            source="WEB")) for n in range(15)]
    return Habit(id=strawberry.ID(f"h{i}"), name=f"Habit {i}", current_streak=12, longest_streak=40,
                 strength=71.2345, done_today=True, freezes_held=1,
                 day_series=Series(start=today - timedelta(days=days - 1), statuses=statuses,
                                   quantities=[1.0] * days),
                 strength_series=Strength(from_=today - timedelta(days=strength_days - 1), to=today,
                                          values=[50.0 + (d % 50) / 7 for d in range(strength_days)]),
                 check_ins=Connection(edges=nodes, page_info=PageInfo(has_next_page=True, end_cursor="cursor")))


TODAY = date(2026, 12, 3)
HABITS = [_habit(i, TODAY, 30, 1) for i in range(20)]
PAGE_HABIT = _habit(0, TODAY, 371, 1000)


@strawberry.type
class Query:
    @strawberry.field
    def habits(self) -> list[Habit]:
        return HABITS

    @strawberry.field
    def habit(self) -> Habit:
        return PAGE_HABIT


SCHEMA = strawberry.Schema(query=Query)
DASHBOARD = ("{ habits { id name currentStreak longestStreak strength doneToday freezesHeld "
             "daySeries { statuses quantities } } }")
PAGE = ("{ habit { id name currentStreak longestStreak strength doneToday freezesHeld "
        "daySeries { start statuses quantities } strengthSeries { from to values } "
        "checkIns { edges { node { id day occurredAt quantity note source } } pageInfo { hasNextPage endCursor } } } }")


async def execute(query: str) -> None:
    result = await SCHEMA.execute(query)
    assert result.errors is None, result.errors
