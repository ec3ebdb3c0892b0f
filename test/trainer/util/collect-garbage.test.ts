import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../../trainer/util/collect-garbage.ts";

describe("collectGarbage", () => {
  it("collects an unreachable WebAssembly memory at once (its pages go back to the system)", async () => {
    const collected: string[] = [];
    const registry = new FinalizationRegistry((name: string) => collected.push(name));
    (() => {
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 16 });
      new Uint8Array(memory.buffer).fill(1);
      registry.register(memory, "work memory");
    })();
    collectGarbage();
    // Finalizers run on a later turn of the event loop.
    for (let turn = 0; turn < 10 && collected.length === 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(collected).toEqual(["work memory"]);
  });
});
