import assert from "node:assert/strict";
import { runLabels } from "../lib/cli/history_cli.ts";
import { convergence, historyChart, windowMeans } from "../lib/eval/history.ts";
import { type LoadedCheckpoint, readCheckpoint } from "../lib/io/checkpoint.ts";
import { encodePng } from "../lib/io/png.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const { copy: COPY, repeatCopy: REPEAT_COPY } = TASKS;

/** Trains `batches` batches of the tiny copy task with `seed` into `dir`; returns the checkpoint. */
async function tinyRun(dir: string, seed: number, batches: number): Promise<string> {
  const run = await runScript(COPY, [
    ...TINY,
    "--seed",
    String(seed),
    "-p",
    `num_batches=${batches}`,
    "--checkpoint-path",
    ".",
  ], dir);
  assert.equal(run.code, 0, run.stderr);
  return `copy-task-${seed}-batch-${batches}.safetensors`;
}

/** The cells of the Markdown table rows in `stdout`, header and separator left out. */
function tableRows(stdout: string): string[][] {
  return stdout.split("\n").filter((line) => line.startsWith("|")).slice(2).map((line) =>
    line.slice(1, -1).split("|").map((cell) => cell.trim())
  );
}

Deno.test("copy task history tables, summarises and charts the cost of runs side by side", async () => {
  await withTempDir(async (dir) => {
    const runs = [await tinyRun(dir, 1, 7), await tinyRun(dir, 2, 5)];
    const history = await runScript(COPY, [
      "history",
      ...runs,
      "--window",
      "3",
      "--threshold",
      "2.5",
      "--image",
      "chart.png",
    ], dir);
    assert.equal(history.code, 0, history.stderr);
    const checkpoints = await Promise.all(runs.map((run) => readCheckpoint(`${dir}/${run}`)));
    const means = checkpoints.map((checkpoint) => windowMeans(checkpoint.history.cost, 3));
    assert.match(
      history.stdout,
      /^seed 1: copy-task-1-batch-7\.safetensors \(copy-task, 7 batches/,
    );
    assert.match(history.stdout, /over windows of 3 batch\(es\):/);
    assert.match(history.stdout, /\| batch \| seed 1 \| seed 2 \|/);
    assert.deepEqual(tableRows(history.stdout), [
      ["3", means[0][0].mean.toFixed(2), means[1][0].mean.toFixed(2)],
      ["5", "", means[1][1].mean.toFixed(2)],
      ["6", means[0][1].mean.toFixed(2), ""],
      ["7", means[0][2].mean.toFixed(2), ""],
    ]);
    checkpoints.forEach((checkpoint, index) => {
      const { firstBelow, belowFrom } = convergence(means[index], 2.5);
      const line = history.stdout.split("\n").find((text) =>
        text.startsWith(`seed ${checkpoint.seed}: `) && text.includes("per sequence")
      );
      const last = means[index].at(-1)!.mean.toFixed(2);
      assert.equal(
        line,
        `seed ${checkpoint.seed}: ${
          firstBelow === undefined
            ? `never below 2.5 bits per sequence in ${checkpoint.batch} batches`
            : `first below 2.5 bits per sequence at batch ${firstBelow}; ${
              belowFrom === undefined
                ? "above it at the end"
                : `below it from batch ${belowFrom} on`
            }`
        } (last window: ${last})`,
      );
    });
    const chart = historyChart(
      checkpoints.map((checkpoint, index) => ({
        name: `seed ${checkpoint.seed}`,
        means: means[index],
      })),
    );
    assert.deepEqual(await Deno.readFile(`${dir}/chart.png`), encodePng(chart.image));
    assert.match(history.stdout, /Chart: chart\.png \(\d+×\d+ pixels\)/);

    // The .json history names the checkpoint too, and the default window fits 7 batches: 1.
    const single = await runScript(COPY, ["history", runs[0].replace(/safetensors$/, "json")], dir);
    assert.equal(single.code, 0, single.stderr);
    assert.deepEqual(
      tableRows(single.stdout).map((row) => row[1]),
      checkpoints[0].history.cost.map((cost) => cost.toFixed(2)),
    );
    assert.match(single.stdout, /first below 1 bit per sequence|never below 1 bit per sequence/);
  });
});

Deno.test("history names runs by seed, then by seed and batches, then by their order", () => {
  const checkpoint = (seed: number, batch: number) => ({ seed, batch }) as LoadedCheckpoint;
  assert.deepEqual(runLabels([checkpoint(10, 5), checkpoint(1, 5)]), ["seed 10", "seed 1"]);
  assert.deepEqual(runLabels([checkpoint(10, 5), checkpoint(10, 9)]), [
    "seed 10, 5 batches",
    "seed 10, 9 batches",
  ]);
  assert.deepEqual(runLabels([checkpoint(10, 5), checkpoint(10, 5)]), ["run 1", "run 2"]);
});

Deno.test("history rejects bad input with status 2 and one line, writing nothing", async (t) => {
  await withTempDir(async (dir) => {
    const copy = await tinyRun(dir, 1, 2);
    const repeat = await runScript(REPEAT_COPY, [
      "-p",
      "controller_size=4",
      "-p",
      "memory_n=4",
      "-p",
      "num_batches=1",
      "--backend",
      "cpu",
      "--checkpoint-path",
      ".",
    ], dir);
    assert.equal(repeat.code, 0, repeat.stderr);
    const cases: [string, string, string[], RegExp][] = [
      ["no checkpoint", COPY, ["history"], /^error: Cannot show a history: no checkpoint given/],
      [
        "another task's checkpoint",
        COPY,
        ["history", "repeat-copy-task-1000-batch-1.safetensors"],
        /it is a checkpoint of repeat-copy-task, not copy-task; use deno task repeat-copy history$/,
      ],
      [
        "a missing checkpoint",
        COPY,
        ["history", "copy-task-9-batch-2.safetensors"],
        /^error: Cannot read checkpoint copy-task-9-batch-2\.safetensors: /,
      ],
      [
        "a window of 0",
        COPY,
        ["history", copy, "--window", "0"],
        /^error: Cannot use option --window=0: it must be an integer from 1 to 2147483647$/,
      ],
      [
        "a threshold of 0",
        COPY,
        ["history", copy, "--threshold", "0"],
        /^error: Cannot use option --threshold=0: it must be a number above 0$/,
      ],
      [
        "a threshold that is no number",
        COPY,
        ["history", copy, "--threshold", "one"],
        /^error: Cannot use option --threshold=one: it must be a number above 0$/,
      ],
      [
        "an image that is not a PNG",
        COPY,
        ["history", copy, "--image", "chart.gif"],
        /^error: Cannot use image file "chart\.gif": the picture is a PNG; end it in \.png$/,
      ],
      [
        "a training option",
        COPY,
        ["history", copy, "--seed", "3"],
        /^error: Cannot parse arguments: Unknown option '--seed'/,
      ],
      [
        "more runs than the chart's legend holds",
        COPY,
        ["history", ...Array(30).fill(copy), "--image", "chart.png"],
        /^error: Cannot draw a chart: a legend of 30 series needs \d+ pixels beside a plot \d+ pixels high; make the chart taller or draw fewer series$/,
      ],
      [
        "history after a training option",
        COPY,
        ["--seed", "3", "history", copy],
        /^error: Cannot parse arguments: history must be the first argument, as in `history CHECKPOINT \[options\]`; see history --help$/,
      ],
    ];
    for (const [name, script, args, message] of cases) {
      await t.step(name, async () => {
        const before = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
        const run = await runScript(script, args, dir);
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
  for (const option of ["--window N", "--threshold BITS", "--image PATH"]) {
    assert.ok(help.stdout.includes(option), option);
  }
  const training = await runScript(COPY, ["--help"]);
  assert.ok(training.stdout.includes("deno task copy history --help"));
});
