import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import { InputError, type ItemMeta } from "../types.ts";
export async function readAmazonMeta(file: string, _spec: DataSpec, _report: ReportBuilder, _progress?: boolean): Promise<Map<string, ItemMeta>> {
  throw new InputError("amazon metadata reader not ready yet", file);
}
