import assert from "node:assert/strict";
import { runLabels } from "../lib/cli/history_cli.ts";
import { resolveParams } from "../lib/cli/params.ts";
import { historyChart, windowMeans } from "../lib/eval/history.ts";
import {
  type CheckpointInfo,
  checkpointState,
  type LoadedCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from "../lib/io/checkpoint.ts";
import { encodePng } from "../lib/io/png.ts";
import { paramLayout } from "../lib/params.ts";
import { copyTask } from "../tasks/copy.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY, TINY_MODEL, trainInto } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const { copy: COPY, repeatCopy: REPEAT_COPY } = TASKS;

/** Trains 2 batches of the tiny copy task into `dir`: the template of the crafted checkpoints. */
async function template(dir: string): Promise<LoadedCheckpoint> {
  const run = await runScript(
    COPY,
    [...TINY, "-p", "num_batches=2", "--checkpoint-path", "."],
    dir,
  );
  assert.equal(run.code, 0, run.stderr);
  return await readCheckpoint(`${dir}/copy-task-1000-batch-2.safetensors`);
}

/** What a crafted checkpoint changes of the template: its history above all. */
interface Craft {
  readonly cost: readonly number[];
  /** By default 0.5 for every batch. */
  readonly loss?: readonly number[];
  readonly seed?: number;
  readonly backend?: string;
  readonly params?: Readonly<Record<string, number | string>>;
}

/**
 * Writes a checkpoint of the template's weights with a crafted history (`cost.length` batches)
 * into folder `folder` of `dir`; returns its path relative to `dir`.
 */
async function craft(
  dir: string,
  folder: string,
  base: LoadedCheckpoint,
  { cost, loss, seed, backend, params }: Craft,
): Promise<string> {
  const layout = paramLayout(copyTask.config(resolveParams(copyTask.params, [], base.params)));
  await Deno.mkdir(`${dir}/${folder}`, { recursive: true });
  const path = await writeCheckpoint(`${dir}/${folder}`, layout, {
    task: base.task,
    params: { ...base.params, ...params },
    seed: seed ?? base.seed,
    batch: cost.length,
    backend: backend ?? base.backend,
    state: checkpointState(layout, base),
    history: {
      loss: loss ?? cost.map(() => 0.5),
      cost,
      seq_lengths: cost.map(() => 3),
    },
  });
  return path.slice(dir.length + 1);
}

/** Runs `deno task copy history` in `dir` and expects it to succeed. */
async function history(dir: string, args: string[]): Promise<string> {
  const run = await runScript(COPY, ["history", ...args], dir);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

Deno.test("history prints the window means, where each run fell below the threshold, and a chart", async (t) => {
  await withTempDir(async (dir) => {
    const base = await template(dir);
    const seed1 = await craft(dir, "a", base, { seed: 1, cost: [8, 6, 0.5, 0.4, 3, 0.2, 0.1] });
    const seed2 = await craft(dir, "b", base, { seed: 2, cost: [5, 5, 5, 5, 5] });
    await t.step("two seeds, windows of 2, the last taking the batch left over", async () => {
      const stdout = await history(dir, [seed1, seed2, "--window", "2", "--image", "chart.png"]);
      assert.equal(
        stdout,
        [
          `seed 1: a/copy-task-1-batch-7.safetensors (copy-task, 7 batches of 1 sequence on cpu)`,
          `seed 2: b/copy-task-2-batch-5.safetensors (copy-task, 5 batches of 1 sequence on cpu)`,
          "",
          "Mean cost in bits per sequence over windows of 2 batches (the last window of a run " +
          "also takes the batches left after it):",
          "",
          "| batch | seed 1 | seed 2 |",
          "| ----: | -----: | -----: |",
          "|     2 |   7.00 |   5.00 |",
          "|     4 |   0.45 |        |",
          "|     5 |        |   5.00 |",
          "|     7 |   1.10 |        |",
          "",
          "seed 1: first below 1 bit per sequence at batch 4; not below it at the end (last " +
          "window: 1.10)",
          "seed 2: never below 1 bit per sequence in 5 batches (last window: 5.00)",
          "",
          "Chart: chart.png (800×480 pixels): the mean cost of each window against its last " +
          "batch, one line per run",
          "",
        ].join("\n"),
      );
      const chart = historyChart([
        { name: "seed 1", means: windowMeans([8, 6, 0.5, 0.4, 3, 0.2, 0.1], 2) },
        { name: "seed 2", means: windowMeans([5, 5, 5, 5, 5], 2) },
      ]);
      assert.deepEqual(await Deno.readFile(`${dir}/chart.png`), encodePng(chart.image));
    });
    await t.step("the default window, a .json path and another threshold", async () => {
      // 7 batches: windows of 1; seed 1 stays below 3.5 bits from batch 3 on.
      const stdout = await history(dir, [
        seed1.replace(/safetensors$/, "json"),
        "--threshold",
        "3.5",
      ]);
      assert.match(stdout, /over windows of 1 batch \(/);
      assert.match(
        stdout,
        /^seed 1: first below 3\.5 bits per sequence at batch 3; below it from batch 3 on \(last window: 0\.10\)$/m,
      );
    });
    await t.step("a small threshold shows as many decimals as it needs", async () => {
      const small = await craft(dir, "c", base, { seed: 3, cost: [0.004, 0.004] });
      const stdout = await history(dir, [small, "--threshold", "0.001"]);
      assert.match(stdout, /^\| +1 \| +0\.0040 \|$/m);
      assert.match(
        stdout,
        /^seed 3: never below 0\.001 bits per sequence in 2 batches \(last window: 0\.0040\)$/m,
      );
    });
    await t.step("a diverged run: gaps, and where its loss stopped being a number", async () => {
      const diverged = await craft(dir, "d", base, {
        seed: 4,
        cost: [4, 0.5, NaN, NaN],
        loss: [0.6, 0.1, NaN, NaN],
      });
      const stdout = await history(dir, [diverged, "--window", "1", "--image", "diverged.png"]);
      assert.match(stdout, /^\| +3 \| +NaN \|$/m);
      assert.match(
        stdout,
        /^seed 4: first below 1 bit per sequence at batch 2; not below it at the end \(last window: not a number\)$/m,
      );
      assert.match(stdout, /^seed 4: the loss was first not a number at batch 3 \(diverged\)$/m);
      assert.match(stdout, /one line per run; gaps where a mean is not a number$/m);
    });
    await t.step(
      "--metric loss: the mean loss, judged only against a given threshold",
      async () => {
        const losses = await craft(dir, "g", base, {
          seed: 5,
          cost: [40, 38, 41, 39],
          loss: [0.7, 0.5, 0.45, 0.43],
        });
        const stdout = await history(dir, [losses, "--metric", "loss", "--window", "2"]);
        assert.equal(
          stdout,
          [
            `seed 5: g/copy-task-5-batch-4.safetensors (copy-task, 4 batches of 1 sequence on cpu)`,
            "",
            "Mean loss (binary cross-entropy per output, in nats) over windows of 2 batches (the " +
            "last window of a run also takes the batches left after it):",
            "",
            "| batch | seed 5 |",
            "| ----: | -----: |",
            "|     2 | 0.6000 |",
            "|     4 | 0.4400 |",
            "",
          ].join("\n"),
        );
        const judged = await history(dir, [
          losses,
          "--metric",
          "loss",
          "--threshold",
          "0.45",
          "--window",
          "1",
          "--image",
          "loss.png",
        ]);
        assert.match(
          judged,
          /^seed 5: first below a loss of 0\.45 at batch 4; below it from batch 4 on \(last window: 0\.4300\)$/m,
        );
        assert.match(judged, /^Chart: loss\.png \(800×480 pixels\): the mean loss of each window/m);
        const chart = historyChart(
          [{ name: "seed 5", means: windowMeans([0.7, 0.5, 0.45, 0.43], 1) }],
          "mean loss (nats per output)",
        );
        assert.deepEqual(await Deno.readFile(`${dir}/loss.png`), encodePng(chart.image));
      },
    );
    await t.step("runs alike but for a param are named by it", async () => {
      const small = await craft(dir, "e", base, { cost: [1, 2], params: { memory_n: 4 } });
      const large = await craft(dir, "f", base, { cost: [1, 2], params: { memory_n: 8 } });
      const stdout = await history(dir, [small, large]);
      assert.match(stdout, /^\| batch \| memory_n=4 \| memory_n=8 \|$/m);
    });
  });
});

Deno.test("history names runs by what differs: seed, backend, params, then batches", () => {
  const info = (seed: number, batch: number, extra: Partial<CheckpointInfo> = {}) =>
    ({ task: "copy-task", params: {}, backend: "cpu", seed, batch, ...extra }) as CheckpointInfo;
  assert.deepEqual(runLabels([info(10, 5)]), ["seed 10"]);
  assert.deepEqual(runLabels([info(10, 5), info(1, 9)]), ["seed 10", "seed 1"]);
  assert.deepEqual(runLabels([info(10, 5), info(10, 1)]), ["5 batches", "1 batch"]);
  assert.deepEqual(
    runLabels([info(1, 5), info(1, 9), info(2, 9)]),
    ["seed 1, 5 batches", "seed 1, 9 batches", "seed 2, 9 batches"],
  );
  assert.deepEqual(
    runLabels([
      info(1, 5, { backend: "webgpu", params: { heads: "" } }),
      info(1, 5, { params: { heads: "read,write" } }),
    ]),
    ['on webgpu, heads=""', "on cpu, heads=read,write"],
  );
  assert.deepEqual(runLabels([info(1, 1), info(1, 1)]), ["run 1", "run 2"]);
});

Deno.test("history rejects bad input with status 2 and one line, writing nothing", async (t) => {
  await withTempDir(async (dir) => {
    const base = await template(dir);
    const copy = "copy-task-1000-batch-2.safetensors";
    const untrained = await craft(dir, "untrained", base, { cost: [] });
    const negative = await craft(dir, "negative", base, { cost: [1, 2] });
    const negativeHistory = `${dir}/${negative.replace(/safetensors$/, "json")}`;
    const json = JSON.parse(await Deno.readTextFile(negativeHistory));
    await Deno.writeTextFile(negativeHistory, JSON.stringify({ ...json, cost: [1, -49] }));
    const eleven = await Promise.all(
      Array.from({ length: 11 }, (_, seed) => craft(dir, "many", base, { seed, cost: [1] })),
    );
    await trainInto(dir, REPEAT_COPY, TINY_MODEL, 1);
    const cases: [string, string[], RegExp][] = [
      ["no checkpoint", ["history"], /^error: Cannot show a history: no checkpoint given/],
      [
        "another task's checkpoint",
        ["history", "repeat-copy-task-1000-batch-1.safetensors"],
        /it is a checkpoint of repeat-copy-task, not copy-task; use deno task repeat-copy history$/,
      ],
      [
        "a missing checkpoint",
        ["history", "copy-task-9-batch-2.safetensors"],
        /^error: Cannot read checkpoint copy-task-9-batch-2\.safetensors: /,
      ],
      [
        "a checkpoint given twice",
        ["history", copy, "./copy-task-1000-batch-2.json"],
        /^error: Cannot read the history of \.\/copy-task-1000-batch-2\.json: checkpoint copy-task-1000-batch-2\.safetensors is given twice; name each run once$/,
      ],
      [
        "a checkpoint of no batches",
        ["history", untrained],
        /^error: Cannot read the history of untrained\/copy-task-1000-batch-0\.safetensors: it was saved before any batch was trained$/,
      ],
      [
        "a negative cost",
        ["history", negative],
        /^error: Cannot read history .*negative\/copy-task-1000-batch-2\.json: "cost" is not a list of numbers of at least 0 \(or null\)$/,
      ],
      [
        "more runs than a chart tells apart",
        ["history", ...eleven, "--image", "chart.png"],
        /^error: Cannot chart 11 runs: a chart tells at most 10 apart by colour; chart fewer checkpoints at a time \(the table takes any number\)$/,
      ],
      [
        "an unknown metric",
        ["history", copy, "--metric", "bits"],
        /^error: Cannot use option --metric=bits: it must be one of cost, loss$/,
      ],
      [
        "a window of 0",
        ["history", copy, "--window", "0"],
        /^error: Cannot use option --window=0: it must be an integer from 1 to 2147483647$/,
      ],
      [
        "a threshold of 0",
        ["history", copy, "--threshold", "0"],
        /^error: Cannot use option --threshold=0: it must be a finite number above 0$/,
      ],
      [
        "an infinite threshold",
        ["history", copy, "--threshold", "1e400"],
        /^error: Cannot use option --threshold=1e400: it must be a finite number above 0$/,
      ],
      [
        "a threshold that is no number",
        ["history", copy, "--threshold", "one"],
        /^error: Cannot use option --threshold=one: it must be a finite number above 0$/,
      ],
      [
        "an image that is not a PNG",
        ["history", copy, "--image", "chart.gif"],
        /^error: Cannot use image file "chart\.gif": the picture is a PNG; end it in \.png$/,
      ],
      [
        "a training option",
        ["history", copy, "--seed", "3"],
        /^error: Cannot parse arguments: Unknown option '--seed'.*; see history --help$/,
      ],
      [
        "history after a training option",
        ["--seed", "3", "history", copy],
        /^error: Cannot parse arguments: history must be the first argument, as in `history CHECKPOINT \[options\]`; see history --help$/,
      ],
    ];
    for (const [name, args, message] of cases) {
      await t.step(name, async () => {
        const before = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
        const run = await runScript(COPY, args, dir);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
        assert.match(run.stderr.trim(), message);
        assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name).sort(), before);
      });
    }
  });
});

Deno.test("history --help describes its options and is reached from the training help", async () => {
  const help = await runScript(COPY, ["history", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  for (const option of ["--metric cost|loss", "--window N", "--threshold VALUE", "--image PATH"]) {
    assert.ok(help.stdout.includes(option), option);
  }
  const training = await runScript(COPY, ["--help"]);
  assert.ok(training.stdout.includes("deno task copy history --help"));
});
