import { InputError } from "../types.ts";
import type { ReaderContext } from "./context.ts";
export async function readAmazonReviews(file: string, _ctx: ReaderContext): Promise<void> {
  throw new InputError("amazon reviews reader not ready yet", file);
}
