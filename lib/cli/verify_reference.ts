/**
 * `deno task verify-reference FILE... [--backend KIND]`: runs each reference fixture (a
 * safetensors file written by the PyTorch reference, NTM-SPEC "fixtures/") on a backend and
 * prints, for every tensor, the largest absolute error and the worst ratio to its NTM-SPEC
 * tolerance. Exits 0 when every row passes, 1 when any fails, 2 on bad input.
 *
 * `cpu` is the CPU model in float32, as the CPU backend trains; `cpu-float64` is the same model in
 * float64, the project's oracle. A failing optimizer-step row also says how many of its elements
 * sit where RMSprop's first update amplifies gradient differences (`stepSensitivity` in
 * lib/verify/fixture.ts), and for step1 how many of those the gradient difference explains.
 *
 * @module
 */

import { UsageError } from "../config.ts";
import { runFixtureCpu } from "../cpu/run_fixture.ts";
import { createGpuContext } from "../gpu/context.ts";
import { runFixtureWebgpu } from "../gpu/ntm/run_fixture.ts";
import {
  type Agreement,
  compareFixture,
  type Fixture,
  type FixtureRun,
  loadFixture,
} from "../verify/fixture.ts";
import { parseCommandLine } from "./command_line.ts";
import { runCommand } from "./exit.ts";

/** Runs a fixture's batch on one backend. */
export type FixtureRunner = (fixture: Fixture) => Promise<FixtureRun>;

/** The backends verify-reference can run, by `--backend` name. */
export const FIXTURE_RUNNERS: Readonly<Record<string, FixtureRunner>> = {
  cpu: (fixture) => Promise.resolve(runFixtureCpu(fixture, "float32")),
  "cpu-float64": (fixture) => Promise.resolve(runFixtureCpu(fixture, "float64")),
  webgpu: async (fixture) => {
    const context = await createGpuContext();
    try {
      return await runFixtureWebgpu(context, fixture);
    } finally {
      context.device.destroy();
    }
  },
};

const USAGE = [
  "Check a backend against fixtures written by the PyTorch reference.",
  "",
  "usage: deno task verify-reference [-h] [--backend KIND] FILE...",
  "",
  "options:",
  "  -h, --help       show this help and exit",
  `  --backend KIND   ${Object.keys(FIXTURE_RUNNERS).join(" | ")} (default: cpu)`,
  "                   cpu: the CPU model in float32; cpu-float64: the same in float64;",
  "                   webgpu: the fused WGSL kernels (float32)",
  "",
  "Prints every tensor's max abs error and its worst ratio to the tolerance (≤ 1 passes);",
  "exits 1 if any row fails, 2 on bad input.",
].join("\n");

/** The comparison table of one fixture, one row per tensor. */
export function formatAgreements(rows: readonly Agreement[]): string[] {
  const width = Math.max(6, ...rows.map((row) => row.name.length));
  const lines = [
    `  ${"tensor".padEnd(width)}  ${"max abs error".padStart(13)}  ${"atol".padStart(7)}  ${
      "rtol".padStart(7)
    }  ${"ratio".padStart(9)}  result`,
  ];
  for (const row of rows) {
    const elements = `${row.mismatches} element${row.mismatches === 1 ? "" : "s"}`;
    const explained = row.name.startsWith("step1.") && row.amplified
      ? `, ${row.amplified.explained} explained by it`
      : "";
    const detail = row.ok
      ? ""
      : row.amplified
      ? ` (${elements}: ${row.amplified.count} where RMSprop amplifies the gradient difference${explained})`
      : ` (${elements})`;
    lines.push(
      `  ${row.name.padEnd(width)}  ${row.maxAbsError.toExponential(3).padStart(13)}  ${
        row.atol.toExponential(0).padStart(7)
      }  ${row.rtol.toExponential(0).padStart(7)}  ${row.worstRatio.toFixed(4).padStart(9)}  ${
        row.ok ? "ok" : "FAIL"
      }${detail}`,
    );
  }
  return lines;
}

/** Parses the arguments, loads every fixture (so bad input stops before any run), runs them. */
async function verifyReference(args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine({
    args: [...args],
    options: { help: { type: "boolean", short: "h" }, backend: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const backend = parsed.values.backend ?? "cpu";
  const runner = Object.hasOwn(FIXTURE_RUNNERS, backend) ? FIXTURE_RUNNERS[backend] : undefined;
  if (!runner) {
    throw new UsageError(
      `Cannot use backend "${backend}": valid backends are ${
        Object.keys(FIXTURE_RUNNERS).join(", ")
      }`,
    );
  }
  if (parsed.positionals.length === 0) {
    throw new UsageError("Cannot verify: no fixture files given; see --help");
  }
  const fixtures: Fixture[] = [];
  for (const path of parsed.positionals) fixtures.push(await loadFixture(path));

  let failed = 0, total = 0;
  for (const fixture of fixtures) {
    const rows = compareFixture(fixture, await runner(fixture));
    const failures = rows.filter((row) => !row.ok).length;
    failed += failures;
    total += rows.length;
    console.log(`${fixture.source} on ${backend}:`);
    for (const line of formatAgreements(rows)) console.log(line);
    console.log(
      failures === 0
        ? `  all ${rows.length} rows pass`
        : `  ${failures} of ${rows.length} rows FAIL`,
    );
  }
  console.log(
    failed === 0
      ? `verify-reference: all ${total} rows of ${fixtures.length} fixture(s) pass`
      : `verify-reference: ${failed} of ${total} rows fail`,
  );
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  runCommand(() => verifyReference(Deno.args)).then((status) => Deno.exit(status));
}
