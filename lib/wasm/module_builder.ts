/**
 * Assembles a WebAssembly module from functions: one imported memory, each function exported
 * under its name. Kernels are emitted at run time from TypeScript, so no toolchain and no
 * binary files are needed.
 *
 * @example
 * ```ts
 * const scale = new FunctionBuilder("scale", { pointer: "i32", factor: "f32" });
 * const { pointer, factor } = scale.params;
 * scale.emit(f32.store(get(pointer), f32.mul(f32.load(get(pointer)), get(factor))));
 * const bytes = encodeModule({ module: "env", name: "memory" }, [scale]);
 * ```
 *
 * @module
 */

import { type Bytes, name, section, unsignedLeb128, vector } from "./encoding.ts";
import type { FunctionBuilder } from "./function_builder.ts";

const TYPE_SECTION = 1, IMPORT_SECTION = 2, FUNCTION_SECTION = 3, EXPORT_SECTION = 7;
const CODE_SECTION = 10;
const MEMORY_KIND = 0x02, FUNCTION_KIND = 0x00;

/** Where the module's memory comes from in the import object. */
export interface MemoryImport {
  /** The import object's key. */
  readonly module: string;
  /** The memory's key inside it. */
  readonly name: string;
}

/** Encodes a module that imports one memory and exports the given functions. */
export function encodeModule(
  memory: MemoryImport,
  functions: readonly FunctionBuilder[],
): Uint8Array<ArrayBuffer> {
  const names = new Set<string>();
  for (const fn of functions) {
    if (names.has(fn.name)) {
      throw new Error(`Cannot encode the module: two functions are named "${fn.name}"`);
    }
    names.add(fn.name);
  }
  // Limits: no maximum (flag 0), at least 0 pages; the importer's memory sets the size.
  const memoryLimits: Bytes = [0x00, ...unsignedLeb128(0)];
  const bytes: Bytes = [
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(TYPE_SECTION, vector(functions.map((fn) => fn.encodeType()))),
    ...section(
      IMPORT_SECTION,
      vector([[...name(memory.module), ...name(memory.name), MEMORY_KIND, ...memoryLimits]]),
    ),
    ...section(FUNCTION_SECTION, vector(functions.map((_, index) => unsignedLeb128(index)))),
    ...section(
      EXPORT_SECTION,
      vector(
        functions.map((fn, index) => [...name(fn.name), FUNCTION_KIND, ...unsignedLeb128(index)]),
      ),
    ),
    ...section(CODE_SECTION, vector(functions.map((fn) => fn.encodeCode()))),
  ];
  return new Uint8Array(bytes);
}
