import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePythonLiteral, type PyValue } from "../../../trainer/data/python-literal.ts";
import { splitFields } from "../../../trainer/data/delimited.ts";

/** Python's repr of a str: single quotes unless the text has ' and no ", escapes like Python's. */
function pyRepr(v: PyValue): string {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === "string") {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = q;
    for (const ch of v) {
      const c = ch.codePointAt(0)!;
      if (ch === "\\") out += "\\\\";
      else if (ch === q) out += "\\" + q;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\r") out += "\\r";
      else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
      else out += ch;
    }
    return out + q;
  }
  if (Array.isArray(v)) return "[" + v.map(pyRepr).join(", ") + "]";
  return "{" + Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ") + "}";
}

const pyValue: fc.Arbitrary<PyValue> = fc.letrec<{ value: PyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.string({ unit: "binary" }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("parsePythonLiteral round-trips Python reprs", () => {
  it("of arbitrary nested values", () => {
    fc.assert(
      fc.property(pyValue, (v) => {
        expect(parsePythonLiteral(pyRepr(v))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});

describe("splitFields agrees with CSV quoting", () => {
  it("for fields with delimiters and quotes inside", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom("a", "b", ",", '"', " ", "é") }), { minLength: 1, maxLength: 6 }), (fields) => {
        const line = fields.map((f) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(",");
        expect(splitFields(line, ",")).toEqual(fields);
      }),
      { numRuns: 300 },
    );
  });
});
