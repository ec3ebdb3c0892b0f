import { closeSync, openSync, readSync, statSync, createReadStream } from "node:fs";
import { isUtf8 } from "node:buffer";
import { createGunzip, createInflateRaw } from "node:zlib";
import { zipSingleEntry } from "./zip.ts";
import type { Readable } from "node:stream";
import { basename } from "node:path";
import { InputError } from "./types.ts";
import { progress } from "../util/progress.ts";

/** "auto" decodes each line as UTF-8 when valid, else as ISO-8859-1 (for files of unknown vintage like MovieLens u.item). */
export type TextEncoding = "utf8" | "latin1" | "auto";

/** Longer lines are rejected (and skipped) instead of being buffered: one bad line must not exhaust memory. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface OpenOptions {
  /** Show a bytes-read progress bar on stderr (only when stderr is a TTY). */
  progress?: boolean;
}

function readHead(file: string, n: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Fails early and clearly when a path is missing, a directory or unreadable. */
export function assertReadableFile(file: string): number {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError("is a directory, expected a data file", file, undefined, "pass the file inside it");
    if (!st.isFile() && !st.isFIFO()) throw new InputError("is not a regular file", file);
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError("file not found", file, undefined, "check the path (relative paths start from the current directory)");
    throw new InputError(`cannot read file (${code ?? String(err)})`, file);
  }
  if (size === 0) throw new InputError("file is empty", file, undefined, "check that the export finished writing");
  return size;
}

/** Containers and encodings that are not (gzipped) text, recognised by their first bytes, with what to do. */
const NOT_TEXT: { magic: number[]; what: string; hint: string }[] = [
  { magic: [0x42, 0x5a, 0x68], what: "bzip2-compressed", hint: "decompress it (`bunzip2`) or recompress with gzip" },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: "xz-compressed", hint: "decompress it (`unxz`) or recompress with gzip" },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: "zstd-compressed", hint: "decompress it (`unzstd`) or recompress with gzip" },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: "a 7z archive", hint: "extract it first" },
  { magic: [0x50, 0x41, 0x52, 0x31], what: "a Parquet file", hint: "export it as CSV or JSON lines" },
  { magic: [0xff, 0xfe], what: "UTF-16 text", hint: "convert it to UTF-8 (`iconv -f UTF-16 -t UTF-8`)" },
  { magic: [0xfe, 0xff], what: "UTF-16 text", hint: "convert it to UTF-8 (`iconv -f UTF-16 -t UTF-8`)" },
];

function assertTextContainer(file: string): void {
  const head = readHead(file, 8);
  for (const t of NOT_TEXT) {
    if (t.magic.every((b, k) => head[k] === b)) throw new InputError(`file is ${t.what}, not text or gzip`, file, undefined, t.hint);
  }
}

/** The decompressed byte stream of a file, plus how to follow progress on the raw bytes. */
export function openByteStream(file: string, opts: OpenOptions = {}): { stream: AsyncIterable<Buffer>; finish: () => void } {
  const size = assertReadableFile(file);
  assertTextContainer(file);
  const head = readHead(file, 4);
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const zip = head.length === 4 && head.readUInt32LE(0) === 0x04034b50 ? zipSingleEntry(file, size) : undefined;
  const raw = zip
    ? createReadStream(file, { highWaterMark: 1 << 20, start: zip.dataOffset, end: zip.method === 0 ? zip.dataOffset + zip.size - 1 : undefined })
    : createReadStream(file, { highWaterMark: 1 << 20 });
  // Files under 1 MiB read in a blink: no bar for them.
  const bar = progress(`reading ${basename(file)}`, size, { enabled: opts.progress === true && size >= 1 << 20, unit: "bytes", lines: 10 });
  let read = 0;
  raw.on("data", (c: Buffer | string) => bar.update((read += c.length)));
  let stream: Readable = raw;
  if (zip?.method === 8) {
    const inflate = createInflateRaw({ chunkSize: 1 << 18 });
    raw.on("error", (e) => inflate.destroy(e));
    inflate.on("close", () => raw.destroy());
    stream = raw.pipe(inflate);
  } else if (gz) {
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    raw.on("error", (e) => gunzip.destroy(e));
    // Stopping early (peeking, a fatal error) destroys gunzip; the file must close with it.
    gunzip.on("close", () => raw.destroy());
    stream = raw.pipe(gunzip);
  }
  return { stream: wrapErrors(stream as AsyncIterable<Buffer>, file, gz || zip?.method === 8), finish: () => bar.stop() };
}

async function* wrapErrors(stream: AsyncIterable<Buffer>, file: string, gz: boolean): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (gz && (e.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(e.message))) {
      throw new InputError("compressed data is truncated (unexpected end of file)", file, undefined,
        "the download or copy was cut short: fetch the file again (`gzip -t` checks it)");
    }
    if (gz && e.code?.startsWith("Z_")) {
      throw new InputError(`compressed data is corrupt (${e.message})`, file, undefined, "fetch the file again (`gzip -t` / `unzip -t` checks it)");
    }
    throw new InputError(`read failed: ${e.message}`, file);
  }
}

export interface LineHandlers {
  /** A decoded line (without its line break), numbered from 1. Empty lines are skipped. */
  line(text: string, lineNo: number): void;
  /** A line that could not be decoded or was too long. */
  bad(lineNo: number, reason: string): void;
}

export interface LineOptions extends OpenOptions {
  encoding?: TextEncoding;
  maxLineBytes?: number;
}

/**
 * Streams a (possibly gzipped) text file line by line with bounded memory:
 * only the current partial line is buffered, and a line over `maxLineBytes` is
 * reported and skipped rather than accumulated.
 */
export async function forEachLine(file: string, handlers: LineHandlers, opts: LineOptions = {}): Promise<number> {
  const encoding = opts.encoding ?? "utf8";
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const { stream, finish } = openByteStream(file, opts);
  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false;
  let atStart = true;
  const tooLong = (n: number) => handlers.bad(n, `line longer than ${maxLine} bytes; is this really a line-based file?`);

  const emitText = (l: string) => {
    lineNo++;
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) l = l.slice(0, -1);
    if (l.length === 0) return;
    if (l.length > maxLine || (l.length * 3 > maxLine && Buffer.byteLength(l) > maxLine)) tooLong(lineNo);
    else handlers.line(l, lineNo);
  };

  // Slow path for a block with invalid UTF-8: find and report the bad lines one by one.
  const emitLinesOneByOne = (block: Buffer) => {
    let pos = 0;
    for (;;) {
      const nl = block.indexOf(10, pos);
      const end = nl === -1 ? block.length : nl;
      const slice = block.subarray(pos, end);
      if (isUtf8(slice)) emitText(slice.toString("utf8"));
      else if (encoding === "auto") emitText(slice.toString("latin1"));
      else {
        lineNo++;
        handlers.bad(lineNo, "invalid UTF-8 bytes; if the file is ISO-8859-1/Windows-1252, pass --encoding latin1");
      }
      if (nl === -1) return;
      pos = nl + 1;
    }
  };

  // A block of whole lines (no trailing line break) is decoded with one call, then split.
  const processBlock = (block: Buffer) => {
    if (atStart) {
      atStart = false;
      if (block.length >= 3 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) block = block.subarray(3);
    }
    let text: string | undefined;
    if (encoding === "latin1") text = block.toString("latin1");
    else if (isUtf8(block)) text = block.toString("utf8");
    if (text === undefined) return emitLinesOneByOne(block);
    let pos = 0;
    for (;;) {
      const nl = text.indexOf("\n", pos);
      if (nl === -1) {
        emitText(text.slice(pos));
        return;
      }
      emitText(text.slice(pos, nl));
      pos = nl + 1;
    }
  };

  try {
    for await (let chunk of stream as AsyncIterable<Buffer>) {
      if (skipping) {
        const nl = chunk.indexOf(10);
        if (nl === -1) continue;
        lineNo++;
        atStart = false;
        tooLong(lineNo);
        skipping = false;
        chunk = chunk.subarray(nl + 1);
      }
      const last = chunk.lastIndexOf(10);
      if (last === -1) {
        carryLen += chunk.length;
        if (carryLen > maxLine) {
          skipping = true;
          carry = [];
          carryLen = 0;
        } else carry.push(chunk);
        continue;
      }
      let block = chunk.subarray(0, last);
      if (carry.length > 0) {
        carry.push(block);
        block = Buffer.concat(carry);
        carry = [];
        carryLen = 0;
      }
      processBlock(block);
      const rest = chunk.subarray(last + 1);
      if (rest.length > maxLine) skipping = true;
      else if (rest.length > 0) {
        carry = [rest];
        carryLen = rest.length;
      }
    }
    if (skipping) {
      lineNo++;
      tooLong(lineNo);
    } else if (carry.length > 0) {
      processBlock(Buffer.concat(carry));
    }
  } finally {
    finish();
  }
  return lineNo;
}

/** The first `maxLines` decoded lines (for sniffing formats and headers), reading as little as possible. */
export async function peekLines(file: string, maxLines = 20, encoding: TextEncoding = "utf8", maxBytes = 1 << 20): Promise<string[]> {
  assertReadableFile(file);
  const { stream } = openByteStream(file);
  const parts: Buffer[] = [];
  let len = 0;
  let lines = 0;
  try {
    for await (const chunk of stream) {
      parts.push(chunk);
      len += chunk.length;
      for (let p = chunk.indexOf(10); p !== -1; p = chunk.indexOf(10, p + 1)) lines++;
      if (lines > maxLines || len >= maxBytes) break;
    }
  } catch (err) {
    // A truncated file still has a readable beginning; the full read reports the damage.
    if (parts.length === 0) throw err;
  }
  let text = Buffer.concat(parts).subarray(0, maxBytes).toString(encoding === "utf8" ? "utf8" : "latin1");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Empty lines are skipped here exactly as forEachLine skips them, so "first line" means the same in both.
  return text
    .split("\n")
    .slice(0, lines >= maxLines ? maxLines : undefined)
    .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0)
    .slice(0, maxLines);
}
