import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import { InputError, type ItemMeta } from "../types.ts";
export async function readTableItems(file: string, _spec: DataSpec, _report: ReportBuilder, _progress: boolean | undefined, _kind: "csv" | "json"): Promise<Map<string, ItemMeta>> {
  throw new InputError("table item reader not ready yet", file);
}
