import assert from "node:assert/strict";
import { runScript } from "./helpers/run_deno.ts";

const cpuThroughput = new URL("../bench/cpu_throughput.ts", import.meta.url).pathname;

Deno.test("benchOptions() prints --help and stops bad options with one line and status 2", async (t) => {
  await t.step("--help lists every option with its value and default", async () => {
    const run = await runScript(cpuThroughput, ["--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^ {2}--batches N +timed batches per configuration \(default: 300\)$/m,
    );
    assert.match(run.stdout, /^ {2}--only plain\|wasm +measure these kernels alone/m);
  });
  const cases: [string[], string][] = [
    [["--batches", "abc"], "error: Cannot use option --batches=abc: it must be an integer ≥ 1"],
    [["--warmup=-1"], "error: Cannot use option --warmup=-1: it must be an integer ≥ 0"],
    [["--only", "gpu"], "error: Cannot use option --only=gpu: it must be one of plain, wasm"],
    [["--bogus"], "error: Cannot parse arguments: Unknown option '--bogus'; see --help"],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const run = await runScript(cpuThroughput, args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr, `${message}\n`);
      assert.equal(run.stdout, "");
    });
  }
});
