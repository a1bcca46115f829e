"""Accounts tables. `user` is reserved in PostgreSQL, hence `app_user`."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table


class User(Table, tablename="app_user"):
    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)  # normalised (trimmed, lower-cased)
    password_hash = Text()
    display_name = Varchar(length=80, null=True, default=None)
    timezone = Varchar(length=64, default="UTC")
    day_start_hour = Integer(default=0)
    created_at = Timestamptz()
    # Derived state (confidence, awards, unlocks) is stale while stale_version > derived_version.
    # Every change to what it derives from bumps stale_version in its own transaction (the unit of
    # work's mark_stale); a recompute records the stale_version it read first as derived_version,
    # compare-and-set (server/progress/repository.py: finish). Integers from one database, never
    # clocks of different processes.
    stale_version = Integer(default=0)
    derived_version = Integer(default=0)
    # When the user became stale (kept until a recompute catches up, NULL while fresh): the sweep
    # re-enqueues users stale for more than a moment. A lost job costs latency only.
    stale_since = Timestamptz(null=True, default=None)
    # While stale: the earliest local day whose confidence a pending change may alter (NULL: any day
    # of the window). Confidence on a day reads only the data of that day and before, so the
    # recompute keeps the stored scores of the days before it (issue 13: a 3-year user costs what a
    # 30-day one does). Merged to the earliest in SQL by every mark; meaningless while fresh.
    stale_from = Date(null=True, default=None)
    # The user's local day when derived state was last computed: the daily roll-over
    # recomputes everyone whose day has changed since (strength decays without requests).
    derived_for = Date(null=True, default=None)


class AccessToken(Table, tablename="access_token"):
    """Session tokens and personal access tokens; only a SHA-256 of the secret is kept."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)  # SESSION | PERSONAL
    name = Varchar(length=80, null=True, default=None)
    scopes = Varchar(length=32)  # comma-separated: READ,WRITE
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # Written at most once a minute per token (see service.authenticate), never on every request.
    last_used_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=200, null=True, default=None)  # of the client that signed in (sessions)
