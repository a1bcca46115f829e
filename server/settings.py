"""The only module that reads the environment.

Everything else asks `get_settings()`; tests build their own `Settings` and pass
them to `create_app` when they need something different.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMEBACK_", extra="ignore")

    # DATABASE_URL / REDIS_URL are the conventional un-prefixed names; unset means embedded.
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL"))
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    env: Literal["development", "production"] = "development"
    # None means "on in development, off in production".
    graphiql: bool | None = None
    introspection: bool | None = None
    session_days: int = 30
    db_pool_max: int = 10
    log_level: str = "INFO"
    # Larger request bodies are refused with 413 before any parsing.
    max_body_bytes: int = 1024 * 1024
    # A background job's time limit; a job whose worker died is taken up again ~10 s after it.
    job_timeout_seconds: int = 60
    # The arq worker runs inside `serve` when no REDIS_URL is configured; this forces it either way.
    embedded_worker: bool | None = None
    # How often a worker asks Redis for queued jobs (one Redis command per poll while idle). Jobs we
    # queue start at once (the worker is woken on enqueue); the poll finds anything else: retries,
    # and jobs queued while a worker was not listening (bench/README.md measures both).
    worker_poll_seconds: float = Field(default=0.5, gt=0, le=5)
    # Requests per minute per API token (all authenticated requests), per client IP for anonymous
    # requests, and signUp/logIn attempts per minute per client IP; 0 disables a limit. Counted in
    # Redis, or per process while Redis is down.
    rate_limit_per_minute: int = 600
    anonymous_rate_limit_per_minute: int = 120
    auth_rate_limit_per_minute: int = 10
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks,
    # e.g. "10.0.0.5,192.168.0.0/16"). Empty: the peer's own address is the client's, always.
    trusted_proxies: str = ""
    # argon2id parameters for new password hashes: `default` is argon2-cffi's recommended profile;
    # `fast` is its cheapest, for test suites only. Either verifies the other's hashes (argon2 stores
    # its parameters in each hash), so switching never locks anyone out.
    password_hash_profile: Literal["default", "fast"] = "default"
    # Web Push: the VAPID `sub` claim push services may use to reach the operator (mailto: or https:).
    vapid_subject: str = "mailto:admin@localhost"
    # Push endpoints on loopback or private networks (and plain http) are refused unless this is on:
    # the test suite's loopback push service needs it; production push services are public HTTPS.
    push_allow_private: bool = False
    # Webhooks may call loopback, private, link-local and reserved addresses (and plain http): for
    # receivers on this machine or network only; the default refuses them (server/webhooks/targets.py).
    webhook_allow_private: bool = False
    # The first retry's delay; each later one waits four times longer (server/webhooks/backoff.py).
    webhook_retry_base_seconds: float = Field(default=10.0, gt=0)
    # The whole of one delivery attempt (connect, send, answer) is cut off after this.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Resolved once, so a later chdir (or a worker started elsewhere) finds the same files.
        return value.expanduser().resolve()

    @field_validator("database_url", "redis_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _no_cheap_hashes_in_production(self) -> Settings:
        if self.env == "production" and self.password_hash_profile == "fast":
            raise ValueError("COMEBACK_PASSWORD_HASH_PROFILE=fast is for tests; production keeps the default")
        return self

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "comeback.sqlite3"

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.env == "development"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else self.env == "development"

    @property
    def runs_embedded_worker(self) -> bool:
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.redis_url is None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
