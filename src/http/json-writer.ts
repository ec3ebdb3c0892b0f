/**
 * Writes a JSON response body straight into bytes. Item metadata lives in the artifact as
 * UTF-8 string tables, so a recommendation list is mostly memcpy of those bytes — no
 * decoding into JS strings, no object building, no JSON.stringify, no TextEncoder pass.
 * One scratch buffer per isolate (requests build their body synchronously, one at a time);
 * `finish()` returns an exact-size copy that the Response owns.
 */
import type { StringTable } from "../artifact/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class JsonWriter {
  private buf = new Uint8Array(64 * 1024);
  private len = 0;
  private readonly encodedCache = new Map<string, Uint8Array>();
  private lastText: string | undefined;
  private lastEncoded: Uint8Array = new Uint8Array(0);
  private previousText: string | undefined;
  private previousEncoded: Uint8Array = new Uint8Array(0);

  reset(): this {
    this.len = 0;
    return this;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  /** Appends text that is already valid JSON and pure ASCII (keys, punctuation, numbers). */
  ascii(text: string): this {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.len = at;
    return this;
  }

  /** Appends text that is already valid JSON (any characters), encoding it to UTF-8 in place. */
  raw(json: string): this {
    this.ensure(json.length * 3);
    this.len += encoder.encodeInto(json, this.buf.subarray(this.len)).written;
    return this;
  }

  /**
   * Appends src[start .. start+length). Short runs by a plain loop: `set(src.subarray(…))`
   * allocates a view per call, which only pays off past ~64 bytes (measured).
   */
  slice(src: Uint8Array, start: number, length: number): this {
    this.ensure(length);
    const buf = this.buf;
    let at = this.len;
    if (length > 64) {
      buf.set(src.subarray(start, start + length), at);
      this.len = at + length;
      return this;
    }
    for (let p = start, end = start + length; p < end; p++) buf[at++] = src[p];
    this.len = at;
    return this;
  }

  /** Bytes written so far (a view, valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Appends already-encoded bytes. */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  number(x: number): this {
    return this.ascii(Number.isFinite(x) ? String(x) : "null");
  }

  /**
   * Appends x rounded to 4 decimals, formatted with integer arithmetic (String(float) is the
   * single most expensive step of writing a score). Trailing zeros are dropped: 0.5, 12, -0.0625.
   */
  fixed4(x: number): this {
    if (!Number.isFinite(x) || Math.abs(x) >= 1e11) return this.number(x);
    let scaled = Math.round(x * 10000);
    this.ensure(24);
    const buf = this.buf;
    if (scaled < 0) {
      buf[this.len++] = 0x2d;
      scaled = -scaled;
    }
    const whole = Math.floor(scaled / 10000);
    let frac = scaled - whole * 10000;
    this.ascii(String(whole));
    if (frac !== 0) {
      let digits = 4;
      while (frac % 10 === 0) {
        frac /= 10;
        digits--;
      }
      let at = this.len;
      buf[at++] = 0x2e;
      at += digits;
      this.len = at;
      for (let d = 0; d < digits; d++) {
        buf[--at] = 0x30 + (frac % 10);
        frac = Math.floor(frac / 10);
      }
    }
    return this;
  }

  /**
   * Appends entry i of a string table as a JSON string: its UTF-8 bytes copied as they are
   * (a plain loop beats subarray+set for short strings), escaped via JSON.stringify only
   * when they contain a quote, backslash or control character.
   */
  tableString(table: StringTable, i: number): this {
    const data = table.data;
    const start = table.offsets[i];
    const end = table.offsets[i + 1];
    this.ensure(end - start + 2);
    const buf = this.buf;
    let at = this.len;
    buf[at++] = QUOTE;
    for (let p = start; p < end; p++) {
      const b = data[p];
      if (b < 0x20 || b === QUOTE || b === BACKSLASH) return this.raw(JSON.stringify(decoder.decode(data.subarray(start, end))));
      buf[at++] = b;
    }
    buf[at++] = QUOTE;
    this.len = at;
    return this;
  }

  /**
   * Appends a JS string as JSON; the encoding is cached (reasons and versions repeat). The
   * last two strings are checked first: one response repeats the same reason for every item,
   * or alternates two ("promoted" between "similar to …"), and a comparison is cheaper than a
   * Map lookup.
   */
  string(text: string): this {
    let encoded: Uint8Array | undefined;
    if (text === this.lastText) encoded = this.lastEncoded;
    else {
      encoded = text === this.previousText ? this.previousEncoded : this.encodedCache.get(text);
      if (!encoded) {
        encoded = encoder.encode(JSON.stringify(text));
        if (this.encodedCache.size > 20_000) this.encodedCache.clear();
        this.encodedCache.set(text, encoded);
      }
      this.previousText = this.lastText;
      this.previousEncoded = this.lastEncoded;
      this.lastText = text;
      this.lastEncoded = encoded;
    }
    return this.slice(encoded, 0, encoded.length);
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len);
  }
}
