"""The enum-typed fields added beside v1's strings (issue 17): the same values, with Category's names."""

from __future__ import annotations

from uuid import UUID

from server.habits.model import Category
from server.progress import service
from tests import factories
from tests.integration.api import Api


async def test_confidence_parts_and_requirement_kinds_as_enums_beside_the_deprecated_strings(api: Api) -> None:
    user = await factories.user()
    await factories.habit(user, "Garden", category=Category.CUSTOM)
    await factories.habit(user, "Walk", category=Category.WORKOUT)
    api.as_user(user)
    await service.recompute_user(UUID(str(user.id)))

    data = await api.data("""{ confidence { components { key part } }
        program { steps { requirements { kind requirementKind } } } }""")

    parts = {c["key"]: c["part"] for c in data["confidence"]["components"]}
    assert parts["OTHER"] == "CUSTOM" and parts["WORKOUT"] == "WORKOUT"
    assert all(key == part for key, part in parts.items() if key != "OTHER")
    requirements = [r for step in data["program"]["steps"] for r in step["requirements"]]
    assert requirements and all(r["kind"] == r["requirementKind"] for r in requirements)
