import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { measurePredictions } from "../lib/eval/evaluate.ts";
import { generateBatch } from "../lib/train/task.ts";
import { dynamicNgramsTask, optimalPredictions } from "../tasks/dynamic_ngrams.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY, TINY_NTM } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

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

const estimators = new URL("../bench/ngram_estimators.ts", import.meta.url).pathname;
const attention = new URL("../bench/ngram_attention.ts", import.meta.url).pathname;

Deno.test("bench/ngram_estimators.ts tables the estimators of 0 to 7 context bits, the data's order the optimum", async () => {
  const run = await runScript(estimators, [
    "--batches",
    "2",
    "--ngram",
    "3",
    "--sequence-len",
    "30",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const params = resolveParams(dynamicNgramsTask.params, ["ngram=3", "sequence_len=30"]);
  const batches = [1, 2].map((n) => generateBatch(dynamicNgramsTask.elements(params), 11, n));
  const optimum = batches.reduce(
    (sum, batch) =>
      sum + measurePredictions(optimalPredictions(params, batch), batch, 1).crossEntropyBits,
    0,
  ) / 2;
  const rows = run.stdout.split("\n").filter((line) => /^\| +\d+ \|/.test(line));
  assert.equal(rows.length, 8, run.stdout);
  assert.match(rows[2], new RegExp(`^\\| +2 \\| +${optimum.toFixed(2)} \\(the optimum\\) \\|$`));
  const bad = await runScript(estimators, ["--ngram", "13"]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "error: Cannot set param ngram=13: it must be an integer ≥ 1 and ≤ 12\n",
  );
});

Deno.test("bench/ngram_attention.ts tables the read weight by lag, and refuses other checkpoints", async () => {
  await withTempDir(async (dir) => {
    const train = await runScript(TASKS.dynamicNgrams, [
      ...TINY_NTM,
      "-p",
      "sequence_len=30",
      "-p",
      "num_batches=1",
      "--checkpoint-path",
      ".",
    ], dir);
    assert.equal(train.code, 0, train.stderr);
    const run = await runScript(attention, [
      "--checkpoint",
      "dynamic-ngrams-task-1000-batch-1.safetensors",
      "--batches",
      "2",
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    const rows = [...run.stdout.matchAll(/^\| +(\d) \| +([\d.]+) \| +([\d.]+) \|$/gm)];
    assert.deepEqual(rows.map((row) => Number(row[1])), [0, 1, 2, 3, 4, 5]);
    for (const [, , matching, uniform] of rows) {
      assert.ok(Number(matching) >= 0 && Number(matching) <= 1, matching);
      assert.ok(Number(uniform) > 0 && Number(uniform) <= 1, uniform);
    }
    const copy = await runScript(TASKS.copy, [
      ...TINY,
      "-p",
      "num_batches=1",
      "--checkpoint-path",
      ".",
    ], dir);
    assert.equal(copy.code, 0, copy.stderr);
    const refused = await runScript(attention, [
      "--checkpoint",
      "copy-task-1000-batch-1.safetensors",
    ], dir);
    assert.equal(refused.code, 2);
    assert.equal(
      refused.stderr,
      "error: Cannot analyse copy-task-1000-batch-1.safetensors: it is a checkpoint of copy-task, not dynamic-ngrams-task\n",
    );
    const missing = await runScript(attention, [], dir);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      "error: Cannot analyse the heads: no checkpoint given; add --checkpoint PATH\n",
    );
  });
});
