/**
 * The progress bar shown between reports, like the reference's: `[=====     ]: 1234`, redrawn in
 * place on stderr, and only when stderr is a terminal.
 *
 * @module
 */

import type { ProgressDisplay } from "../train/trainer.ts";

const BAR_WIDTH = 40;
const REDRAW_MS = 100;

/** A progress bar on stderr when it is a terminal; otherwise a display that shows nothing. */
export function terminalProgress(stderr: typeof Deno.stderr = Deno.stderr): ProgressDisplay {
  if (!stderr.isTerminal()) return { update() {}, clear() {} };
  const encoder = new TextEncoder();
  let shown = false;
  let lastDraw = 0;
  return {
    update(batch, fraction) {
      const now = performance.now();
      if (shown && now - lastDraw < REDRAW_MS && fraction < 1) return;
      lastDraw = now;
      const fill = Math.min(BAR_WIDTH, Math.floor(fraction * BAR_WIDTH));
      stderr.writeSync(
        encoder.encode(`\r[${"=".repeat(fill)}${" ".repeat(BAR_WIDTH - fill)}]: ${batch}`),
      );
      shown = true;
    },
    clear() {
      if (!shown) return;
      stderr.writeSync(encoder.encode("\r\x1b[K"));
      shown = false;
    },
  };
}
