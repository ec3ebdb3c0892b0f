/**
 * Messages name only options that exist: every `--option` written in a sentence anywhere in the
 * trainer's sources (error messages, advice, reports) must be a long option of some `edgerec`
 * command or of `npm start`, so advice like "lower --popular-head" cannot point at nothing. Bare
 * option literals ("--file" as an argument handed to wrangler) and sentences about wrangler's own
 * options are not advice to an edgerec user and are skipped. (bench/ scripts parse their own
 * flags and are not part of the CLI.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../trainer/cli/main.ts";

const ROOT = join(import.meta.dirname, "../../..");

function optionsOf(cmd: Command, into = new Set<string>()): Set<string> {
  for (const o of cmd.options) if (o.long) into.add(o.long);
  for (const sub of cmd.commands) optionsOf(sub, into);
  return into;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "generated" ? [] : sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** String and template literals on one line (enough for messages; multi-line templates are read line by line). */
const LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\\n]|\\.)*`?/g;

describe("options named in messages", () => {
  it("every --option in a trainer message is an option of an edgerec command", async () => {
    const known = optionsOf(await buildProgram());
    known.add("--help").add("--version");
    // `npm start` builds its commander program inside start(): read its option declarations.
    for (const [, name] of readFileSync(join(ROOT, "trainer/cli/start.ts"), "utf8").matchAll(/\.option\(\s*"(--[a-z0-9-]+)/g)) known.add(name);
    // `--no-x` negates `--x`; commander lists it under its own long name.
    expect(known.has("--local")).toBe(true);
    const unknown: string[] = [];
    for (const file of sources(join(ROOT, "trainer"))) {
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, n) => {
        for (const literal of line.match(LITERAL) ?? []) {
          const text = literal.replace(/^["'`]|["'`]$/g, "");
          if (/^--[a-z0-9-]+(=\S*)?$/.test(text) || /wrangler|npx vitest|node --|tsx --/i.test(text)) continue;
          for (const [name] of text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)) {
            if (!known.has(name)) unknown.push(`${relative(ROOT, file)}:${n + 1}: ${name} in ${text.slice(0, 90)}`);
          }
        }
      });
    }
    expect(unknown).toEqual([]);
  });
});
