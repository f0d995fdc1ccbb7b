import assert from "node:assert/strict";
import { PNG_SIGNATURE } from "../lib/io/png.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const { copy: COPY, repeatCopy: REPEAT_COPY } = TASKS;

/** Trains 2 batches of the tiny copy task into `dir`; returns the checkpoint's path there. */
async function tinyCheckpoint(dir: string): Promise<string> {
  const run = await runScript(COPY, [
    ...TINY,
    "-p",
    "num_batches=2",
    "--checkpoint-path",
    ".",
  ], dir);
  assert.equal(run.code, 0, run.stderr);
  return "copy-task-1000-batch-2.safetensors";
}

Deno.test("copy task evaluate runs a checkpoint on longer sequences and draws the first", async () => {
  await withTempDir(async (dir) => {
    const checkpoint = await tinyCheckpoint(dir);
    const run = await runScript(COPY, [
      "evaluate",
      checkpoint,
      "-p",
      "sequence_min_len=7",
      "-p",
      "sequence_max_len=7",
      "-p",
      "batch_size=2",
      "--batches",
      "3",
      "--seed",
      "4",
      "--image",
      "seven.png",
      "--scale",
      "3",
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const lines = run.stdout.trimEnd().split("\n");
    assert.match(
      lines[0],
      /^Evaluating copy-task-1000-batch-2\.safetensors \(copy-task, seed 1000, trained 2 batches on cpu\)$/,
    );
    assert.equal(
      lines[1],
      "Params: the checkpoint's, with batch_size=2 (was 1), sequence_min_len=7 (was 1), " +
        "sequence_max_len=7 (was 3)",
    );
    assert.equal(lines[2], "Data: seed 4, batches 1 to 3 of 2 sequence(s), on the CPU reference");
    const batches = lines.slice(3, 6).map((line) =>
      line.match(/^Batch (\d) Length: 7 Loss: (\d\.\d{6}) Cost: (\d+\.\d\d)$/)
    );
    assert.deepEqual(batches.map((match) => match?.[1]), ["1", "2", "3"], lines.join("\n"));
    const mean = (
      column: number,
    ) => (batches.reduce((total, match) => total + Number(match![column]), 0) / 3);
    const summary = lines[6].match(
      /^Mean of 3 batch\(es\): Loss: (\d\.\d{6}) Cost: (\d+\.\d\d) bits per sequence$/,
    );
    assert.ok(summary, lines[6]);
    // The mean of the printed (rounded) figures is within rounding of the printed mean.
    assert.ok(Math.abs(Number(summary[1]) - mean(2)) <= 1e-6, `loss ${summary[1]}`);
    assert.ok(Math.abs(Number(summary[2]) - mean(3)) <= 0.01, `cost ${summary[2]}`);
    // 7 input steps and the delimiter, then 7 output steps; rows 3 + 2 + 2 + 4 + 4 and 4 gaps.
    assert.equal(
      lines[7],
      "Picture of batch 1, sequence 0: seven.png (45×57 pixels, 3 per cell; 0 dark blue, 1 yellow)",
    );
    assert.equal(lines[8], "  15 columns, one per step; the output phase starts at step 8");
    assert.equal(
      lines[9],
      "  rows from the top: input (3), target (2), output (2), read head 0 (4), write head 1 (4)",
    );
    const png = await Deno.readFile(`${dir}/seven.png`);
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    const header = new DataView(png.buffer, 16, 8);
    assert.deepEqual([header.getUint32(0), header.getUint32(4)], [45, 57]);

    // The same data gives the same figures.
    const again = await runScript(COPY, [
      "evaluate",
      checkpoint.replace(/safetensors$/, "json"),
      "-p",
      "sequence_min_len=7",
      "-p",
      "sequence_max_len=7",
      "-p",
      "batch_size=2",
      "--batches",
      "3",
      "--seed",
      "4",
    ], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.stdout.split("\n").slice(3, 7), lines.slice(3, 7));
  });
});

Deno.test("task evaluate rejects bad input with status 2 and one line, writing nothing", async (t) => {
  await withTempDir(async (dir) => {
    const checkpoint = await tinyCheckpoint(dir);
    await Deno.writeTextFile(`${dir}/a-file`, "not a folder");
    const cases: [string, string, string[], RegExp][] = [
      ["no checkpoint", COPY, [], /Cannot evaluate: no checkpoint given; name one/],
      [
        "two checkpoints",
        COPY,
        [checkpoint, "other.safetensors"],
        /Cannot evaluate: 2 checkpoints given \(.*, other\.safetensors\); name exactly one$/,
      ],
      ["a missing checkpoint", COPY, ["missing.safetensors"], /missing\.safetensors/],
      [
        "another task's checkpoint",
        REPEAT_COPY,
        [checkpoint],
        /Cannot evaluate copy-task-1000-batch-2\.safetensors: it is a checkpoint of copy-task, not repeat-copy-task; evaluate it with that task's command$/,
      ],
      [
        "a param that reshapes the model",
        COPY,
        [checkpoint, "-p", "memory_n=8"],
        /Cannot evaluate copy-task-1000-batch-2\.safetensors: -p memory_n=8 would change its model \(it has memory_n=4\); an evaluation keeps the checkpoint's model, so leave that -p out$/,
      ],
      [
        "lengths out of order",
        COPY,
        [checkpoint, "-p", "sequence_min_len=9"],
        /sequence_min_len \(9\) must not exceed sequence_max_len \(3\)/,
      ],
      [
        "an image in a missing folder",
        COPY,
        [checkpoint, "--image", "missing/x.png"],
        /Cannot use the image file's folder "missing": it does not exist; create it first$/,
      ],
      [
        "an image path that is a folder",
        COPY,
        [checkpoint, "--image", "."],
        /Cannot use image file ".": it is not a file$/,
      ],
      [
        "an empty image path",
        COPY,
        [checkpoint, "--image", ""],
        /Cannot use option --image: the path is empty; give the path of a PNG file$/,
      ],
      [
        "scale 0",
        COPY,
        [checkpoint, "--scale", "0"],
        /Cannot use option --scale=0: it must be an integer from 1 to 64$/,
      ],
      [
        "batches 0",
        COPY,
        [checkpoint, "--batches", "0"],
        /Cannot use option --batches=0: it must be an integer from 1 to 1000000$/,
      ],
      [
        "sequences too long to hold",
        COPY,
        [
          checkpoint,
          "-p",
          "sequence_min_len=65536",
          "-p",
          "sequence_max_len=65536",
          "-p",
          "batch_size=100000",
        ],
        /Cannot evaluate sequences of up to 131073 steps: .*; lower the lengths or batch_size$/,
      ],
      ["an unknown option", COPY, [checkpoint, "--backend", "cpu"], /Unknown option '--backend'/],
    ];
    for (const [what, script, args, message] of cases) {
      await t.step(what, async () => {
        const before = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
        const run = await runScript(script, ["evaluate", ...args], dir);
        assert.equal(run.code, 2, `exit status; stderr: ${run.stderr}`);
        const stderr = run.stderr.trimEnd();
        assert.ok(!stderr.includes("\n"), `one line: ${stderr}`);
        assert.match(stderr, /^error: /);
        assert.match(stderr, message);
        assert.equal(run.stdout, "", "nothing is printed before validation ends");
        assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name).sort(), before);
      });
    }
  });
});

Deno.test("task evaluate --help describes the command, and training --help points to it", async () => {
  const help = await runScript(COPY, ["evaluate", "--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^usage: deno task copy evaluate \[-h\] CHECKPOINT /m);
  assert.match(help.stdout, /--image PATH {15}write a PNG of batch 1's first sequence/);
  const training = await runScript(REPEAT_COPY, ["--help"]);
  assert.match(training.stdout, /deno task repeat-copy evaluate --help$/m);
});
