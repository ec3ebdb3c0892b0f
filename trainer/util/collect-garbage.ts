/**
 * A full garbage collection, on demand. The inverse-sized fits (EASE, SLIST) work in an n×n
 * WebAssembly memory (1.15 GB at 12k items) that is returned to the system only when a full
 * collection finds it unreachable, and V8 does not schedule one for memory outside its heap
 * soon enough: on the Toys catalogue three finished fits' work memories were still resident
 * beside the next fit. The tuning search collects after each such fit.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    // --expose-gc set now applies to contexts created after it: a fresh one hands out gc().
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
