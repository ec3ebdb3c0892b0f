/**
 * The per-environment queue names and the reading of `wrangler queues list` pages
 * (trainer/wrangler/queues.ts). The table below is wrangler 4.86's logger.table output
 * (cli-table3 without colour) for one queue.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { committedQueueNames, envQueueName, findQueues, parseQueueTable, renameQueues } from "../../../trainer/wrangler/queues.ts";
import { REPO_ROOT } from "../../../trainer/wrangler/edgerec-cli.ts";

const TABLE = [
  "┌──────────┬────────────────────────┬──────────────────────────┬──────────────────────────┬───────────┬───────────┐",
  "│ id       │ name                   │ created_on               │ modified_on              │ producers │ consumers │",
  "├──────────┼────────────────────────┼──────────────────────────┼──────────────────────────┼───────────┼───────────┤",
  "│ 8d0a1b2c │ edgerec-staging-events │ 2026-12-06T00:00:00.000Z │ 2026-12-06T00:00:00.000Z │ 1         │ 1         │",
  "└──────────┴────────────────────────┴──────────────────────────┴──────────────────────────┴───────────┴───────────┘",
].join("\n");

describe("deploy queues", () => {
  it("names every committed queue per environment, like the bucket", () => {
    const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
    expect(committedQueueNames(toml)).toEqual(["edgerec-events", "edgerec-events-dlq"]);
    expect(envQueueName("edgerec-events", "staging")).toBe("edgerec-staging-events");
    expect(envQueueName("edgerec-events-dlq", "production")).toBe("edgerec-production-events-dlq");
    expect(() => envQueueName("orders", "staging")).toThrow(/queue "orders" does not start with "edgerec-".*rename it/);
    const renamed = renameQueues(toml, "production");
    expect(committedQueueNames(renamed)).toEqual(["edgerec-production-events", "edgerec-production-events-dlq"]);
    expect(renamed).toMatch(/^dead_letter_queue = "edgerec-production-events-dlq"$/m);
    // Nothing but the queue lines changes.
    expect(renamed.replace(/production-/g, "")).toBe(toml);
  });

  it("reads queue names from the list table; an empty page has none; a table without a name column is an error", () => {
    expect(parseQueueTable(TABLE)).toEqual(["edgerec-staging-events"]);
    expect(parseQueueTable(`▲ [WARNING] something\n${TABLE}\n`)).toEqual(["edgerec-staging-events"]);
    expect(parseQueueTable("\n")).toEqual([]);
    expect(() => parseQueueTable("│ id │ title │\n│ 1 │ x │")).toThrow(/without a "name" column/);
  });

  it("pages until every wanted queue is found, a page is empty, or a page repeats", async () => {
    const table = (names: string[]) => (names.length ? TABLE.split("\n").slice(0, 3).concat(names.map((n) => `│ x │ ${n} │ a │ b │ 0 │ 0 │`), TABLE.split("\n").at(-1)!).join("\n") : "");
    const pages = [["a", "b"], ["edgerec-staging-events"], ["edgerec-staging-events-dlq"], ["never-read"]];
    const read: number[] = [];
    const found = await findQueues(["edgerec-staging-events", "edgerec-staging-events-dlq"], async (p) => (read.push(p), table(pages[p - 1] ?? [])));
    expect([...found]).toEqual(["edgerec-staging-events", "edgerec-staging-events-dlq"]);
    expect(read).toEqual([1, 2, 3]);
    read.length = 0;
    expect([...(await findQueues(["missing"], async (p) => (read.push(p), table(pages[p - 1] ?? []))))]).toEqual([]);
    expect(read).toEqual([1, 2, 3, 4, 5]);
    read.length = 0;
    expect([...(await findQueues(["missing"], async (p) => (read.push(p), table(["a"]))))]).toEqual([]);
    expect(read).toEqual([1, 2]);
  });
});
