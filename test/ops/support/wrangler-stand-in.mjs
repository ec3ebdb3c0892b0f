#!/usr/bin/env node
/**
 * A recording stand-in for `wrangler`'s account commands (Cloudflare's API cannot be reached from
 * tests): put first on PATH, it appends every call to $STANDIN_DIR/calls.jsonl and keeps the
 * "account" (buckets, namespaces, queues, objects, deployments, secret names) in
 * $STANDIN_DIR/account.json, answering in wrangler 4.86's output formats. $STANDIN_FAIL names a
 * command ("deploy", "r2 bucket create", "queues create edgerec-staging-events-dlq", …) that fails
 * while it is set, to check that a failed step stops the chain. `queues list` pages by
 * $STANDIN_QUEUE_PAGE_SIZE queues (default 100; Cloudflare's own page size is not documented in
 * wrangler, so the deploy must page until it finds its queues or a page is empty).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.STANDIN_DIR;
if (!dir) {
  process.stderr.write("wrangler stand-in: STANDIN_DIR is not set\n");
  process.exit(2);
}
const args = process.argv.slice(2);
appendFileSync(join(dir, "calls.jsonl"), JSON.stringify({ args, token: Boolean(process.env.CLOUDFLARE_API_TOKEN) }) + "\n");
const accountFile = join(dir, "account.json");
const account = existsSync(accountFile)
  ? JSON.parse(readFileSync(accountFile, "utf8"))
  : { loggedIn: false, buckets: [], namespaces: [], objects: {}, kv: {}, deployments: [], secrets: [] };
account.queues ??= [];
const save = () => writeFileSync(accountFile, JSON.stringify(account, null, 2));
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fail = (message, code = 1) => {
  process.stderr.write(`✘ [ERROR] ${message}\n`);
  process.exit(code);
};
const command = args.filter((a) => !a.startsWith("-")).slice(0, 3).join(" ");
const failing = process.env.STANDIN_FAIL;
if (failing && command.startsWith(failing)) fail(`A request to the Cloudflare API failed (stand-in told to fail "${failing}").`);

const [group, sub, verb] = args;
if (group === "whoami") {
  if (!account.loggedIn && !process.env.CLOUDFLARE_API_TOKEN) fail("You are not authenticated. Please run `wrangler login`.");
  process.stdout.write(JSON.stringify({ loggedIn: true, authType: process.env.CLOUDFLARE_API_TOKEN ? "API Token" : "OAuth Token" }) + "\n");
} else if (group === "r2" && sub === "bucket" && verb === "list") {
  for (const b of account.buckets) process.stdout.write(`name:           ${b}\ncreation_date:  2026-12-06T00:00:00.000Z\n\n`);
} else if (group === "r2" && sub === "bucket" && verb === "create") {
  const name = args[3];
  if (account.buckets.includes(name)) fail(`The bucket you tried to create already exists, and you own it. [code: 10004]`);
  account.buckets.push(name);
  save();
  process.stdout.write(`Creating bucket '${name}'...\n✅ Created bucket '${name}' with default storage class of Standard.\n`);
} else if (group === "kv" && sub === "namespace" && verb === "list") {
  process.stdout.write(JSON.stringify(account.namespaces, null, 2) + "\n");
} else if (group === "kv" && sub === "namespace" && verb === "create") {
  const title = args[3];
  if (account.namespaces.some((n) => n.title === title)) fail(`A namespace with this account ID and title already exists. [code: 10014]`);
  const id = createHash("sha256").update(title).digest("hex").slice(0, 32);
  account.namespaces.push({ id, title });
  save();
  process.stdout.write(`🌀 Creating namespace with title "${title}"\n✨ Success!\n[[kv_namespaces]]\nbinding = "${title}"\nid = "${id}"\n`);
} else if (group === "queues" && sub === "list") {
  const size = Number(process.env.STANDIN_QUEUE_PAGE_SIZE ?? 100);
  const page = Number(option("--page") ?? 1);
  const rows = account.queues.slice((page - 1) * size, page * size).map((q) => ({
    id: q.id,
    name: q.name,
    created_on: "2026-12-06T00:00:00.000Z",
    modified_on: "2026-12-06T00:00:00.000Z",
    producers: "0",
    consumers: "0",
  }));
  process.stdout.write(`${boxTable(rows)}\n`);
} else if (group === "queues" && sub === "create") {
  const name = args[2];
  if (account.queues.some((q) => q.name === name)) fail(`A queue named ${name} already exists.`);
  account.queues.push({ id: createHash("sha256").update(`queue:${name}`).digest("hex").slice(0, 32), name });
  save();
  process.stdout.write(`🌀 Creating queue '${name}'\n✅ Created queue '${name}'\n`);
} else if (group === "deploy") {
  const config = option("--config");
  if (!config || !existsSync(config)) fail(`Missing or unreadable --config ${config}`);
  const toml = readFileSync(config, "utf8");
  const name = /^name\s*=\s*"([^"]+)"/m.exec(toml)[1];
  const bucket = /^bucket_name\s*=\s*"([^"]+)"/m.exec(toml)[1];
  const kvId = /^id\s*=\s*"([^"]+)"/m.exec(toml)[1];
  if (!account.buckets.includes(bucket)) fail(`R2 bucket '${bucket}' not found [code: 10085]`);
  if (!account.namespaces.some((n) => n.id === kvId)) fail(`KV namespace '${kvId}' is not valid. [code: 10041]`);
  // Like the real deploy, refuse a config whose producers or consumers name queues the account lacks.
  const queues = [...toml.matchAll(/^\s*(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((m) => m[1]);
  for (const queue of queues) {
    if (!account.queues.some((q) => q.name === queue)) fail(`Queue "${queue}" does not exist. To create it, run: wrangler queues create ${queue}`);
  }
  const secretsFile = option("--secrets-file");
  const secrets = secretsFile ? Object.keys(JSON.parse(readFileSync(secretsFile, "utf8"))) : [];
  account.secrets = [...new Set([...account.secrets, ...secrets.map((s) => `${name}:${s}`)])];
  account.deployments.push({ name, bucket, kvId, queues: [...new Set(queues)] });
  save();
  process.stdout.write(`Uploaded ${name} (1.23 sec)\nDeployed ${name} triggers (0.45 sec)\n  https://${name}.stand-in.workers.dev\nCurrent Version ID: 0000\n`);
} else if (group === "r2" && sub === "object") {
  if (!args.includes("--remote")) fail("the stand-in only plays the account (--remote)");
  const path = args[3];
  const file = option("--file");
  const objects = join(dir, "objects");
  mkdirSync(objects, { recursive: true });
  const stored = join(objects, encodeURIComponent(path));
  const bucket = path.split("/")[0];
  if (!account.buckets.includes(bucket)) fail(`The specified bucket does not exist. [code: 10006]`);
  if (verb === "put") writeFileSync(stored, readFileSync(file));
  else if (verb === "get") {
    if (!existsSync(stored)) fail("The specified key does not exist.");
    writeFileSync(file, readFileSync(stored));
  } else if (verb === "delete") {
    /* deleting a missing key succeeds, as in R2 */
  } else fail(`unknown r2 object command ${verb}`);
} else if (group === "kv" && sub === "key") {
  const config = option("--config");
  const kvId = config ? /^id\s*=\s*"([^"]+)"/m.exec(readFileSync(config, "utf8"))[1] : "edgerec-local";
  const space = (account.kv[kvId] ??= {});
  if (verb === "put") {
    space[args[3]] = option("--path") ? readFileSync(option("--path"), "utf8") : args[4];
    save();
  } else if (verb === "get") {
    if (!(args[3] in space)) fail("Value not found");
    process.stdout.write(space[args[3]]);
  } else if (verb === "list") {
    const prefix = option("--prefix") ?? "";
    process.stdout.write(JSON.stringify(Object.keys(space).filter((k) => k.startsWith(prefix)).map((name) => ({ name }))) + "\n");
  } else if (verb === "delete") {
    delete space[args[3]];
    save();
  }
} else {
  fail(`the stand-in does not know \`wrangler ${args.join(" ")}\``);
}

/** wrangler's logger.table (cli-table3, no colour without a TTY): a box table, or "" for no rows. */
function boxTable(rows) {
  if (rows.length === 0) return "";
  const head = Object.keys(rows[0]);
  const cells = [head, ...rows.map((r) => head.map((k) => r[k]))];
  const widths = head.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const rule = (l, m, r) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
  const line = (row) => `│ ${row.map((c, i) => c.padEnd(widths[i])).join(" │ ")} │`;
  return [rule("┌", "┬", "┐"), line(head), rule("├", "┼", "┤"), ...rows.map((r) => line(head.map((k) => r[k]))), rule("└", "┴", "┘")].join("\n");
}
