import { parse } from "csv-parse";
import { Readable } from "node:stream";
import { openByteStream, DEFAULT_MAX_LINE_BYTES, type TextEncoding } from "./source.ts";
import { InputError } from "./types.ts";

export interface CsvRecordHandlers {
  /** One record (fields as strings); `line` is the line where the record starts (1-based). */
  record(fields: string[], line: number): void;
  /** A record csv-parse could not read (bad quoting, too long). */
  bad(line: number, reason: string): void;
}

async function* decode(chunks: AsyncIterable<Buffer>, file: string, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding === "latin1" ? "latin1" : "utf-8", { fatal: encoding === "utf8" });
  let bytes = 0;
  for await (const chunk of chunks) {
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw new InputError(`invalid UTF-8 within bytes ${bytes}..${bytes + chunk.length} of the (decompressed) file`, file, undefined,
        "if the file is ISO-8859-1/Windows-1252, pass --encoding latin1");
    }
    bytes += chunk.length;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/**
 * Streams CSV records with csv-parse (quoted fields may span lines, as review texts
 * do). Memory is bounded by one record (`maxRecordBytes`).
 */
export async function forEachCsvRecord(
  file: string,
  handlers: CsvRecordHandlers,
  opts: { delimiter?: string; encoding?: TextEncoding; maxRecordBytes?: number; progress?: boolean } = {},
): Promise<void> {
  const { stream, finish } = openByteStream(file, { progress: opts.progress });
  const parser = parse({
    delimiter: opts.delimiter ?? ",",
    info: true,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: opts.maxRecordBytes ?? DEFAULT_MAX_LINE_BYTES,
  });
  parser.on("skip", (err: Error & { lines?: number; code?: string }) => {
    handlers.bad(err.lines ?? 0, `unreadable CSV record (${err.code ?? "error"}): ${err.message.slice(0, 160)}`);
  });
  const source = Readable.from(decode(stream, file, opts.encoding ?? "utf8"));
  let sourceError: unknown;
  source.on("error", (e) => {
    sourceError = e;
    parser.destroy(e);
  });
  source.pipe(parser);
  let prevEnd = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      handlers.record(rec.record, prevEnd + 1);
      prevEnd = rec.info.lines;
    }
  } catch (err) {
    throw sourceError ?? err;
  } finally {
    finish();
  }
  if (sourceError) throw sourceError;
}
