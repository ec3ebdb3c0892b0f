/**
 * A small, safe parser for Python literals as written by `repr()` / `str()` of a
 * dict (the 2014 Amazon metadata lines: `{'asin': '0000031852', 'categories': [['Books']]}`).
 * Strings (both quote kinds, escapes, u/b/r prefixes), numbers, True/False/None,
 * lists, tuples and dicts. No eval: anything else is a SyntaxError with a position.
 */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export class PythonLiteralError extends SyntaxError {
  constructor(message: string, readonly position: number) {
    super(`${message} at character ${position + 1}`);
    this.name = "PythonLiteralError";
  }
}

export function parsePythonLiteral(text: string): PyValue {
  const p = new Parser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.i < text.length) p.fail("unexpected text after the value");
  return v;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "0": "\0", "\n": "" };

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new PythonLiteralError(msg, this.i);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(depth = 0): PyValue {
    if (depth > 200) this.fail("nesting too deep");
    const s = this.s;
    const c = s[this.i];
    if (c === "{") return this.dict(depth);
    if (c === "[") return this.seq("]", depth);
    if (c === "(") return this.seq(")", depth);
    if (c === "'" || c === '"') return this.str(false);
    if ((c === "u" || c === "U" || c === "b" || c === "B" || c === "r" || c === "R") && (s[this.i + 1] === "'" || s[this.i + 1] === '"')) {
      const raw = c === "r" || c === "R";
      this.i++;
      return this.str(raw);
    }
    if (s.startsWith("True", this.i)) return this.word("True", true);
    if (s.startsWith("False", this.i)) return this.word("False", false);
    if (s.startsWith("None", this.i)) return this.word("None", null);
    if (c === "-" || c === "+" || c === "." || (c >= "0" && c <= "9")) return this.num();
    if (c === undefined) this.fail("unexpected end of text");
    this.fail(`unexpected ${JSON.stringify(c)}`);
  }

  word<T extends PyValue>(w: string, v: T): T {
    this.i += w.length;
    const next = this.s[this.i];
    if (next !== undefined && /[A-Za-z0-9_]/.test(next)) this.fail(`unexpected name`);
    return v;
  }

  num(): number {
    const m = /^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?[jJ]?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m || m[0].endsWith("j") || m[0].endsWith("J")) this.fail("bad number");
    this.i += m[0].length;
    const v = Number(m[0].replace(/_/g, ""));
    if (Number.isNaN(v)) this.fail("bad number");
    return v;
  }

  str(raw: boolean): string {
    const s = this.s;
    const q = s[this.i];
    const triple = s[this.i + 1] === q && s[this.i + 2] === q;
    this.i += triple ? 3 : 1;
    let out = "";
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail("unterminated string");
      const c = s[this.i];
      if (c === q && (!triple || (s[this.i + 1] === q && s[this.i + 2] === q))) {
        out += s.slice(start, this.i);
        this.i += triple ? 3 : 1;
        return out;
      }
      if (c === "\n" && !triple) this.fail("line break inside a string");
      if (c !== "\\") {
        this.i++;
        continue;
      }
      out += s.slice(start, this.i);
      const e = s[this.i + 1];
      if (e === undefined) this.fail("unterminated string");
      if (raw) {
        out += "\\" + e;
        this.i += 2;
      } else if (e in SIMPLE_ESCAPES && !(e === "0" && /[0-7]/.test(s[this.i + 2] ?? ""))) {
        out += SIMPLE_ESCAPES[e];
        this.i += 2;
      } else if (e === "x" || e === "u" || e === "U") {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = s.slice(this.i + 2, this.i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail(`bad \\${e} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        this.i += 2 + len;
      } else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(s.slice(this.i + 1, this.i + 4))!;
        out += String.fromCharCode(parseInt(m[0], 8));
        this.i += 1 + m[0].length;
      } else {
        // Python keeps unknown escapes as written.
        out += "\\" + e;
        this.i += 2;
      }
      start = this.i;
    }
  }

  seq(close: string, depth: number): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i];
      if (c === ",") this.i++;
      else if (c !== close) this.fail(`expected "," or "${close}"`);
    }
  }

  dict(depth: number): { [key: string]: PyValue } {
    this.i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return out;
      }
      const key = this.value(depth + 1);
      if (key !== null && typeof key === "object") this.fail("dict key must be a string or number");
      this.ws();
      if (this.s[this.i] !== ":") this.fail('expected ":"');
      this.i++;
      this.ws();
      const k = String(key);
      const v = this.value(depth + 1);
      // "__proto__" must become a plain property (as JSON.parse does), never the object's prototype.
      if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
      this.ws();
      const c = this.s[this.i];
      if (c === ",") this.i++;
      else if (c !== "}") this.fail('expected "," or "}"');
    }
  }
}
