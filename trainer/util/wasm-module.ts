/**
 * The trainer's WebAssembly kernels are assembled from opcodes in TypeScript (no toolchain
 * needed). This module is the one binary encoder they share: LEB128 integers, vectors, names,
 * sections, the instructions the kernels use, and the module header. Each kernel keeps only its
 * own function body and signature.
 */

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
export const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

// Instructions.
export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const tee = (i: number) => [0x22, ...uleb(i)];
export const i32c = (v: number) => [0x41, ...sleb(v)];
export const i32Add = [0x6a];
export const i32Mul = [0x6c];
export const i32Shl = [0x74];
export const i32LtU = [0x49];
export const i32GeU = [0x4f];
export const f32Load = [0x2a, 0x02, 0x00];
export const i32Store = [0x36, 0x02, 0x00];
export const block = [0x02, 0x40];
export const loop = [0x03, 0x40];
export const ifThen = [0x04, 0x40];
export const br = (depth: number) => [0x0c, ...uleb(depth)];
export const brIf = (depth: number) => [0x0d, ...uleb(depth)];
export const end = [0x0b];
/** A SIMD (0xfd-prefixed) instruction with its immediates. */
export const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
/** Memory immediate: alignment as log2 bytes, then the offset. */
export const memarg = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
export const v128Zero = simd(12, ...new Array(16).fill(0));

/** A function's code: locals as [count, type] runs, then its body (which ends with `end`). */
export function functionCode(locals: [count: number, type: number][], body: number[]): number[] {
  const code = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...body];
  return [...uleb(code.length), ...code];
}

export interface ModuleSpec {
  /** The one function's parameter and result types. */
  params: number[];
  results: number[];
  /** Import `env.memory` (minimum `pages`) instead of defining one. */
  importMemory?: { pages: number };
  /** Define a memory (minimum `pages`), exported under `exportName`. */
  ownMemory?: { pages: number; exportName: string };
  /** The function's export name. */
  exportName: string;
  code: number[];
}

/** A module with exactly one function, as every kernel here is. */
export function assembleModule(spec: ModuleSpec): Uint8Array<ArrayBuffer> {
  const exports: number[][] = [];
  if (spec.ownMemory) exports.push([...name(spec.ownMemory.exportName), 0x02, 0x00]);
  exports.push([...name(spec.exportName), 0x00, 0x00]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(spec.params.map((t) => [t])), ...vec(spec.results.map((t) => [t]))]])),
    ...(spec.importMemory ? section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(spec.importMemory.pages)]])) : []),
    ...section(3, vec([[0x00]])),
    ...(spec.ownMemory ? section(5, vec([[0x00, ...uleb(spec.ownMemory.pages)]])) : []),
    ...section(7, vec(exports)),
    ...section(10, vec([spec.code])),
  ];
  return new Uint8Array(bytes);
}
