import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { validateRules } from "../../../src/artifact/index.ts";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { loadRules, storeRules } from "../../catalog/merch-store.ts";
import { numberValue } from "../../util/option-parsers.ts";

interface PreviewItem {
  id: string;
  title: string;
  score: number;
  reason: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not a JSON rules document (${(err as Error).message})`);
  }
}

/** Validates or throws with every problem listed; the stored rules are untouched. */
function checked(file: string) {
  const result = validateRules(readJson(file));
  if (!result.ok) {
    const lines = result.problems.map((p) => `  ${p.location}: ${p.message}`).join("\n");
    throw new Error(`${file}: the rules were refused (the rules in force stay):\n${lines}`);
  }
  return result.rules;
}

function table(title: string, items: PreviewItem[]): string {
  const rows = items.map((it, r) => `  ${String(r + 1).padStart(2)}. ${it.id.padEnd(14)} ${it.title.slice(0, 40).padEnd(40)} ${it.reason}`);
  return [title, ...(rows.length ? rows : ["  (empty)"])].join("\n");
}

export function register(program: Command): void {
  const rules = program.command("rules").description("merchandising rules (pin, boost, bury, hide, caps, diversity…) in KV; see docs/merchandising.md");
  addStoreOptions(rules.command("get").description("print the rules document in force")).action(async (opts: StoreCliOptions) => {
    const { store, dispose } = await openStore({ ...opts, backend: "kv" });
    try {
      process.stdout.write(`${JSON.stringify(await loadRules(store), null, 2)}\n`);
    } finally {
      await dispose();
    }
  });
  addStoreOptions(rules.command("set").description("validate a rules document and store it (a malformed one is refused; the rules in force stay)").argument("<file>", "rules.json"))
    .option("--check", "validate only, store nothing")
    .action(async (file: string, opts: StoreCliOptions & { check?: boolean }) => {
      const doc = checked(file);
      if (opts.check) {
        process.stdout.write(`${file}: valid (${doc.rules.length} rules)\n`);
        return;
      }
      const { store, where, dispose } = await openStore({ ...opts, backend: "kv" });
      try {
        const stored = await storeRules(store, doc);
        process.stdout.write(`rules version ${stored.version} (${stored.rules.length} rules) written to ${where}; isolates apply them within a minute\n`);
      } finally {
        await dispose();
      }
    });
  rules
    .command("test")
    .description("print a list before and after the rules, as a running worker computes it (nothing is stored)")
    .option("--url <url>", "the worker's base URL", "http://127.0.0.1:8787")
    .option("--token <token>", "admin bearer token (default: $ADMIN_TOKEN)")
    .option("--rules <file>", "rules to try (default: the rules in force)")
    .option("--item <id>", "similar items of this item")
    .option("--user <id>", "recommendations for this user")
    .option("--basket <ids>", "recommendations for these items (comma-separated)")
    .option("--category <name>", "category filter")
    .option("-k, --k <n>", "list length", "10")
    .action(async (opts: { url: string; token?: string; rules?: string; item?: string; user?: string; basket?: string; category?: string; k: string }) => {
      const token = opts.token ?? process.env.ADMIN_TOKEN;
      if (!token) throw new Error("pass --token or set ADMIN_TOKEN (the worker's admin bearer token)");
      const k = numberValue("-k", opts.k, { min: 1, max: 100, integer: true });
      const body = {
        rules: opts.rules ? checked(opts.rules) : undefined,
        item: opts.item,
        user: opts.user,
        basket: opts.basket?.split(",").map((s) => s.trim()).filter(Boolean),
        category: opts.category,
        k,
      };
      const url = `${opts.url.replace(/\/$/, "")}/v1/admin/rules/test`;
      let res: Response;
      try {
        res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      } catch (err) {
        throw new Error(`cannot reach the worker at ${opts.url} (${(err as Error).message}); start it with \`npx wrangler dev --local\` or pass --url`);
      }
      const json = (await res.json()) as { list: string; before: PreviewItem[]; after: PreviewItem[]; detail?: string; errors?: { location: string; message: string }[] };
      if (!res.ok) {
        const errors = json.errors?.map((e) => `\n  ${e.location}: ${e.message}`).join("") ?? "";
        throw new Error(`the worker refused the test (${res.status}): ${json.detail ?? ""}${errors}`);
      }
      process.stdout.write(`${table(`${json.list} — before (overlay, no rules):`, json.before)}\n\n${table(`${json.list} — after rules:`, json.after)}\n`);
    });
}
