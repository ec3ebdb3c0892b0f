import type { IdInterner, InteractionBuffer } from "../id-space.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";

/** What an interaction reader writes into: shared id spaces, one row buffer, the file's report. */
export interface ReaderContext {
  users: IdInterner;
  items: IdInterner;
  buf: InteractionBuffer;
  report: ReportBuilder;
  spec: DataSpec;
  progress?: boolean;
  /** Set by readers of unlabeled prediction files (competition test.csv). */
  testRows?: { ids: string[]; users: number[]; items: number[] };
}
