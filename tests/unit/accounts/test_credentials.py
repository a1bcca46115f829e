"""Password hashing parameters come from settings; hashes made under either profile verify under both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import extract_parameters, profiles
from pydantic import ValidationError

from server.accounts import credentials
from server.settings import Settings, get_settings


@pytest.fixture
def profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Switch the hashing profile for one test; the suite itself runs on `fast` (tests/conftest.py)."""

    def use(name: str) -> None:
        monkeypatch.setattr(get_settings(), "password_hash_profile", name)
        credentials._argon2.cache_clear()

    yield use
    monkeypatch.undo()
    credentials._argon2.cache_clear()


def test_the_suite_hashes_with_the_cheapest_parameters() -> None:
    assert get_settings().password_hash_profile == "fast"
    assert extract_parameters(credentials.hash_password("a long passphrase")) == profiles.CHEAPEST


def test_unless_told_otherwise_hashes_use_argon2_cffis_recommended_profile(profile) -> None:  # type: ignore[no-untyped-def]
    assert Settings.model_fields["password_hash_profile"].default == "default"
    profile("default")
    assert extract_parameters(credentials.hash_password("a long passphrase")) == profiles.get_default_parameters()


def test_hashes_of_either_profile_verify_under_the_other(profile) -> None:  # type: ignore[no-untyped-def]
    # given one hash made under each profile
    profile("default")
    strong = credentials.hash_password("a long passphrase")
    profile("fast")
    cheap = credentials.hash_password("a long passphrase")

    # then each carries its own parameters, and both verify (and refuse a wrong password) under both
    assert extract_parameters(strong) == profiles.get_default_parameters()
    assert extract_parameters(cheap) == profiles.CHEAPEST
    for current in ("fast", "default"):
        profile(current)
        assert [credentials.verify_password(h, "a long passphrase") for h in (strong, cheap)] == [True, True]
        assert [credentials.verify_password(h, "wrong passphrase") for h in (strong, cheap)] == [False, False]


def test_an_unknown_account_is_checked_against_a_hash_of_the_current_profile(profile) -> None:  # type: ignore[no-untyped-def]
    for name, parameters in (("fast", profiles.CHEAPEST), ("default", profiles.get_default_parameters())):
        profile(name)
        assert credentials.verify_password(None, "anything at all") is False
        assert extract_parameters(credentials._argon2()[1]) == parameters


def test_production_refuses_the_cheap_profile() -> None:
    with pytest.raises(ValidationError, match="for tests"):
        Settings(env="production", password_hash_profile="fast")
