/**
 * The assertion every backend's fixture test makes: outputs, loss, weightings, memory and
 * gradients within the NTM-SPEC tolerances; optimizer steps within 1e-6 except where RMSprop's
 * first update amplifies gradient differences, and there (for step1) no more than the gradient
 * difference explains.
 *
 * @module
 */

import { AssertionError } from "node:assert";
import type { Agreement } from "../../lib/verify/fixture.ts";

/** Throws naming every row that breaks the rule above. */
export function assertFixtureAgreement(rows: readonly Agreement[], label: string): void {
  const problems: string[] = [];
  for (const row of rows) {
    if (row.ok) continue;
    const detail = `${row.name} (${row.mismatches} elements, max error ${
      row.maxAbsError.toExponential(2)
    })`;
    if (!row.amplified) {
      problems.push(detail);
    } else if (row.amplified.count !== row.mismatches) {
      problems.push(`${detail}: ${row.mismatches - row.amplified.count} not amplified`);
    } else if (row.name.startsWith("step1.") && row.amplified.explained !== row.mismatches) {
      problems.push(`${detail}: ${row.mismatches - row.amplified.explained} not explained`);
    }
  }
  if (problems.length > 0) {
    throw new AssertionError({ message: `${label}: ${problems.join("; ")}` });
  }
}
