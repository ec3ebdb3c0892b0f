import { InputError } from "../types.ts";
import type { ReaderContext } from "./context.ts";
export async function readCompetitionCsv(file: string, _ctx: ReaderContext): Promise<void> {
  throw new InputError("competition reader not ready yet", file);
}
