// Runs the graphql-http server audit (GraphQL over HTTP spec) against a running server.
// Usage: node tests/compliance/audit.mjs http://127.0.0.1:8000/graphql
// Prints one line per audit and a JSON summary on the last line; exits 1 if any MUST or
// SHOULD audit did not pass (MAY audits are reported, not required).
import { auditServer } from 'graphql-http';

const url = process.argv[2] || process.env.COMEBACK_AUDIT_URL || 'http://127.0.0.1:8000/graphql';
const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failed = [];
for (const result of results) {
  counts[result.status] += 1;
  const level = result.name.split(' ')[0];
  let line = `${result.status.padEnd(6)} ${result.id} ${result.name}`;
  if (result.status !== 'ok') {
    line += ` -- ${result.reason}`;
    if (level === 'MUST' || level === 'SHOULD') failed.push(result.id);
  }
  console.log(line);
}
const byLevel = {};
for (const result of results) {
  const level = result.name.split(' ')[0];
  byLevel[level] ??= { total: 0, ok: 0 };
  byLevel[level].total += 1;
  if (result.status === 'ok') byLevel[level].ok += 1;
}
console.log(JSON.stringify({ total: results.length, counts, byLevel, failed }));
process.exit(failed.length ? 1 : 0);
