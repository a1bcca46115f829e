"""The journal in GraphQL: private entries, newest first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from server.graphql.context import Context
from server.graphql.errors import InvalidInputError, NotFoundError, StepLockedError, typed_errors
from server.graphql.ids import parse_id
from server.graphql.pagination import Edge, PageInfo, decode_cursor, encode_cursor, page_size
from server.journal import service
from server.journal.model import JournalRecord


@strawberry.type(description="A private journal entry: what you wrote, and the prompt and step it answered.")
class JournalEntry:
    id: strawberry.ID = strawberry.field(description="Stable; opaque.")
    prompt: str | None = strawberry.field(description="The prompt it answers, if any.")
    body: str = strawberry.field(description="What you wrote.")
    step_key: str | None = strawberry.field(description="The program step it was written for, if any.")
    day: date = strawberry.field(description="The local day it was written; editing keeps it.")
    created_at: datetime = strawberry.field(description="When it was written.")

    @classmethod
    def from_domain(cls, r: JournalRecord) -> JournalEntry:
        return cls(id=strawberry.ID(str(r.id)), prompt=r.prompt, body=r.body, step_key=r.step_key, day=r.day,
                   created_at=r.created_at)


@strawberry.type(description="A page of journal entries (Relay cursor connection).")
class JournalEntryConnection:
    edges: list[Edge[JournalEntry]] = strawberry.field(description="The page's entries, with their cursors.")
    page_info: PageInfo = strawberry.field(description="Whether there is a next page, and where it starts.")

    @strawberry.field(description="All your journal entries, over every page.")
    async def total_count(self, info: Info[Context, None]) -> int:
        # Counted only when asked for: a page alone costs no count.
        return await service.count(await info.context.require_viewer())


@strawberry.type(description="A journal entry was deleted.")
class JournalEntryDeleted:
    id: strawberry.ID = strawberry.field(description="The deleted entry's id.")


JournalEntryResult = Annotated[JournalEntry | InvalidInputError | NotFoundError | StepLockedError,
                               strawberry.union("JournalEntryResult", description="The entry, or why not.")]
JournalEntryUpdateResult = Annotated[JournalEntry | InvalidInputError | NotFoundError,
                                     strawberry.union("JournalEntryUpdateResult",
                                                      description="The edited entry, or why not.")]
JournalEntryDeleteResult = Annotated[JournalEntryDeleted | NotFoundError,
                                     strawberry.union("JournalEntryDeleteResult",
                                                      description="The deleted entry's id, or NOT_FOUND.")]


@strawberry.input(description="A journal entry to write.")
class JournalEntryCreateInput:
    body: str = strawberry.field(description=f"At most {service.BODY_MAX} characters.")
    prompt: str | None = strawberry.field(default=None, description="The prompt you answered, if any.")
    step_key: str | None = strawberry.field(default=None, description="The program step it was written for.")


@strawberry.input(description="What to change in a journal entry; fields left out stay as they are.")
class JournalEntryUpdateInput:
    body: str | None = strawberry.field(default=None, description=f"The new text, at most {service.BODY_MAX} "
                                                                  "characters.")
    prompt: str | None = strawberry.field(default=None, description="The new prompt; an empty string removes it.")


@strawberry.type
class JournalQuery:
    @strawberry.field(description="Your journal, newest first.")
    async def journal_entries(self, info: Info[Context, None],
                              first: Annotated[int | None, strawberry.argument(
                                  description="Page size: 0-100 (default 20).")] = 20,
                              after: Annotated[str | None, strawberry.argument(
                                  description="The endCursor of the previous page.")] = None,
                              ) -> JournalEntryConnection:
        size = page_size(first)
        rows = await service.page(await info.context.require_viewer(), decode_cursor(after), size + 1)
        edges = [Edge(cursor=encode_cursor(r.created_at, r.id), node=JournalEntry.from_domain(r)) for r in rows[:size]]
        return JournalEntryConnection(edges=edges, page_info=PageInfo(
            has_next_page=len(rows) > size, end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class JournalMutation:
    @strawberry.mutation(description="Write a journal entry (private to you).")
    @typed_errors
    async def journal_entry_create(self, info: Info[Context, None],
                                   input: Annotated[JournalEntryCreateInput, strawberry.argument(
                                       description="The entry.")]) -> JournalEntryResult:
        record = await service.create_entry(await info.context.require_viewer(), input.body, input.prompt,
                                            input.step_key)
        return JournalEntry.from_domain(record)

    @strawberry.mutation(description="Edit one of your journal entries (its day and step stay). Program "
                                     "requirements are recomputed in the background.")
    @typed_errors
    async def journal_entry_update(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The entry to edit.")],
        input: Annotated[JournalEntryUpdateInput, strawberry.argument(description="What to change.")],
    ) -> JournalEntryUpdateResult:
        record = await service.update_entry(await info.context.require_viewer(), parse_id(id, "journal entry"),
                                            input.body, input.prompt)
        return JournalEntry.from_domain(record)

    @strawberry.mutation(description="Delete one of your journal entries for good. Program requirements are "
                                     "recomputed; a step already open never closes again.")
    @typed_errors
    async def journal_entry_delete(
        self, info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The entry to delete.")],
    ) -> JournalEntryDeleteResult:
        record = await service.delete_entry(await info.context.require_viewer(), parse_id(id, "journal entry"))
        return JournalEntryDeleted(id=strawberry.ID(str(record.id)))
