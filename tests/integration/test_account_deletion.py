"""accountDelete: the user and everything they own go at once, in one transaction, on both engines; their
tokens stop working and Redis forgets them. Every Piccolo table is walked, so a table added later is
held to the same rule without touching this file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.columns import OnDelete
from piccolo.conf.apps import Finder
from piccolo.table import Table

from server.accounts import tables as accounts
from server.engine.queue import recompute_job_id
from server.progress import service as progress
from tests import factories
from tests.integration.api import ERROR, Api
from tests.integration.background import engine_without_worker, pool_of

ACCOUNT_DELETE = f"""mutation($p: String!) {{ accountDelete(input: {{password: $p}}) {{ {ERROR}
  ... on InvalidCredentialsError {{ field }} ... on AccountDeleted {{ id email }} }} }}"""
TABLES: list[type[Table]] = Finder().get_table_classes()


def _reaches_user(table: type[Table], seen: frozenset[str] = frozenset()) -> bool:
    if table is accounts.User:
        return True
    return any(_reaches_user(fk._foreign_key_meta.resolved_references, seen | {table._meta.tablename})
               for fk in table._meta.foreign_key_columns
               if fk._foreign_key_meta.resolved_references._meta.tablename not in seen)


def test_every_table_holding_a_users_rows_cascades_from_the_user() -> None:
    # A row that points at a user (or at something of theirs) must go when the user goes: a new table
    # whose foreign key forgets ON DELETE CASCADE fails here, not in production.
    owned = [t for t in TABLES if t is not accounts.User and _reaches_user(t)]
    assert {t._meta.tablename for t in owned} >= {"habit", "check_in", "journal_entry", "access_token"}
    lax = [f"{t._meta.tablename}.{fk._meta.name}" for t in owned for fk in t._meta.foreign_key_columns
           if _reaches_user(fk._foreign_key_meta.resolved_references)
           and fk._foreign_key_meta.on_delete is not OnDelete.cascade]
    assert lax == []


async def all_rows() -> dict[str, list[dict[str, Any]]]:
    return {t._meta.tablename: await t.select() for t in TABLES}


def tainted_by(rows: dict[str, list[dict[str, Any]]], user_id: str) -> set[str]:
    """The user's id and the id of every row that refers to it or to such a row, transitively."""
    tainted = {user_id}
    while True:
        more = {str(row["id"]) for table in rows.values() for row in table if "id" in row
                and str(row["id"]) not in tainted and any(str(v) in tainted for v in row.values())}
        if not more:
            return tainted
        tainted |= more


def rows_referring(rows: dict[str, list[dict[str, Any]]], ids: set[str]) -> dict[str, int]:
    found = {name: sum(1 for row in table if any(str(v) in ids for v in row.values())) for name, table in rows.items()}
    return {name: n for name, n in found.items() if n}


async def user_with_everything(api: Api) -> factories.User:
    """A user with a row in every kind of table: habits, check-ins, a skip, journal, tokens, sessions,
    and the derived state a recompute stores (confidence, achievements, unlocked steps)."""
    me = await factories.user()
    walk = await factories.habit(me, "Walk", start_date=(datetime.now(UTC) - timedelta(days=10)).date())
    for days_ago in (3, 2, 1):
        await factories.check_in(me, walk.id, occurred_at=datetime.now(UTC) - timedelta(days=days_ago))
    api.as_user(me)
    await api.data('mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename } }',
                   {"h": str(walk.id), "d": (datetime.now(UTC) - timedelta(days=4)).date().isoformat()})
    await api.data('mutation { journalEntryCreate(input: {body: "today", stepKey: "awareness"}) { __typename } }')
    await api.data('mutation { apiTokenCreate(input: {name: "script", scopes: [WRITE]}) { __typename } }')
    await api.data('mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { __typename } }',
                   {"e": me.email, "p": me.password}, token=None)
    await progress.recompute_user(me.id)
    return me


async def test_deleting_an_account_removes_every_row_of_it_and_nothing_else(api: Api) -> None:
    async with engine_without_worker() as engine:
        doomed = await user_with_everything(api)
        kept = await user_with_everything(api)
        created = await api.data('mutation { apiTokenCreate(input: {name: "s", scopes: [READ]}) '
                                 "{ ... on ApiTokenCreated { secret } } }", token=doomed.token)
        pat = created["apiTokenCreate"]["secret"]
        await factories.check_in(kept, (await factories.habit(kept, "Read")).id)  # queues kept's recompute
        await factories.check_in(doomed, (await factories.habit(doomed, "Read")).id)  # and doomed's
        await pool_of(engine).zadd(f"comeback:subscriptions:{doomed.id}", {"lease": 9e15})
        before = await all_rows()
        doomed_ids = tainted_by(before, str(doomed.id))
        kinds = rows_referring(before, doomed_ids)
        assert {"habit", "check_in", "habit_skip", "journal_entry", "access_token", "confidence_day",
                "achievement_award", "step_unlock"} <= kinds.keys()
        # a wrong password deletes nothing
        wrong = (await api.data(ACCOUNT_DELETE, {"p": "not it at all"}, token=doomed.token))["accountDelete"]
        assert (wrong["code"], wrong["field"]) == ("INVALID_CREDENTIALS", "password")
        assert await all_rows() == before
        # when the owner deletes the account with the password
        out = (await api.data(ACCOUNT_DELETE, {"p": doomed.password}, token=doomed.token))["accountDelete"]
        assert out == {"__typename": "AccountDeleted", "id": str(doomed.id), "email": doomed.email}
        after = await all_rows()
        # then no row refers to the user or to anything of theirs, in any table
        assert rows_referring(after, doomed_ids) == {}
        # and every other row is as it was
        assert {name: [r for r in rows if not any(str(v) in doomed_ids for v in r.values())]
                for name, rows in before.items()} == after
        # their tokens are refused; Redis holds no job and no key of theirs, the other user's job stays
        for token in (doomed.token, pat):
            assert await api.codes("{ me { id } }", token=token) == ["UNAUTHENTICATED"]
        queued = [j.job_id for j in await pool_of(engine).queued_jobs()]
        assert queued == [recompute_job_id(kept.id)]
        assert await pool_of(engine).exists(f"comeback:subscriptions:{doomed.id}") == 0
        assert await api.codes("{ me { id } }", token=kept.token) == []
        # a recompute that was already running finds nobody and writes nothing
        assert (await progress.recompute_user(doomed.id)).events == []
        assert await all_rows() == after
