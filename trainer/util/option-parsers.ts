import { InvalidArgumentError } from "commander";

/**
 * Numeric command-line values, checked one way for every `edgerec` command: an error names the
 * option, says what it must be and quotes what it got. The commander parsers (`integer`,
 * `positiveInt`, `number`, `ratio`, `countOrAll`) run while commander reads the command line, so
 * commander reports the option; `numberValue`/`optionalNumber` check a value read as a string
 * and used later (defaults that depend on other options, comma lists).
 */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** What the number counts, for the message: "minutes" → "a number of minutes". */
  of?: string;
}

const flag = (name: string) => (name.startsWith("-") ? name : `--${name}`);

function describe(rule: NumberRule): string {
  const kind = `${rule.integer ? "a whole number" : "a number"}${rule.of ? ` of ${rule.of}` : ""}`;
  const min = rule.min ?? -Infinity;
  const max = rule.max ?? Infinity;
  if (Number.isFinite(min) && Number.isFinite(max)) return `${kind} in ${min}..${max}`;
  if (Number.isFinite(min)) return `${kind} >= ${min}`;
  if (Number.isFinite(max)) return `${kind} <= ${max}`;
  return kind;
}

/** What is wrong with `v` as the value of `name`, or null when it is a number obeying `rule`. */
function problem(name: string, v: string, rule: NumberRule, extra = ""): string | null {
  const n = Number(v);
  const ok = v.trim() !== "" && Number.isFinite(n) && n >= (rule.min ?? -Infinity) && n <= (rule.max ?? Infinity) && (!rule.integer || Number.isInteger(n));
  return ok ? null : `${flag(name)} must be ${describe(rule)}${extra}, got ${JSON.stringify(v)}`;
}

/** `v` as the number `name` must be; throws an Error naming the option otherwise. */
export function numberValue(name: string, v: string, rule: NumberRule = {}): number {
  const wrong = problem(name, v, rule);
  if (wrong) throw new Error(wrong);
  return Number(v);
}

/** numberValue, passing an absent option through as undefined. */
export function optionalNumber(name: string, v: string | undefined, rule: NumberRule = {}): number | undefined {
  return v === undefined ? undefined : numberValue(name, v, rule);
}

/** A commander parser for a number obeying `rule`. */
export function number(name: string, rule: NumberRule = {}): (v: string) => number {
  return (v) => {
    const wrong = problem(name, v, rule);
    if (wrong) throw new InvalidArgumentError(wrong);
    return Number(v);
  };
}

/** A commander parser for a whole number in min..max. */
export function integer(name: string, min?: number, max?: number): (v: string) => number {
  return number(name, { min, max, integer: true });
}

/** A commander parser for a whole number >= 1. */
export function positiveInt(name: string): (v: string) => number {
  return integer(name, 1);
}

/** A commander parser for a fraction in 0..1. */
export function ratio(name: string): (v: string) => number {
  return number(name, { min: 0, max: 1 });
}

/** A count >= 1, or `all` (Infinity). */
export function countOrAll(name: string, v: string): number {
  if (v === "all") return Infinity;
  const wrong = problem(name, v, { min: 1, integer: true }, " or all");
  if (wrong) throw new Error(wrong);
  return Number(v);
}
