/**
 * The link step for WGSL: a kernel file and the shared building blocks it calls
 * (`shaders/common/*.wgsl`) are joined, whole files in the order given, into one module's code.
 * WGSL resolves module-scope names in any order, so only duplicate names can clash.
 *
 * @example
 * ```ts
 * import { linkShader } from "./shader.ts";
 * const code = linkShader("fn two() -> f32 { return 2.0; }", "fn four() -> f32 { return two() * 2.0; }");
 * ```
 *
 * @module
 */

/** Joins whole WGSL sources, each on its own lines, into one module's code. */
export function linkShader(...sources: string[]): string {
  return sources.map((source) => source.endsWith("\n") ? source : `${source}\n`).join("\n");
}
