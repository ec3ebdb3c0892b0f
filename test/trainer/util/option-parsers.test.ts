import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { countOrAll, integer, number, numberValue, optionalNumber, positiveInt, ratio } from "../../../trainer/util/option-parsers.ts";

/** Runs a real commander program with one option parsed by `parser`; returns the value or commander's error text. */
function parse(flag: string, parser: (v: string) => number, value: string): number | string {
  let stderr = "";
  const program = new Command("edgerec")
    .exitOverride()
    .configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} })
    .option(`${flag} <n>`, "under test", parser);
  try {
    program.parse([flag, value], { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return stderr.trim();
  }
  return program.opts()[flag.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] as number;
}

describe("commander option parsers", () => {
  it("accept valid values", () => {
    expect(parse("--keep", positiveInt("keep"), "3")).toBe(3);
    expect(parse("--seed", integer("seed", 0, 2 ** 31 - 1), "0")).toBe(0);
    expect(parse("--fraction", ratio("fraction"), "0.25")).toBe(0.25);
    expect(parse("--grace", number("grace", { min: 0, of: "minutes" }), "1.5")).toBe(1.5);
  });

  it("reject bad values with an error that names the option, the rule and what it got", () => {
    expect(parse("--keep", positiveInt("keep"), "0")).toMatch(/--keep must be a whole number >= 1, got "0"/);
    expect(parse("--keep", positiveInt("keep"), "2.5")).toMatch(/--keep must be a whole number >= 1, got "2.5"/);
    expect(parse("--port", integer("port", 1, 65535), "http")).toMatch(/--port must be a whole number in 1..65535, got "http"/);
    expect(parse("--fraction", ratio("fraction"), "1.2")).toMatch(/--fraction must be a number in 0..1, got "1.2"/);
    expect(parse("--grace", number("grace", { min: 0, of: "minutes" }), "")).toMatch(/--grace must be a number of minutes >= 0, got ""/);
  });
});

describe("values checked after parsing", () => {
  it("numberValue and optionalNumber", () => {
    expect(numberValue("-k", "10", { min: 1, max: 100, integer: true })).toBe(10);
    expect(() => numberValue("-k", "101", { min: 1, max: 100, integer: true })).toThrow('-k must be a whole number in 1..100, got "101"');
    expect(optionalNumber("threads", undefined, { min: 1 })).toBeUndefined();
    expect(() => optionalNumber("threads", "NaN", { min: 1 })).toThrow('--threads must be a number >= 1, got "NaN"');
  });

  it("countOrAll takes a count or `all`", () => {
    expect(countOrAll("validation-users", "all")).toBe(Infinity);
    expect(countOrAll("validation-users", "500")).toBe(500);
    expect(() => countOrAll("validation-users", "0")).toThrow('--validation-users must be a whole number >= 1 or all, got "0"');
  });
});
