"""The authorization sweep: generated from the schema, so a new field cannot escape it.

- Every field that takes an ID (an `ID` argument, or an input holding an ID at any depth), at the
  root or nested in any object type, must have an entry in PROBES saying how to aim it at the
  owner's objects; an unregistered one fails the sweep. A second user calling it gets `null`
  (queries) or `NOT_FOUND` (mutations), and the owner's data, read back whole, is unchanged.
- Every other query field, called by the second user, answers without any of the owner's data.
- Every mutation (the second user's arguments generated from the schema) leaves the owner unchanged.
- A READ token is refused every mutation (FORBIDDEN); only signUp and logIn ignore the token.
- Revoked and expired tokens are refused at once, including on an open WebSocket subscription,
  and a subscription delivers only its owner's events (tests/integration/test_live_authorization.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_input_object_type,
)

from server import clock
from server.graphql.admission import PUBLIC_FIELDS
from server.graphql.schema import build_schema
from tests import factories
from tests.integration.api import Api

SCHEMA: GraphQLSchema = build_schema()._schema


@dataclass
class Owner:
    """The first user and everything they own; `marks` are strings no one else may ever see."""

    token: str
    email: str
    user_id: str
    habit_id: str
    check_in_id: str
    token_id: str
    token_secret: str
    journal_id: str
    skipped_day: str
    pause_id: str
    session_id: str
    reminder_id: str
    webhook_id: str
    webhook_secret: str
    marks: list[str] = field(default_factory=list)


@dataclass
class Probe:
    """How to aim an ID-taking field at the owner's objects, and what the intruder must get back."""

    query: Callable[[Owner], str]
    variables: Callable[[Owner], dict[str, Any]]
    # Checks the intruder's response document; the default says null (query) / NOT_FOUND (mutation).
    check: Callable[[dict[str, Any]], None] | None = None


NOT_FOUND_SELECTION = "{ __typename ... on Error { code } }"


def _mutation(name: str, signature: str, arguments: str) -> Callable[[Owner], str]:
    return lambda _o: f"mutation({signature}) {{ {name}({arguments}) {NOT_FOUND_SELECTION} }}"


def _import_check(doc: dict[str, Any]) -> None:
    result = doc["data"]["checkInsImport"]
    assert result["__typename"] in ("ImportRejectedError", "InvalidInputError"), result
    if result["__typename"] == "ImportRejectedError":
        assert result["report"]["created"] == 0
        assert [r["code"] for r in result["report"]["rows"]] == ["NOT_FOUND"]


def _reorder_check(doc: dict[str, Any]) -> None:
    # habitsReorder answers a plain list: a stranger's id is a top-level NOT_FOUND.
    assert doc.get("data") is None and [e["extensions"]["code"] for e in doc["errors"]] == ["NOT_FOUND"], doc


# Every field taking an ID, by "Type.field". A new one without an entry fails test_every_id_field_is_probed.
PROBES: dict[str, Probe] = {
    "Query.habit": Probe(lambda _o: "query($id: ID!) { habit(id: $id) { id name } }",
                         lambda o: {"id": o.habit_id}),
    "Mutation.apiTokenRevoke": Probe(_mutation("apiTokenRevoke", "$id: ID!", "id: $id"), lambda o: {"id": o.token_id}),
    "Mutation.habitUpdate": Probe(_mutation("habitUpdate", "$id: ID!", 'id: $id, input: {name: "stolen"}'),
                                  lambda o: {"id": o.habit_id}),
    "Mutation.habitArchive": Probe(_mutation("habitArchive", "$id: ID!", "id: $id"), lambda o: {"id": o.habit_id}),
    "Mutation.habitRestore": Probe(_mutation("habitRestore", "$id: ID!", "id: $id"), lambda o: {"id": o.habit_id}),
    "Mutation.habitCheckIn": Probe(_mutation("habitCheckIn", "$h: ID!", 'input: {habitId: $h, note: "intruder"}'),
                                   lambda o: {"h": o.habit_id}),
    "Mutation.reminderSet": Probe(_mutation("reminderSet", "$h: ID!", 'habitId: $h, input: {time: "05:00"}'),
                                  lambda o: {"h": o.habit_id}),
    "Mutation.reminderDelete": Probe(_mutation("reminderDelete", "$id: ID!", "id: $id"),
                                     lambda o: {"id": o.reminder_id}),
    "Mutation.checkInUndo": Probe(_mutation("checkInUndo", "$id: ID!", "id: $id"), lambda o: {"id": o.check_in_id}),
    "Mutation.habitSkip": Probe(_mutation("habitSkip", "$h: ID!, $d: Date!", "habitId: $h, day: $d"),
                                lambda o: {"h": o.habit_id, "d": date.today().isoformat()}),
    "Mutation.habitUnskip": Probe(_mutation("habitUnskip", "$h: ID!, $d: Date!", "habitId: $h, day: $d"),
                                  lambda o: {"h": o.habit_id, "d": o.skipped_day}),
    "Mutation.habitDelete": Probe(_mutation("habitDelete", "$id: ID!", "id: $id"), lambda o: {"id": o.habit_id}),
    "Mutation.habitsReorder": Probe(lambda _o: "mutation($ids: [ID!]!) { habitsReorder(ids: $ids) { id name } }",
                                    lambda o: {"ids": [o.habit_id]}, _reorder_check),
    "Mutation.pauseCreate": Probe(_mutation("pauseCreate", "$h: ID!, $d: Date!",
                                            "input: {habitIds: [$h], from: $d, to: $d}"),
                                  lambda o: {"h": o.habit_id, "d": date.today().isoformat()}),
    "Mutation.pauseDelete": Probe(_mutation("pauseDelete", "$id: ID!", "id: $id"), lambda o: {"id": o.pause_id}),
    "Mutation.sessionRevoke": Probe(_mutation("sessionRevoke", "$id: ID!", "id: $id"), lambda o: {"id": o.session_id}),
    "Mutation.journalEntryUpdate": Probe(
        _mutation("journalEntryUpdate", "$id: ID!", 'id: $id, input: {body: "stolen"}'),
        lambda o: {"id": o.journal_id}),
    "Mutation.journalEntryDelete": Probe(_mutation("journalEntryDelete", "$id: ID!", "id: $id"),
                                         lambda o: {"id": o.journal_id}),
    "Mutation.checkInsImport": Probe(
        lambda _o: """mutation($h: ID!, $at: DateTime!) { checkInsImport(input: {rows: [{habitId: $h, occurredAt: $at}],
          skips: []}) { __typename ... on Error { code }
          ... on ImportRejectedError { report { created rows { code } } } } }""",
        lambda o: {"h": o.habit_id, "at": datetime.now(UTC).isoformat()}, _import_check),
    "Mutation.webhookDelete": Probe(_mutation("webhookDelete", "$id: ID!", "id: $id"), lambda o: {"id": o.webhook_id}),
    "Mutation.webhookTest": Probe(_mutation("webhookTest", "$id: ID!", "id: $id"), lambda o: {"id": o.webhook_id}),
}

# Per mutation: arguments the generated ones cannot guess (e.g. a step key that exists).
MUTATION_ARGUMENTS: dict[str, dict[str, Any]] = {
    "starterKitAdopt": {"stepKey": "awareness"},
}

OWNER_SNAPSHOT = """{
  me { id email displayName timezone dayStartHour createdAt }
  apiTokens { id name scopes createdAt revokedAt }
  sessions { id createdAt userAgent current }
  habits(includeArchived: true) {
    id name category kind schedule { period weekdays timesPerWeek } targetQuantity unit startDate archived
    currentStreak longestStreak streakUnit strength freezesHeld
    checkIns(first: 30) { edges { node { id occurredAt day quantity note source undone } } }
    reminders { id time weekdays enabled nextDueAt }
  }
  pushSubscriptions { endpoint userAgent }
  journalEntries(first: 100) { edges { node { id prompt body stepKey day createdAt } } }
  pauses { id from to reason createdAt habits { id } }
  achievements { key unlocked unlockedAt current target }
  program { steps { key unlocked unlockedAt } }
  webhooks { id url events enabled lastError deliveries { id event status } }
}"""


async def owner_snapshot(api: Api, owner: Owner) -> dict[str, Any]:
    data = await api.data(OWNER_SNAPSHOT, token=owner.token)
    days = await api.data('query($id: ID!) { habit(id: $id) { days(from: "' + (date.today() - timedelta(days=5))
                          .isoformat() + '", to: "' + date.today().isoformat() + '") { date quantity status } } }',
                          {"id": owner.habit_id}, token=owner.token)
    return {**data, "days": days}


async def make_owner(api: Api) -> Owner:
    mark = uuid.uuid4().hex[:12]
    email = f"owner-{mark}@example.com"
    me = await factories.user(email)
    api.as_user(me)
    start = (date.today() - timedelta(days=3)).isoformat()
    habit = await api.create_habit(name=f"secret-habit-{mark}", startDate=start, unit=f"u{mark[:8]}")
    check_in = await api.check_in(habit["id"], note=f"secret-note-{mark}", idempotencyKey=f"key-{mark}")
    skipped = (date.today() - timedelta(days=1)).isoformat()
    skip = await api.data('mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename } }',
                          {"h": habit["id"], "d": skipped})
    assert skip["habitSkip"]["__typename"] == "Habit"
    entry = await api.data('mutation($b: String!) { journalEntryCreate(input: {body: $b}) '
                           '{ ... on JournalEntry { id } } }',
                           {"b": f"secret-journal-{mark}"})
    pause = await api.data('mutation($h: ID!, $d: Date!, $r: String!) { pauseCreate(input: {habitIds: [$h], '
                           'from: $d, to: $d, reason: $r}) { ... on Pause { id } } }',
                           {"h": habit["id"], "d": start, "r": f"secret-pause-{mark}"})
    created = await api.data(f'mutation {{ apiTokenCreate(input: {{name: "secret-token-{mark}", scopes: [WRITE]}}) '
                             "{ ... on ApiTokenCreated { secret apiToken { id } } } }")
    token = created["apiTokenCreate"]
    session = next(s["id"] for s in (await api.data("{ sessions { id current } }"))["sessions"] if s["current"])
    reminder = await api.data('mutation($h: ID!) { reminderSet(habitId: $h, input: {time: "07:30"}) '
                              '{ ... on Reminder { id } } }', {"h": habit["id"]})
    push = await api.data("mutation($i: PushSubscriptionInput!) { pushSubscriptionAdd(input: $i) { __typename } }",
                          {"i": {"endpoint": f"https://push.example.com/secret-{mark}", "p256dh": "BA" + "A" * 85,
                                 "auth": "A" * 22, "userAgent": f"secret-agent-{mark}"}})
    assert push["pushSubscriptionAdd"]["__typename"] == "PushSubscription"
    # A literal public address: creating it needs no DNS, and no event it subscribes to happens here.
    hook = await api.data('mutation($u: String!) { webhookCreate(input: {url: $u, events: [REMINDER_DUE]}) '
                          "{ ... on WebhookCreated { secret webhook { id } } } }",
                          {"u": f"https://1.1.1.1/secret-hook-{mark}"})
    owner = Owner(token=me.token, email=email, user_id=str(me.id), habit_id=habit["id"],
                  check_in_id=check_in["id"], token_id=token["apiToken"]["id"], token_secret=token["secret"],
                  journal_id=entry["journalEntryCreate"]["id"], skipped_day=skipped,
                  pause_id=pause["pauseCreate"]["id"], session_id=session,
                  reminder_id=reminder["reminderSet"]["id"],
                  webhook_id=hook["webhookCreate"]["webhook"]["id"], webhook_secret=hook["webhookCreate"]["secret"])
    owner.marks = [mark, email, owner.user_id, owner.habit_id, owner.check_in_id, owner.token_id, owner.token_secret,
                   owner.journal_id, owner.token, owner.pause_id, owner.session_id, owner.reminder_id,
                   owner.webhook_id, owner.webhook_secret]
    return owner


# --- walking the schema ---------------------------------------------------------------------------------------

def takes_id(type_: GraphQLInputType, seen: frozenset[str] = frozenset()) -> bool:
    """An ID, or an input object (or list) holding one at any depth."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType):
        return named.name == "ID"
    if is_input_object_type(named) and named.name not in seen:
        assert isinstance(named, GraphQLInputObjectType)
        return any(takes_id(f.type, seen | {named.name}) for f in named.fields.values())
    return False


def id_fields(schema: GraphQLSchema) -> set[str]:
    """Every "Type.field" of an output type (root or nested) with an argument that takes an ID."""
    found = set()
    for type_ in schema.type_map.values():
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)) and not type_.name.startswith("__"):
            for name, f in type_.fields.items():
                if any(takes_id(arg.type) for arg in f.args.values()):
                    found.add(f"{type_.name}.{name}")
    return found


def sample(type_: GraphQLInputType) -> Any:
    """A plausible value of an input type (required input fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {name: sample(f.type) for name, f in type_.fields.items()
                if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined}
    scalars: dict[str, Any] = {"String": "sweep", "ID": str(uuid.uuid4()), "Int": 1, "Float": 1.0, "Boolean": False,
                               "Date": date.today().isoformat(), "DateTime": clock.now().isoformat()}
    assert isinstance(type_, GraphQLScalarType)
    return scalars.get(type_.name, {})


def full_selection(type_: Any, depth: int = 4) -> str:
    """Every field without required arguments, objects followed `depth` levels down, unions through members."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLUnionType):
        members = " ".join(f"... on {m.name} {full_selection(m, depth)}" for m in named.types)
        return f"{{ __typename {members} }}"
    if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
        return ""
    parts = ["__typename"]
    for name, f in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined for a in f.args.values()):
            continue
        inner = get_named_type(f.type)
        if isinstance(inner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            if depth > 1:
                parts.append(f"{name} {full_selection(inner, depth - 1)}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }"


def selection(type_: Any) -> str:
    named = get_named_type(type_)
    if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
        return "{ __typename ... on Error { code message } }"
    return ""


def generated(operation: str, name: str, f: GraphQLField) -> tuple[str, dict[str, Any]]:
    """An operation calling one root field with generated values for its required arguments."""
    required = {a: arg for a, arg in f.args.items() if isinstance(arg.type, GraphQLNonNull)}
    values = {a: sample(arg.type) for a, arg in required.items()}
    values.update(MUTATION_ARGUMENTS.get(name, {}))
    signature = ", ".join(f"${a}: {arg.type}" for a, arg in required.items())
    arguments = ", ".join(f"{a}: ${a}" for a in required)
    query = (f"{operation}{f'({signature})' if signature else ''} "
             f"{{ {name}{f'({arguments})' if arguments else ''} {selection(f.type)} }}")
    return query, values


# --- the tests -------------------------------------------------------------------------------------------------

def test_every_id_field_is_probed() -> None:
    # A new field taking an ID must say, in PROBES, how a stranger could aim it at someone else's object.
    unprobed = id_fields(SCHEMA) - PROBES.keys()
    assert not unprobed, f"register these ID-taking fields in PROBES: {sorted(unprobed)}"
    assert not PROBES.keys() - id_fields(SCHEMA), "PROBES lists fields the schema no longer has"


async def test_strangers_get_null_or_not_found_and_the_owner_is_unchanged(api: Api) -> None:
    owner = await make_owner(api)
    before = await owner_snapshot(api, owner)
    api.as_user(await factories.user())
    for key, probe in sorted(PROBES.items()):
        doc = await api.post(probe.query(owner), probe.variables(owner))
        if probe.check is not None:
            probe.check(doc)
        else:
            assert not doc.get("errors"), (key, doc)
            value = doc["data"][key.split(".")[1]]
            if key.startswith("Query."):
                assert value is None, (key, doc)
            else:
                assert (value["__typename"], value.get("code")) == ("NotFoundError", "NOT_FOUND"), (key, doc)
        leaked = [m for m in owner.marks if m in json.dumps(doc)]
        assert not leaked, (key, leaked)
    assert await owner_snapshot(api, owner) == before


async def test_every_query_field_answers_a_stranger_without_the_owners_data(api: Api) -> None:
    owner = await make_owner(api)
    await make_owner(api)  # a stranger with data of their own, so every nested field resolves something
    assert SCHEMA.query_type is not None
    asked = []
    for name, f in SCHEMA.query_type.fields.items():
        if f"Query.{name}" in PROBES:
            continue
        query, variables = generated("query", name, f)
        query = query.replace(selection(f.type), full_selection(f.type))
        doc = await api.post(query, variables)
        assert not doc.get("errors"), (name, doc)
        asked.append(name)
        leaked = [m for m in owner.marks if m in json.dumps(doc)]
        assert not leaked, (name, leaked, doc)
    assert {"me", "habits", "journalEntries", "apiTokens"} <= set(asked)


async def test_every_mutation_by_a_stranger_leaves_the_owner_unchanged(api: Api) -> None:
    owner = await make_owner(api)
    before = await owner_snapshot(api, owner)
    await make_owner(api)
    assert SCHEMA.mutation_type is not None
    # ending the stranger's own sessions last, so every other mutation runs signed in
    names = sorted(SCHEMA.mutation_type.fields, key=lambda n: n in ("logOut", "logOutEverywhere"))
    for name in names:
        probe = PROBES.get(f"Mutation.{name}")
        if probe is not None:
            query, variables = probe.query(owner), probe.variables(owner)
        else:
            query, variables = generated("mutation", name, SCHEMA.mutation_type.fields[name])
        doc = await api.post(query, variables)
        assert not [e for e in doc.get("errors") or [] if e["extensions"]["code"] == "INTERNAL"], (name, doc)
        leaked = [m for m in owner.marks if m in json.dumps(doc)]
        assert not leaked, (name, leaked)
    assert await owner_snapshot(api, owner) == before


async def test_a_read_token_is_refused_every_mutation(api: Api) -> None:
    owner = await make_owner(api)
    created = await api.data('mutation { apiTokenCreate(input: {name: "reader", scopes: [READ]}) '
                             "{ ... on ApiTokenCreated { secret } } }", token=owner.token)
    reader = created["apiTokenCreate"]["secret"]
    before = await owner_snapshot(api, owner)
    assert SCHEMA.mutation_type is not None
    refused = []
    for name, f in SCHEMA.mutation_type.fields.items():
        if name in PUBLIC_FIELDS:  # signUp and logIn answer without a token: they ignore it
            continue
        probe = PROBES.get(f"Mutation.{name}")
        query, variables = (probe.query(owner), probe.variables(owner)) if probe else generated("mutation", name, f)
        doc = await api.post(query, variables, token=reader)
        assert [e["extensions"]["code"] for e in doc.get("errors") or []] == ["FORBIDDEN"], (name, doc)
        assert "data" not in doc or doc["data"] is None, (name, doc)
        refused.append(name)
    assert set(SCHEMA.mutation_type.fields) - set(refused) == {"signUp", "logIn"}
    assert await owner_snapshot(api, owner) == before
    # and the reader still reads
    assert (await api.data("{ me { id } }", token=reader))["me"]["id"] == owner.user_id


async def test_revoked_and_expired_tokens_are_refused_at_once(api: Api) -> None:
    owner = await make_owner(api)
    assert (await api.data("{ me { id } }", token=owner.token_secret))["me"]["id"] == owner.user_id
    revoked = await api.data('mutation($id: ID!) { apiTokenRevoke(id: $id) { __typename } }', {"id": owner.token_id},
                             token=owner.token)
    assert revoked["apiTokenRevoke"]["__typename"] == "ApiToken"
    assert await api.codes("{ me { id } }", token=owner.token_secret) == ["UNAUTHENTICATED"]
    # a session expires after COMEBACK_SESSION_DAYS (30): a second before, it works; at the limit, it does not
    session = await api.data('mutation($e: String!) { logIn(input: {email: $e, password: "correct horse battery"}) '
                             "{ ... on AuthPayload { token } } }", {"e": owner.email}, token=None)
    fresh = session["logIn"]["token"]
    try:
        clock.travel(timedelta(days=30, seconds=-1))
        assert (await api.data("{ me { id } }", token=fresh))["me"]["id"] == owner.user_id
        clock.travel(timedelta(days=30))
        assert await api.codes("{ me { id } }", token=fresh) == ["UNAUTHENTICATED"]
        assert await api.codes(OWNER_SNAPSHOT, token=fresh) == ["UNAUTHENTICATED"]
    finally:
        clock.travel(timedelta(0))
    # personal access tokens do not expire by time
    assert await api.codes("{ me { id } }", token=owner.token) == []



async def test_importing_someone_elses_export_copies_nothing_of_theirs_into_place(api: Api) -> None:
    # an export carries the owner's ids; imported by a stranger, they must not reach the owner's rows
    owner = await make_owner(api)
    exported = (await api.data("{ export }", token=owner.token))["export"]
    before = await owner_snapshot(api, owner)
    api.as_user(await factories.user())
    doc = await api.post("mutation($d: JSON!) { accountImport(input: {data: $d}) { __typename ... on Error { code } "
                         "... on AccountImportReport { habitsCreated checkInsCreated unchanged } } }", {"d": exported})
    assert not doc.get("errors"), doc
    report = doc["data"]["accountImport"]
    assert await owner_snapshot(api, owner) == before
    if report["__typename"] == "AccountImportReport":
        assert report["unchanged"] == 0  # nothing of the owner's counted as already the stranger's
        mine = (await api.data("{ habits(includeArchived: true) { id } }"))["habits"]
        assert owner.habit_id not in {h["id"] for h in mine}
