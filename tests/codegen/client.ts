// A typed call of each operation: `tsc --strict` proves the generated types fit real use.
import type {
  CheckInMutation,
  CheckInMutationVariables,
  TodayQuery,
  TodayQueryVariables,
} from "./generated/operations";

const TODAY = `query Today($from: Date!, $to: Date!) { me { today timezone } habits { id name kind unit
  targetQuantity currentStreak streakUnit strength doneToday days(from: $from, to: $to) { date status quantity }
  checkIns(first: 3) { totalCount edges { node { id occurredAt quantity } } } } }`;
const CHECK_IN = `mutation CheckIn($input: HabitCheckInInput!) { habitCheckIn(input: $input) { __typename
  ... on CheckIn { id day habit { currentStreak } } ... on Error { code message field } } }`;

async function graphql<Data, Variables>(url: string, token: string, query: string, variables: Variables): Promise<Data> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Data; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    throw new Error(body.errors?.[0]?.extensions?.code ?? `HTTP ${response.status}`);
  }
  return body.data;
}

export async function logFirstUnfinished(url: string, token: string, day: string): Promise<string> {
  const today = await graphql<TodayQuery, TodayQueryVariables>(url, token, TODAY, { from: day, to: day });
  const habit = today.habits.find((h) => !h.doneToday && h.kind === "BUILD");
  if (!habit) return "all done";
  const status: string = habit.days[0]?.status ?? "NOT_DUE";
  const variables: CheckInMutationVariables = {
    input: { habitId: habit.id, quantity: habit.targetQuantity, idempotencyKey: `${habit.id}-${today.me.today}` },
  };
  const result = (await graphql<CheckInMutation, CheckInMutationVariables>(url, token, CHECK_IN, variables)).habitCheckIn;
  switch (result.__typename) {
    case "CheckIn":
      return `${habit.name} (${status}): streak ${result.habit.currentStreak} ${habit.streakUnit.toLowerCase()}`;
    default:
      return `${result.code}: ${result.message}${result.field ? ` (${result.field})` : ""}`;
  }
}
