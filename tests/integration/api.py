"""A small GraphQL client for the tests, and a counter of SQL statements."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.factories import User

ERROR = "__typename ... on Error { code message }"
FIELD = "... on InvalidInputError { field }"
HABIT = ("id name category kind schedule { period weekdays timesPerWeek } targetQuantity unit startDate "
         "archived currentStreak longestStreak streakUnit strength doneToday freezesHeld")
CHECK_IN = "id occurredAt day quantity note source undone habit { id }"

SIGN_UP = f"""mutation($input: SignUpInput!) {{ signUp(input: $input) {{ {ERROR} {FIELD}
  ... on AuthPayload {{ token user {{ id email timezone dayStartHour displayName }} }} }} }}"""
HABIT_CREATE = f"""mutation($input: HabitCreateInput!) {{ habitCreate(input: $input) {{ {ERROR} {FIELD}
  ... on OutOfRangeError {{ field }} ... on Habit {{ {HABIT} }} }} }}"""
CHECK_IN_MUTATION = f"""mutation($input: HabitCheckInInput!) {{ habitCheckIn(input: $input) {{ {ERROR} {FIELD}
  ... on OutOfRangeError {{ field }} ... on DuplicateError {{ field }} ... on CheckIn {{ {CHECK_IN} }} }} }}"""
HABIT_QUERY = f"query($id: ID!) {{ habit(id: $id) {{ {HABIT} }} }}"


class GraphQLFailure(AssertionError):
    pass


class Api:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | object | None = ..., headers: dict[str, str] | None = None) -> dict[str, Any]:
        """The whole response document; `token=None` sends no Authorization header."""
        use = self.token if token is ... else token
        h = {"Authorization": f"Bearer {use}"} if use else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                        headers={**h, **(headers or {})})
        assert response.status_code < 500, response.text
        doc: dict[str, Any] = response.json()
        return doc

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | object | None = ...) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        doc = await self.post(query, variables, token)
        if doc.get("errors"):
            raise GraphQLFailure(doc["errors"])
        data: dict[str, Any] = doc["data"]
        return data

    async def codes(self, query: str, variables: dict[str, Any] | None = None,
                    token: str | object | None = ...) -> list[str]:
        doc = await self.post(query, variables, token)
        return [e.get("extensions", {}).get("code") for e in doc.get("errors") or []]

    def as_user(self, user: User) -> Api:
        """Send a factory-made user's session token from now on (tests.factories.user)."""
        self.token = user.token
        return self

    async def sign_up(self, email: str | None = None, password: str = "correct horse battery",
                      timezone: str | None = "UTC") -> dict[str, Any]:
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        out = (await self.data(SIGN_UP, {"input": {"email": email, "password": password,
                                                    "timezone": timezone}}, token=None))["signUp"]
        assert out["__typename"] == "AuthPayload", out
        self.token = out["token"]
        return out

    async def create_habit(self, **fields: Any) -> dict[str, Any]:
        payload = {"name": "Walk", "category": "WORKOUT", "kind": "BUILD", "schedule": {"period": "DAILY"}}
        payload.update(fields)
        result: dict[str, Any] = (await self.data(HABIT_CREATE, {"input": payload}))["habitCreate"]
        return result

    async def check_in(self, habit_id: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = (await self.data(CHECK_IN_MUTATION,
                                                  {"input": {"habitId": habit_id, **fields}}))["habitCheckIn"]
        return result

    async def habit(self, habit_id: str, fields: str = HABIT) -> dict[str, Any] | None:
        data = await self.data(f"query($id: ID!) {{ habit(id: $id) {{ {fields} }} }}", {"id": habit_id})
        habit: dict[str, Any] | None = data["habit"]
        return habit
