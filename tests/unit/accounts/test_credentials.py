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


def test_hashes_of_either_profile_verify_under_the_other(profile) -> None:  # type: ignore[no-untyped-def]
    # given one hash made under each profile, each carrying its own parameters
    profile("fast")
    cheap = credentials.hash_password("a long passphrase")
    profile("default")
    strong = credentials.hash_password("a long passphrase")
    assert extract_parameters(cheap) == profiles.CHEAPEST
    assert extract_parameters(strong) == profiles.get_default_parameters()

    # then each verifies (and refuses a wrong password) under the other profile
    assert [credentials.verify_password(cheap, p) for p in ("a long passphrase", "wrong passphrase")] == [True, False]
    profile("fast")
    assert [credentials.verify_password(strong, p) for p in ("a long passphrase", "wrong passphrase")] == [True, False]


def test_unless_told_otherwise_hashes_use_argon2_cffis_recommended_profile(profile) -> None:  # type: ignore[no-untyped-def]
    assert Settings.model_fields["password_hash_profile"].default == "default"
    profile("default")
    hasher, dummy = credentials._argon2()
    assert hasher.check_needs_rehash(credentials.hash_password("a long passphrase")) is False
    # an unknown account is checked against a dummy of the same cost as real hashes
    assert extract_parameters(dummy) == profiles.get_default_parameters()
    assert credentials.verify_password(None, "a long passphrase") is False


def test_production_refuses_the_cheap_profile() -> None:
    with pytest.raises(ValidationError, match="for tests"):
        Settings(env="production", password_hash_profile="fast")
