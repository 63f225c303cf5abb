// Runs graphql-http's server audits against the URL given as the first argument and
// prints one JSON line per audit: {id, name, status, reason}.
import { auditServer } from "graphql-http";

const url = process.argv[2];
const results = await auditServer({ url });
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") entry.reason = result.reason;
  console.log(JSON.stringify(entry));
}
