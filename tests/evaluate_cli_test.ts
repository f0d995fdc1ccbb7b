import assert from "node:assert/strict";
import { FRAME_MS } from "../lib/cli/evaluate_cli.ts";
import { resolveParams } from "../lib/cli/params.ts";
import { CpuNtm } from "../lib/cpu/ntm.ts";
import { evaluateBatch, type Evaluation } from "../lib/eval/evaluate.ts";
import { evaluationPicture } from "../lib/eval/picture.ts";
import { readCheckpointFile } from "../lib/io/checkpoint.ts";
import { encodeAnimatedPng, encodePng } from "../lib/io/png.ts";
import { fromReferenceTensors, paramLayout } from "../lib/params.ts";
import {
  generateBatch,
  type TaskDefinition,
  type TaskElements,
  type TaskSchema,
} from "../lib/train/task.ts";
import { copyTask } from "../tasks/copy.ts";
import { repeatCopyTask } from "../tasks/repeat_copy.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY, trainInto } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const { copy: COPY, repeatCopy: REPEAT_COPY } = TASKS;

/** Trains 2 batches of a tiny task into `dir` with `args`; returns the checkpoint's name. */
async function tinyCheckpoint(dir: string, script = COPY, args = TINY): Promise<string> {
  const run = await runScript(script, [
    ...args,
    "-p",
    "num_batches=2",
    "--checkpoint-path",
    ".",
  ], dir);
  assert.equal(run.code, 0, run.stderr);
  return `${script === COPY ? "copy-task" : "repeat-copy-task"}-1000-batch-2.safetensors`;
}

/**
 * What an evaluation of `checkpoint` should print, computed here through the library: batches
 * 1 to `batches` of `seed`, with `-p` `assignments` and the data `elements` of the params.
 */
async function expectedEvaluations<S extends TaskSchema>(
  task: TaskDefinition<S>,
  checkpoint: string,
  assignments: string[],
  seed: number,
  batches: number,
  elements: (
    params: Record<string, number | string>,
    trained: Record<string, number | string>,
  ) => TaskElements,
): Promise<Evaluation[]> {
  const file = await readCheckpointFile(checkpoint);
  const trained = resolveParams(task.params, [], file.params);
  const params = resolveParams(task.params, assignments, trained);
  const layout = paramLayout(task.config(params));
  const weights = fromReferenceTensors(layout, file.tensors);
  const model = new CpuNtm(layout, { capacity: task.capacity(params) });
  const data = elements(params, trained);
  return Array.from(
    { length: batches },
    (_, index) => evaluateBatch(model, weights, generateBatch(data, seed, index + 1)),
  );
}

/** The figures of a batch line. */
const figures = (evaluation: Evaluation) =>
  `Loss: ${evaluation.loss.toFixed(6)} Cost: ${evaluation.cost.toFixed(2)}`;

Deno.test("copy task evaluate runs a checkpoint on longer sequences and draws a sequence", async () => {
  await withTempDir(async (dir) => {
    const checkpoint = await tinyCheckpoint(dir);
    // Evaluation needs only the weights file.
    await Deno.remove(`${dir}/${checkpoint.replace(/safetensors$/, "json")}`);
    const lengths = ["sequence_min_len=7", "sequence_max_len=7", "batch_size=2"];
    const run = await runScript(COPY, [
      "evaluate",
      checkpoint,
      ...lengths.flatMap((assignment) => ["-p", assignment]),
      "--batches",
      "3",
      "--image",
      "seven.png",
      "--sequence",
      "2",
      "--scale",
      "3",
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    // The default data seed is the checkpoint's + 1.
    const expected = await expectedEvaluations(
      copyTask,
      `${dir}/${checkpoint}`,
      lengths,
      1001,
      3,
      (params) => copyTask.elements(params as never),
    );
    const mean = (key: "loss" | "cost") =>
      expected.reduce((total, evaluation) => total + evaluation[key], 0) / 3;
    assert.deepEqual(run.stdout.trimEnd().split("\n"), [
      "Evaluating copy-task-1000-batch-2.safetensors (copy-task, seed 1000, trained 2 batches on cpu)",
      "Params: the checkpoint's, with batch_size=2 (was 1), sequence_min_len=7 (was 1), " +
      "sequence_max_len=7 (was 3)",
      "Data: seed 1001, batches 1 to 3 of 2 sequence(s), on the CPU reference",
      ...expected.map((evaluation, index) => `Batch ${index + 1} Length: 7 ${figures(evaluation)}`),
      `Mean of 3 batch(es): Loss: ${mean("loss").toFixed(6)} Cost: ${
        mean("cost").toFixed(2)
      } bits per sequence`,
      "",
      // 7 input steps and the delimiter, then 7 output steps, right of a 77-pixel label margin;
      // rows 3 + 2 + 2 + 4 + 4 and 4 gaps.
      "Picture of batch 1, sequence 2: seven.png (122×57 pixels, 3 per cell)",
      "  15 columns, one per step: 8 input steps, then 7 output steps",
      "  rows from the top: input (3), target (2), output (2), read head 0 (4), write head 1 (4)",
      "  colours: dark blue 0 to yellow 1; values outside [0, 1] are clamped",
    ]);
    assert.deepEqual(
      await Deno.readFile(`${dir}/seven.png`),
      encodePng(evaluationPicture(expected[0], { sequence: 1, scale: 3 }).image),
    );

    // The checkpoint's own seed is allowed, with a note.
    const again = await runScript(COPY, [
      "evaluate",
      checkpoint,
      "--seed",
      "1000",
      "--batches",
      "1",
    ], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /^Note: seed 1000 is the checkpoint's training seed, so these batches share their random draws with its training batches 1 to 1$/m,
    );
  });
});

Deno.test("repeat copy evaluate feeds other repeat counts on the trained scale", async () => {
  await withTempDir(async (dir) => {
    const checkpoint = await tinyCheckpoint(dir, REPEAT_COPY, [
      ...TINY,
      "-p",
      "repeat_max=3",
    ]);
    const repeats = ["sequence_max_len=2", "repeat_min=6", "repeat_max=6"];
    const run = await runScript(REPEAT_COPY, [
      "evaluate",
      checkpoint,
      ...repeats.flatMap((assignment) => ["-p", assignment]),
      "--batches",
      "4",
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    const printed = run.stdout.split("\n").filter((line) => line.startsWith("Batch "));
    const trainedScale = await expectedEvaluations(
      repeatCopyTask,
      `${dir}/${checkpoint}`,
      repeats,
      1001,
      4,
      (params, trained) => repeatCopyTask.evaluationElements!(params as never, trained as never),
    );
    assert.deepEqual(
      printed,
      trainedScale.map((evaluation, index) =>
        `Batch ${index + 1} Length: ${evaluation.batch.inputSteps - 2} Repeats: 6 ${
          figures(evaluation)
        }`
      ),
    );
    // Renormalised by the new range (a single count), the figures would differ.
    const ownScale = await expectedEvaluations(
      repeatCopyTask,
      `${dir}/${checkpoint}`,
      repeats,
      1001,
      4,
      (params) => repeatCopyTask.elements(params as never),
    );
    assert.notDeepEqual(ownScale.map(figures), trainedScale.map(figures));
  });
});

Deno.test("evaluate with several checkpoints runs each on the same data and animates the picture", async () => {
  await withTempDir(async (dir) => {
    await trainInto(dir, COPY, [...TINY, "--checkpoint-interval", "1"], 2);
    const checkpoints = [
      "copy-task-1000-batch-2.safetensors",
      "copy-task-1000-batch-1.safetensors",
    ];
    const evaluation = await runScript(COPY, [
      "evaluate",
      ...checkpoints,
      "-p",
      "sequence_max_len=6",
      "--batches",
      "2",
      "--image",
      "both.png",
    ], dir);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    const expected = await Promise.all(checkpoints.map((checkpoint) =>
      expectedEvaluations(
        copyTask,
        `${dir}/${checkpoint}`,
        ["sequence_max_len=6"],
        1001,
        2,
        (params) => copyTask.elements(params as never),
      )
    ));
    const sections = evaluation.stdout.split("\n\n");
    assert.equal(sections.length, 3, evaluation.stdout);
    checkpoints.forEach((checkpoint, index) => {
      const lines = sections[index].split("\n");
      assert.match(lines[0], new RegExp(`^Evaluating ${checkpoint.replaceAll(".", "\\.")} `));
      assert.deepEqual(
        lines.slice(3, 5).map((line) => line.replace(/^Batch \d Length: \d /, "")),
        expected[index].map(figures),
      );
    });
    assert.match(
      sections[2],
      /^Picture of batch 1, sequence 1: both\.png \(\d+×\d+ pixels, 4 per cell; 2 frames, one per checkpoint in the order given, 700 ms each\)$/m,
    );
    assert.deepEqual(
      await Deno.readFile(`${dir}/both.png`),
      encodeAnimatedPng(
        expected.map((evaluations) => evaluationPicture(evaluations[0]).image),
        FRAME_MS,
      ),
    );
  });
});

Deno.test("task evaluate rejects bad input with status 2 and one line, writing nothing", async (t) => {
  await withTempDir(async (dir) => {
    const checkpoint = await tinyCheckpoint(dir);
    await Deno.mkdir(`${dir}/pictures.png`);
    // Checkpoints of a wider memory and of longer sequences, in their own folders.
    for (
      const [folder, script, change] of [
        ["wide", COPY, "memory_m=3"],
        ["long", COPY, "sequence_max_len=5"],
        ["rc3", REPEAT_COPY, "repeat_max=3"],
        ["rc4", REPEAT_COPY, "repeat_max=4"],
      ]
    ) {
      await Deno.mkdir(`${dir}/${folder}`);
      await tinyCheckpoint(`${dir}/${folder}`, script, [...TINY, "-p", change]);
    }
    const cases: [string, string, string[], RegExp][] = [
      ["no checkpoint", COPY, [], /Cannot evaluate: no checkpoint given; name one/],
      [
        "an empty checkpoint path",
        COPY,
        [checkpoint, ""],
        /Cannot evaluate: a checkpoint's path is empty; give a checkpoint$/,
      ],
      [
        "checkpoints of two models",
        COPY,
        [checkpoint, "wide/copy-task-1000-batch-2.safetensors"],
        /Cannot evaluate wide\/copy-task-1000-batch-2\.safetensors beside copy-task-1000-batch-2\.safetensors: their models differ; evaluate them one at a time$/,
      ],
      [
        "checkpoints trained on other data",
        COPY,
        [checkpoint, "long/copy-task-1000-batch-2.safetensors"],
        /Cannot evaluate long\/copy-task-1000-batch-2\.safetensors beside copy-task-1000-batch-2\.safetensors: their data params differ \(sequence_max_len 5, not 3\); set them with -p to evaluate both on the same data$/,
      ],
      [
        "a missing checkpoint",
        COPY,
        ["missing.png"],
        /Cannot read checkpoint missing\.png: missing\.png\.safetensors is not a file; give a checkpoint's \.safetensors file or its \.json history$/,
      ],
      [
        "another task's checkpoint",
        REPEAT_COPY,
        [checkpoint],
        /Cannot evaluate copy-task-1000-batch-2\.safetensors: it is a checkpoint of copy-task, not repeat-copy-task; use deno task copy evaluate$/,
      ],
      [
        "a param that reshapes the model",
        COPY,
        [checkpoint, "-p", "memory_n=8"],
        /Cannot evaluate with -p memory_n: it is a param of the model or its training, which an evaluation keeps; the data params -p may change are batch_size, sequence_min_len, sequence_max_len$/,
      ],
      [
        "training params",
        COPY,
        [checkpoint, "-p", "rmsprop_lr=0.5", "-p", "num_batches=9"],
        /Cannot evaluate with -p rmsprop_lr: it is a param of the model or its training/,
      ],
      [
        "an unknown param",
        COPY,
        [checkpoint, "-p", "repeat_max=3"],
        /Cannot evaluate with -p repeat_max: copy-task has no such param; the data params -p may change are batch_size, sequence_min_len, sequence_max_len$/,
      ],
      [
        "lengths out of order",
        COPY,
        [checkpoint, "-p", "sequence_min_len=9"],
        /sequence_min_len \(9\) must not exceed sequence_max_len \(3\); the params -p does not set are the checkpoint's, so set both$/,
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
        [checkpoint, "--image", "pictures.png"],
        /Cannot use image file "pictures\.png": it is not a file$/,
      ],
      [
        "an image that is not a PNG",
        COPY,
        [checkpoint, "--image", "copy.jpg"],
        /Cannot use image file "copy\.jpg": the picture is a PNG; end it in \.png$/,
      ],
      [
        "a picture too large",
        COPY,
        [checkpoint, "-p", "sequence_max_len=9000", "--scale", "64", "--image", "big.png"],
        /Cannot draw sequences of up to 18001 steps with --scale 64: 1 frame\(s\) of 1154464×\d+ pixels is more than the 67108864 pixels a picture may have; lower the scale or the lengths$/,
      ],
      [
        "a sequence past the batch",
        COPY,
        [checkpoint, "-p", "batch_size=2", "--sequence", "3", "--image", "x.png"],
        /Cannot use option --sequence=3: batch 1 holds sequences 1 to 2; raise batch_size with -p batch_size=N$/,
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
        [checkpoint, "--scale", "0", "--image", "x.png"],
        /Cannot use option --scale=0: it must be an integer from 1 to 64$/,
      ],
      [
        "a picture option without --image",
        COPY,
        [checkpoint, "--sequence", "1"],
        /Cannot use option --sequence: it shapes the picture, which only --image PATH draws$/,
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
      [
        "a training option",
        COPY,
        [checkpoint, "--backend", "cpu"],
        /Cannot use option --backend with evaluate: it is a training option; an evaluation runs on the CPU reference and writes only its --image$/,
      ],
      ["an unknown option", COPY, [checkpoint, "--fast"], /Unknown option '--fast'/],
      [
        "repeat copy checkpoints trained on other repeat counts",
        REPEAT_COPY,
        [
          "rc3/repeat-copy-task-1000-batch-2.safetensors",
          "rc4/repeat-copy-task-1000-batch-2.safetensors",
          "-p",
          "repeat_min=2",
          "-p",
          "repeat_max=2",
        ],
        /Cannot evaluate rc4\/.* beside rc3\/.*: they were trained on different data params \(repeat_max 4, not 3\), and repeat-copy-task feeds evaluation data on the training scale; evaluate them one at a time$/,
      ],
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
  assert.match(help.stdout, /^usage: deno task copy evaluate \[-h\] CHECKPOINT\.\.\. /m);
  assert.match(help.stdout, /--image PATH {15}write a PNG picture \(PATH ends in \.png\)/);
  assert.match(
    help.stdout,
    /^data params of copy-task .*:\n {2}batch_size, sequence_min_len, sequence_max_len$/m,
  );
  const training = await runScript(REPEAT_COPY, ["--help"]);
  assert.match(training.stdout, /deno task repeat-copy evaluate --help$/m);
});
