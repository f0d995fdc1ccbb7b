import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { CpuNtm } from "../lib/cpu/ntm.ts";
import { measurePredictions } from "../lib/eval/evaluate.ts";
import { checkpointState, readCheckpoint } from "../lib/io/checkpoint.ts";
import { paramLayout } from "../lib/params.ts";
import { generateBatch, type TaskBatch } from "../lib/train/task.ts";
import { dynamicNgramsTask, ngramSequence, optimalPredictions } from "../tasks/dynamic_ngrams.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY, TINY_NTM, trainInto } from "./helpers/task_scripts.ts";
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

const gpuThroughput = new URL("../bench/gpu_throughput.ts", import.meta.url).pathname;

Deno.test("bench/gpu_throughput.ts --params checks the copy task's params as -p does", async (t) => {
  const cases: [string, string][] = [
    [
      "memory_q=3",
      'Cannot set param "memory_q": valid params are controller_size, controller_layers, ' +
      "num_heads, heads, memory_n, memory_m, batch_size, rmsprop_lr, rmsprop_lr_schedule, " +
      "rmsprop_momentum, rmsprop_alpha, sequence_width, sequence_min_len, sequence_max_len, " +
      "num_batches",
    ],
    ["memory_n=x", "Cannot set param memory_n=x: it must be an integer ≥ 3 and ≤ 2147483647"],
    [
      "sequence_min_len=30",
      "Cannot set params: sequence_min_len (30) must not exceed sequence_max_len (20)",
    ],
    [
      "memory_n=16 batch_size=4",
      "Cannot use option --params=memory_n=16 batch_size=4: it must be assignments to params " +
      "other than batch_size, which --sizes sets",
    ],
  ];
  for (const [params, message] of cases) {
    await t.step(params, async () => {
      const run = await runScript(gpuThroughput, ["--params", params]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr, `error: ${message}\n`);
      assert.equal(run.stdout, "");
    });
  }
});

const estimators = new URL("../bench/ngram_estimators.ts", import.meta.url).pathname;
const memory = new URL("../bench/ngram_memory.ts", import.meta.url).pathname;

/** The rows of the Markdown tables a script printed, as cells. */
const tableRows = (stdout: string) =>
  stdout.split("\n").filter((line) => /^\| +[\d–]+ \|/.test(line)).map((line) =>
    line.split("|").slice(1, -1).map((cell) => cell.trim())
  );

/** The mean cross-entropy, in bits per sequence, of estimator `ngram` over `batches`. */
function estimatorBits(
  batches: readonly TaskBatch[],
  assignments: string[],
  ngram: number,
  window = Infinity,
): number {
  const params = resolveParams(dynamicNgramsTask.params, [...assignments, `ngram=${ngram}`]);
  return batches.reduce(
    (sum, batch) =>
      sum +
      measurePredictions(optimalPredictions(params, batch, window), batch, 1).crossEntropyBits,
    0,
  ) / batches.length;
}

Deno.test("bench/ngram_estimators.ts tables the estimators of 0 to 7 context bits and 2 past the data's order", async () => {
  const data = ["ngram=7", "sequence_len=30"];
  const params = resolveParams(dynamicNgramsTask.params, data);
  const batches = [1, 2].map((n) => generateBatch(dynamicNgramsTask.elements(params), 11, n));
  const small = ["--batches", "2", "--ngram", "7", "--sequence-len", "30"];
  const run = await runScript(estimators, small);
  assert.equal(run.code, 0, run.stderr);
  const rows = tableRows(run.stdout);
  assert.deepEqual(rows.map((row) => row[0]), ["0", "1", "2", "3", "4", "5", "6", "7", "8"]);
  assert.equal(rows[6][1], `${estimatorBits(batches, data, 7).toFixed(2)} (the optimum)`);
  assert.equal(rows[0][1], estimatorBits(batches, data, 1).toFixed(2));
  const windowed = await runScript(estimators, [...small, "--window", "10"]);
  assert.equal(windowed.code, 0, windowed.stderr);
  assert.match(windowed.stdout, /; counting the last 10 bits$/m);
  assert.equal(
    tableRows(windowed.stdout)[6][1],
    `${estimatorBits(batches, data, 7, 10).toFixed(2)} (the data's order)`,
  );
  const bad = await runScript(estimators, ["--ngram", "13"]);
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "error: Cannot use option --ngram=13: it must be an integer from 1 to 12\n",
  );
});

Deno.test("bench/ngram_memory.ts measures the write head, the read weight by lag and the gap to the optimum", async () => {
  await withTempDir(async (dir) => {
    await trainInto(dir, TASKS.dynamicNgrams, [...TINY_NTM, "-p", "sequence_len=30"], 1);
    const checkpoint = "dynamic-ngrams-task-1000-batch-1.safetensors";
    const run = await runScript(memory, ["--checkpoint", checkpoint, "--batches", "2"], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\(data seed 1001\), 29 predictions each$/m);
    const rows = tableRows(run.stdout);
    const lags = rows.slice(0, 6), bands = rows.slice(6);

    // The read weights by lag, recomputed from the definition: the rows whose last write before
    // the read at step t (heads read, write: steps s < t) followed step t's context by `lag`.
    const loaded = await readCheckpoint(`${dir}/${checkpoint}`);
    const params = resolveParams(dynamicNgramsTask.params, [], loaded.params);
    const layout = paramLayout(dynamicNgramsTask.config(params));
    const model = new CpuNtm(layout, { capacity: 29 });
    const { params: store } = checkpointState(layout, loaded);
    const expected = new Array(6).fill(0);
    let looked = 0;
    for (const batchNumber of [1, 2]) {
      const batch = generateBatch(dynamicNgramsTask.elements(params), 1001, batchNumber);
      model.forward(store, batch.input, batch);
      const bits = ngramSequence(params, 1001, batchNumber, 0);
      const context = (t: number) =>
        [0, 1, 2, 3, 4].reduce((sum, j) => sum + (t - j >= 0 ? bits[t - j] : 0) * 2 ** j, 0);
      const read = model.weightings(0), write = model.weightings(1);
      const argmax = (s: number) =>
        [0, 1, 2, 3].reduce((best, n) => write[s * 4 + n] > write[s * 4 + best] ? n : best);
      for (let t = 20; t < 29; t++) {
        for (let row = 0; row < 4; row++) {
          let last = -1;
          for (let s = 0; s < t; s++) if (argmax(s) === row) last = s;
          for (let lag = 0; lag < 6; lag++) {
            if (last - lag >= 0 && context(last - lag) === context(t)) {
              expected[lag] += read[t * 4 + row];
            }
          }
        }
        looked++;
      }
    }
    assert.deepEqual(
      lags.map((row) => row[1]),
      expected.map((sum) => (sum / looked).toFixed(3)),
    );

    // The bands add up to the gap evaluate prints for the same batches.
    assert.deepEqual(bands.map((row) => row[0]), ["0–28"]);
    const evaluation = await runScript(TASKS.dynamicNgrams, [
      "evaluate",
      checkpoint,
      "--batches",
      "2",
    ], dir);
    const gap = evaluation.stdout.match(
      /^Cross-entropy: [\d.]+ bits per sequence, ([\d.]+) (above|below)/m,
    );
    assert.ok(gap !== null, evaluation.stdout);
    const signed = Number(gap[1]) * (gap[2] === "above" ? 1 : -1);
    assert.ok(Math.abs(Number(bands[0][2]) - signed) <= 0.01, `${bands[0][2]} vs ${signed}`);

    await trainInto(dir, TASKS.copy, TINY, 1);
    const cases: [string[], string][] = [
      [
        ["--checkpoint", "copy-task-1000-batch-1.safetensors"],
        "Cannot analyse copy-task-1000-batch-1.safetensors: it is a checkpoint of copy-task, not dynamic-ngrams-task",
      ],
      [[], "Cannot analyse the heads: no checkpoint given; add --checkpoint PATH"],
      [
        ["--checkpoint", checkpoint, "--sequence-len", "21"],
        "Cannot use option --sequence-len=21: it must be an integer from 22 to 65536",
      ],
    ];
    for (const [args, message] of cases) {
      const refused = await runScript(memory, args, dir);
      assert.equal(refused.code, 2, refused.stdout);
      assert.equal(refused.stderr, `error: ${message}\n`);
    }
  });
});
