import { describe, expect, it } from "vitest";
import { simdKernelBytes } from "../../../trainer/artifact/simd-kernel.ts";
import { assembleTileModule } from "../../../trainer/linalg/wasm-tile.ts";
import { assembleModule, end, functionCode, get, I32, i32Add, i32c, sleb, uleb } from "../../../trainer/util/wasm-module.ts";

describe("wasm-module", () => {
  it("encodes LEB128 as the WebAssembly spec's examples", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it("assembles a module that V8 compiles and runs", () => {
    const bytes = assembleModule({
      params: [I32],
      results: [I32],
      exportName: "plus1000",
      code: functionCode([], [...get(0), ...i32c(1000), ...i32Add, ...end]),
    });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    expect((exports.plus1000 as (x: number) => number)(-5)).toBe(995);
  });

  it("assembles both trainer kernels into valid modules", () => {
    expect(WebAssembly.validate(simdKernelBytes())).toBe(true);
    expect(WebAssembly.validate(assembleTileModule(64))).toBe(true);
    expect(WebAssembly.validate(assembleTileModule(64, { rows: 2, vectors: 2, panel: "f32", unroll: 2 }))).toBe(true);
  });
});
