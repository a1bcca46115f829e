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
    # Set in the same transaction as anything that changes derived state (check-ins,
    # skips, journal...); cleared by the recompute job. A lost job costs latency only.
    stale_since = Timestamptz(null=True, default=None)
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
