import assert from "node:assert/strict";
import { readCheckpoint } from "../lib/io/checkpoint.ts";
import { resolveParams } from "../lib/cli/params.ts";
import { generateBatch } from "../lib/train/task.ts";
import { measurePredictions } from "../lib/eval/evaluate.ts";
import { dynamicNgramsTask, optimalPredictions } from "../tasks/dynamic_ngrams.ts";
import { readSafetensors, writeSafetensors } from "../lib/io/safetensors.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY, TINY_MODEL, TINY_NTM, trainInto } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

/** Runs a task script with `args` in `cwd`. */
const runTask = (script: string, args: string[], cwd: string) => runScript(script, args, cwd);

/** Every file below `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ""): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(`${dir}/${prefix}`)) {
    const name = prefix + entry.name;
    if (entry.isDirectory) names.push(`${name}/`, ...listFiles(dir, `${name}/`));
    else names.push(name);
  }
  return names.sort();
}

/** The report lines of a run's stdout, without their timing. */
const reports = (stdout: string) =>
  stdout.split("\n").filter((line) => line.startsWith("Batch ")).map((line) =>
    line.replace(/ Time: .*/, "")
  );

Deno.test("copy task CLI trains, checkpoints, appends metrics, and resumes with identical results", async (t) => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/full`);
    await Deno.mkdir(`${dir}/resumed`);
    const full = await runTask(TASKS.copy, [
      ...TINY,
      "--seed",
      "10",
      "-p",
      "num_batches=6",
      "--checkpoint-interval",
      "3",
      "--report-interval",
      "2",
      "--checkpoint-path",
      "full",
      "--metrics-file",
      "metrics.jsonl",
    ], dir);

    await t.step("the run prints params, parameter count, backend, reports and checkpoints", () => {
      assert.equal(full.code, 0, full.stderr);
      assert.match(full.stdout, /^Training copy-task .*, seed 10$/m);
      assert.match(full.stdout, /^ {2}controller_size +4 /m);
      assert.match(full.stdout, /^ {2}rmsprop_alpha +0\.95 /m);
      assert.match(full.stdout, /^Trainable parameters: \d+$/m);
      assert.match(full.stdout, /^Backend: cpu/m);
      assert.deepEqual(reports(full.stdout).map((line) => line.split(" ")[1]), ["2", "4", "6"]);
      assert.match(
        full.stdout,
        /^Batch 2 Loss: \d\.\d{6} Cost: \d+\.\d\d Time: [\d.]+ ms\/sequence$/m,
      );
      assert.match(
        full.stdout,
        /^Done: 2 checkpoint\(s\) in full, the last full\/copy-task-10-batch-6\.safetensors$/m,
      );
      assert.equal(full.stderr, "", "no progress bar when stderr is not a terminal");
    });

    await t.step(
      "checkpoints and history files are written as the reference names them",
      async () => {
        assert.deepEqual(listFiles(`${dir}/full`), [
          "copy-task-10-batch-3.json",
          "copy-task-10-batch-3.safetensors",
          "copy-task-10-batch-6.json",
          "copy-task-10-batch-6.safetensors",
        ]);
        const checkpoint = await readCheckpoint(`${dir}/full/copy-task-10-batch-3.safetensors`);
        assert.deepEqual([checkpoint.task, checkpoint.seed, checkpoint.batch], [
          "copy-task",
          10,
          3,
        ]);
        assert.equal(checkpoint.params.memory_n, 4);
        assert.equal(checkpoint.history.loss.length, 3);
        assert.ok(checkpoint.history.seq_lengths.every((length) => length >= 1 && length <= 3));
      },
    );

    await t.step("--metrics-file gets one JSON line per report", async () => {
      const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n");
      const metrics = lines.map((line) => JSON.parse(line));
      assert.deepEqual(metrics.map((m) => m.batch), [2, 4, 6]);
      for (const m of metrics) {
        assert.deepEqual(Object.keys(m), [
          "batch",
          "loss",
          "cost",
          "ms_per_seq",
          "seq_per_s",
          "elapsed_s",
        ]);
      }
      const history = JSON.parse(await Deno.readTextFile(`${dir}/full/copy-task-10-batch-6.json`));
      const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
      assert.equal(metrics[1].loss, mean(history.loss.slice(2, 4)));
      assert.equal(metrics[2].cost, mean(history.cost.slice(4, 6)));
    });

    await t.step("--resume continues exactly where the checkpoint stopped", async () => {
      const resumed = await runTask(TASKS.copy, [
        ...TINY,
        "--resume",
        "full/copy-task-10-batch-3.safetensors",
        "--checkpoint-interval",
        "3",
        "--report-interval",
        "2",
        "--checkpoint-path",
        "resumed",
      ], dir);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(
        resumed.stdout,
        /^Resuming from full\/copy-task-10-batch-3\.safetensors at batch 4 /m,
      );
      assert.match(resumed.stdout, /^Params: the checkpoint's$/m);
      assert.deepEqual(reports(resumed.stdout), reports(full.stdout).slice(1));
      for (const extension of ["safetensors", "json"]) {
        assert.deepEqual(
          await Deno.readFile(`${dir}/resumed/copy-task-10-batch-6.${extension}`),
          await Deno.readFile(`${dir}/full/copy-task-10-batch-6.${extension}`),
          `batch-6 .${extension} is identical to the uninterrupted run's`,
        );
      }
    });

    await t.step(
      "--resume takes the history's path and lets -p change the batch size",
      async () => {
        const resumed = await runTask(TASKS.copy, [
          ...TINY,
          "--resume",
          "full/copy-task-10-batch-3.json",
          "-p",
          "batch_size=2",
          "-p",
          "rmsprop_lr=0.001",
          "--checkpoint-interval",
          "0",
        ], dir);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(
          resumed.stdout,
          /^Resuming from full\/copy-task-10-batch-3\.safetensors at batch 4 /m,
        );
        assert.match(resumed.stdout, /^ {2}batch_size +2 /m);
        assert.match(
          resumed.stdout,
          /^Params: the checkpoint's, with batch_size=2 \(was 1\), rmsprop_lr=0\.001 \(was 0\.0001\)$/m,
        );
      },
    );
  });
});

Deno.test("a scheduled run prints its rates by batch and resumes through a switch like one run", async () => {
  await withTempDir(async (dir) => {
    const schedule = ["-p", "rmsprop_lr_schedule=2:1e-2", "--checkpoint-interval", "2"];
    await Deno.mkdir(`${dir}/whole`);
    await Deno.mkdir(`${dir}/resumed`);
    const whole = await trainInto(`${dir}/whole`, TASKS.copy, [...TINY, ...schedule], 4);
    assert.match(whole.stdout, /^Learning rate: 0\.0001 for batches 1–2, 0\.01 for 3–4$/m);
    const resumed = await runTask(TASKS.copy, [
      "--resume",
      "whole/copy-task-1000-batch-2.safetensors",
      "--checkpoint-path",
      "resumed",
    ], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^Learning rate: 0\.01 for batches 3–4$/m);
    assert.deepEqual(
      await Deno.readFile(`${dir}/resumed/copy-task-1000-batch-4.safetensors`),
      await Deno.readFile(`${dir}/whole/copy-task-1000-batch-4.safetensors`),
    );
  });
});

Deno.test("copy task CLI creates the default ./checkpoints folder and prints --help", async () => {
  await withTempDir(async (dir) => {
    const run = await runTask(TASKS.copy, [...TINY, "-p", "num_batches=2"], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(listFiles(dir), [
      "checkpoints/",
      "checkpoints/copy-task-1000-batch-2.json",
      "checkpoints/copy-task-1000-batch-2.safetensors",
    ]);
    const help = await runTask(TASKS.copy, ["--help"], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: deno task copy /m);
    assert.match(help.stdout, /^ {2}sequence_max_len +20 +longest sequence/m);
    const repeatHelp = await runTask(TASKS.repeatCopy, ["-h"], dir);
    assert.match(repeatHelp.stdout, /^ {2}repeat_max +10 /m);
  });
});

Deno.test("associative recall CLI trains, evaluates on longer lists of longer items and shows its history", async () => {
  await withTempDir(async (dir) => {
    const train = await trainInto(dir, TASKS.associativeRecall, [
      ...TINY_MODEL,
      "--report-interval",
      "1",
    ], 3);
    assert.match(train.stdout, /^Model: 4 inputs, 2 outputs, /m);
    assert.match(train.stdout, /^Batch 3 Loss: [\d.]+ Cost: [\d.]+ Time: /m);
    const checkpoint = "associative-recall-task-1000-batch-3.safetensors";
    const { history } = await readCheckpoint(`${dir}/${checkpoint}`);
    assert.ok(history.seq_lengths.every((items) => items >= 2 && items <= 6), "items per list");
    const evaluation = await runTask(TASKS.associativeRecall, [
      "evaluate",
      checkpoint,
      "-p",
      "min_items=12",
      "-p",
      "max_items=12",
      "-p",
      "item_len=4",
      "--batches",
      "2",
      "--image",
      "recall.png",
    ], dir);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    assert.match(evaluation.stdout, /^Batch 2 Items: 12 Loss: [\d.]+ Cost: [\d.]+$/m);
    // 12 items of 5 steps (a delimiter and 4 vectors), the query and its delimiters (6), the
    // answer (4).
    assert.match(
      evaluation.stdout,
      /^ {2}70 columns, one per step: 66 input steps, then 4 output/m,
    );
    const historyRun = await runTask(TASKS.associativeRecall, ["history", checkpoint], dir);
    assert.equal(historyRun.code, 0, historyRun.stderr);
    assert.match(historyRun.stdout, /^\| +3 \| +[\d.]+ \|$/m);
  });
});

Deno.test("priority sort CLI trains with the paper's 5 head pairs and evaluates longer sequences", async () => {
  await withTempDir(async (dir) => {
    const train = await trainInto(dir, TASKS.prioritySort, TINY_MODEL, 2);
    assert.match(
      train.stdout,
      /^Model: 4 inputs, 2 outputs, .*heads read,write,read,write,read,write,read,write,read,write,/m,
    );
    assert.match(train.stdout, /^ {2}rmsprop_lr +0\.00003 /m);
    const evaluation = await runTask(TASKS.prioritySort, [
      "evaluate",
      "priority-sort-task-1000-batch-2.safetensors",
      "-p",
      "sequence_len=30",
      "-p",
      "sorted_len=30",
      "--batches",
      "1",
    ], dir);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    assert.match(evaluation.stdout, /^Batch 1 Length: 30 Sorted: 30 Loss: [\d.]+ Cost: [\d.]+$/m);
  });
});

Deno.test("dynamic N-grams CLI trains, and evaluates beside the Bayesian optimum", async () => {
  await withTempDir(async (dir) => {
    const train = await trainInto(dir, TASKS.dynamicNgrams, [
      ...TINY_NTM,
      "-p",
      "sequence_len=20",
    ], 2);
    assert.match(train.stdout, /^Model: 1 inputs, 1 outputs, .*, sequences up to 19 steps$/m);
    const checkpoint = "dynamic-ngrams-task-1000-batch-2.safetensors";
    const { history } = await readCheckpoint(`${dir}/${checkpoint}`);
    assert.deepEqual(history.seq_lengths, [20, 20]);
    const evaluation = await runTask(TASKS.dynamicNgrams, [
      "evaluate",
      checkpoint,
      "-p",
      "sequence_len=30",
      "-p",
      "ngram=3",
      "--batches",
      "2",
      "--image",
      "bits.png",
    ], dir);
    assert.equal(evaluation.code, 0, evaluation.stderr);
    assert.match(
      evaluation.stdout,
      /^Params: the checkpoint's, with ngram=3 \(was 6\), sequence_len=30 \(was 20\)$/m,
    );
    // The optimum's measures, on the data evaluate draws (seed 1001, the training seed + 1).
    const params = resolveParams(dynamicNgramsTask.params, ["sequence_len=30", "ngram=3"]);
    const elements = dynamicNgramsTask.elements(params);
    const optimum = [1, 2].map((batchNumber) => {
      const batch = generateBatch(elements, 1001, batchNumber);
      return measurePredictions(optimalPredictions(params, batch), batch, 1);
    });
    optimum.forEach(({ loss, cost }, index) => {
      const line = new RegExp(
        `^Batch ${index + 1} Bits: 30 Loss: [\\d.]+ Cost: [\\d.]+ Bayesian optimum: ` +
          `Loss: ${loss.toFixed(6)} Cost: ${cost.toFixed(2)}$`,
        "m",
      );
      assert.match(evaluation.stdout, line);
    });
    const meanBits = (optimum[0].crossEntropyBits + optimum[1].crossEntropyBits) / 2;
    const mean = evaluation.stdout.match(/^Mean of 2 batch\(es\): Loss: ([\d.]+) Cost: [\d.]+ /m);
    assert.ok(mean !== null, evaluation.stdout);
    // Cross-entropy per sequence: the mean loss over 29 predictions, in bits.
    const bits = Number(mean[1]) * 29 / Math.LN2;
    const crossEntropy = evaluation.stdout.match(
      /^Cross-entropy: ([\d.]+) bits per sequence, (-?[\d.]+) above the Bayesian optimum's ([\d.]+)$/m,
    );
    assert.ok(crossEntropy !== null, evaluation.stdout);
    assert.ok(Math.abs(Number(crossEntropy[1]) - bits) <= 0.01, `${crossEntropy[1]} vs ${bits}`);
    assert.equal(crossEntropy[3], meanBits.toFixed(2));
    assert.match(
      evaluation.stdout,
      /^ {2}29 columns, one per step: 29 input steps; the 29 output steps start at column 1$/m,
    );
    // The history shows the loss by default: even the optimum makes bit errors.
    const historyRun = await runTask(TASKS.dynamicNgrams, ["history", checkpoint], dir);
    assert.equal(historyRun.code, 0, historyRun.stderr);
    assert.match(historyRun.stdout, /^Mean loss \(binary cross-entropy per output, in nats\) /m);
    assert.doesNotMatch(historyRun.stdout, /below/);
    const help = await runTask(TASKS.dynamicNgrams, ["evaluate", "--help"], dir);
    assert.match(help.stdout, /^Beside them, those of the Bayesian optimum on the same batches/m);
    // A missing checkpoint is explained with this task's checkpoint names.
    for (const command of ["evaluate", "history"]) {
      const missing = await runTask(TASKS.dynamicNgrams, [command], dir);
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr.trim(),
        new RegExp(
          `e\\.g\\. ${command} checkpoints/dynamic-ngrams-task-10-batch-\\d+\\.safetensors$`,
        ),
      );
    }
  });
});

Deno.test("training CLI rejects bad input with status 2 and one line, leaving no file behind", async (t) => {
  await withTempDir(async (dir) => {
    // A good checkpoint to damage and to resume with bad settings.
    await Deno.mkdir(`${dir}/good`);
    const setup = await runTask(TASKS.copy, [
      ...TINY,
      "-p",
      "num_batches=2",
      "--checkpoint-interval",
      "2",
      "--checkpoint-path",
      "good",
    ], dir);
    assert.equal(setup.code, 0, setup.stderr);
    const good = "good/copy-task-1000-batch-2.safetensors";
    const bytes = await Deno.readFile(`${dir}/${good}`);
    await Deno.writeFile(`${dir}/truncated.safetensors`, bytes.subarray(0, bytes.length - 100));
    await Deno.copyFile(`${dir}/good/copy-task-1000-batch-2.json`, `${dir}/truncated.json`);
    const corrupt = bytes.slice();
    corrupt.fill(0x7b, 8, 40);
    await Deno.writeFile(`${dir}/corrupt.safetensors`, corrupt);
    await Deno.writeTextFile(`${dir}/a-file`, "not a folder");
    // The good checkpoint with its params edited: two controller layers (its tensors keep one),
    // and batch_size 0.
    const { tensors, metadata } = await readSafetensors(`${dir}/${good}`);
    for (
      const [name, edit] of [
        ["reshaped", { controller_layers: 2 }],
        ["bad-param", { batch_size: 0 }],
        ["scheduled", { rmsprop_lr_schedule: "1:0.01" }],
      ]
    ) {
      const params = JSON.stringify({ ...JSON.parse(metadata.params), ...edit as object });
      await writeSafetensors(`${dir}/${name}.safetensors`, [...tensors], { ...metadata, params });
      await Deno.copyFile(`${dir}/good/copy-task-1000-batch-2.json`, `${dir}/${name}.json`);
    }
    // The same run trained on to batch 4 in another folder: a resume with other params into that
    // folder would replace its batch-4 checkpoint.
    await Deno.mkdir(`${dir}/later`);
    const later = await runTask(TASKS.copy, [
      ...TINY,
      "-p",
      "num_batches=4",
      "--checkpoint-interval",
      "4",
      "--checkpoint-path",
      "later",
    ], dir);
    assert.equal(later.code, 0, later.stderr);
    const readOnly = Deno.uid() === 0 ? "/sys" : `${dir}/read-only`;
    if (readOnly !== "/sys") await Deno.mkdir(readOnly, { mode: 0o555 });

    const cases: [string, string, string[], RegExp][] = [
      [
        "a resume past a switch of its schedule that sets rmsprop_lr",
        TASKS.copy,
        ["--resume", "scheduled.safetensors", "-p", "num_batches=3", "-p", "rmsprop_lr=1e-6"],
        /^error: Cannot set rmsprop_lr=0\.000001 for this run: from batch 3 on, the rate comes from rmsprop_lr_schedule=1:0\.01 \(0\.01 there\); change rmsprop_lr_schedule instead \(an empty one leaves rmsprop_lr in force\)$/,
      ],
      [
        "a bad schedule",
        TASKS.copy,
        ["-p", "rmsprop_lr_schedule=5:1e-5,3:1e-6"],
        /^error: Cannot set param rmsprop_lr_schedule=5:1e-5,3:1e-6: batch 3 does not come after 5; list the switches in order$/,
      ],
      [
        "a negative number as -p's value",
        TASKS.copy,
        ["-p", "-1"],
        /^error: Cannot parse param "-1": write it as name=value, e.g\. batch_size=4$/,
      ],
      [
        "an option after --",
        TASKS.copy,
        ["--", "--seed", "-1"],
        /^error: Cannot parse arguments: Unexpected argument '--seed'\. /,
      ],
      [
        "a folder holding a later checkpoint of a run with other params",
        TASKS.copy,
        [
          "--resume",
          "good/copy-task-1000-batch-2.safetensors",
          "-p",
          "num_batches=4",
          "-p",
          "rmsprop_lr=0.001",
          "--checkpoint-path",
          "later",
        ],
        /^error: Cannot train into later: it holds copy-task-1000-batch-4\.safetensors of a run with rmsprop_lr=0\.0001 \(this run: 0\.001\), which this run would replace; give another --checkpoint-path, or move that run$/,
      ],
      [
        "unknown param",
        TASKS.copy,
        ["-p", "bogus=1"],
        /Cannot set param "bogus": valid params are controller_size, controller_layers, num_heads, heads, /,
      ],
      [
        "param without =",
        TASKS.copy,
        ["-p", "batch_size"],
        /Cannot parse param "batch_size": write it as name=value/,
      ],
      [
        "wrong type",
        TASKS.copy,
        ["-p", "batch_size=two"],
        /Cannot set param batch_size=two: it must be an integer ≥ 1/,
      ],
      [
        "negative size",
        TASKS.copy,
        ["-p", "controller_size=-4"],
        /Cannot set param controller_size=-4: it must be an integer ≥ 1/,
      ],
      [
        "N < 3",
        TASKS.copy,
        ["-p", "memory_n=2"],
        /Cannot set param memory_n=2: it must be an integer ≥ 3/,
      ],
      [
        "heads without a read",
        TASKS.copy,
        ["-p", "heads=write,write"],
        /heads must hold at least one read head/,
      ],
      ["unknown head kind", TASKS.copy, ["-p", "heads=read,erase"], /"erase" is not a head kind/],
      [
        "min_len > max_len",
        TASKS.copy,
        ["-p", "sequence_min_len=3", "-p", "sequence_max_len=2"],
        /sequence_min_len \(3\) must not exceed sequence_max_len \(2\)/,
      ],
      [
        "repeat_min > repeat_max",
        TASKS.repeatCopy,
        ["-p", "repeat_min=5", "-p", "repeat_max=4"],
        /repeat_min \(5\) must not exceed repeat_max \(4\)/,
      ],
      [
        "unknown option",
        TASKS.copy,
        ["--bogus"],
        /Cannot parse arguments: Unknown option '--bogus'/,
      ],
      [
        "bad seed",
        TASKS.copy,
        ["--seed", "abc"],
        /Cannot use option --seed=abc: it must be an integer from 0 to 4294967295/,
      ],
      [
        "report interval 0",
        TASKS.copy,
        ["--report-interval", "0"],
        /Cannot use option --report-interval=0: it must be an integer from 1 to 2147483647$/,
      ],
      [
        "a value that overflows to infinity",
        TASKS.copy,
        ["-p", "rmsprop_lr=1e999"],
        /Cannot set param rmsprop_lr=1e999: it must be a number > 0$/,
      ],
      [
        "negative checkpoint interval",
        TASKS.copy,
        ["--checkpoint-interval", "-1"],
        /Cannot use option --checkpoint-interval=-1: it must be an integer from 0 to 2147483647$/,
      ],
      [
        "a path that starts with a dash",
        TASKS.copy,
        ["--checkpoint-path", "-out"],
        /Cannot parse arguments: Option '--checkpoint-path' argument is ambiguous\. .* use '--checkpoint-path=-XYZ'; see --help$/,
      ],
      [
        "negative checkpoint interval after =",
        TASKS.copy,
        ["--checkpoint-interval=-1"],
        /Cannot use option --checkpoint-interval=-1: it must be an integer from 0 to 2147483647$/,
      ],
      [
        "unknown backend",
        TASKS.copy,
        ["--backend", "gpu"],
        /Cannot use backend "gpu": valid backends are cpu, webgpu, auto/,
      ],
      [
        "sizes too large to allocate",
        TASKS.repeatCopy,
        ["-p", "sequence_max_len=65536", "-p", "repeat_max=65536"],
        /Cannot create the cpu backend for sequences of up to \d+ steps: .*; lower the sizes/,
      ],
      [
        "controller too large for a store",
        TASKS.copy,
        ["-p", "controller_size=100000"],
        /Cannot build the model: its parameters need \d+ floats, more than the 268435456 \(1 GiB\) a store may hold; lower the controller, memory or input sizes$/,
      ],
      [
        "memory too large for a store",
        TASKS.copy,
        ["-p", "memory_n=2000000000"],
        /Cannot build the model: its parameters need \d+ floats, more than the 268435456/,
      ],
      [
        "vectors too wide for a store",
        TASKS.copy,
        ["-p", "sequence_width=2000000000"],
        /Cannot build the model: its parameters need \d+ floats, more than the 268435456/,
      ],
      [
        "missing checkpoint path",
        TASKS.copy,
        ["--checkpoint-path", "missing"],
        /Cannot use checkpoint path "missing": it does not exist; create it first$/,
      ],
      [
        "empty checkpoint path",
        TASKS.copy,
        ["--checkpoint-path", ""],
        /Cannot use option --checkpoint-path: the path is empty; give the path of a folder$/,
      ],
      [
        "empty metrics file path",
        TASKS.copy,
        ["--metrics-file", ""],
        /Cannot use option --metrics-file: the path is empty; give the path of a file$/,
      ],
      [
        "checkpoint path is a file",
        TASKS.copy,
        ["--checkpoint-path", "a-file"],
        /Cannot use checkpoint path "a-file": it is not a folder/,
      ],
      [
        "unwritable checkpoint path",
        TASKS.copy,
        ["--checkpoint-path", readOnly],
        /Cannot use checkpoint path ".*": it is not writable/,
      ],
      [
        "metrics file in a missing folder",
        TASKS.copy,
        ["--metrics-file", "missing/m.jsonl"],
        /Cannot use the metrics file's folder "missing": /,
      ],
      [
        "missing resume file",
        TASKS.copy,
        ["--resume", "nothing.safetensors"],
        /Cannot read checkpoint nothing\.safetensors: nothing\.safetensors is not a file; give a checkpoint's \.safetensors file or its \.json history$/,
      ],
      [
        "evaluate after an option",
        TASKS.copy,
        ["--seed", "3", "evaluate", good],
        /Cannot parse arguments: evaluate must be the first argument, as in `evaluate CHECKPOINT \[options\]`; see evaluate --help$/,
      ],
      [
        "truncated resume file",
        TASKS.copy,
        ["--resume", "truncated.safetensors"],
        /Cannot read truncated\.safetensors: .*truncated file\?/,
      ],
      [
        "corrupt resume file",
        TASKS.copy,
        ["--resume", "corrupt.safetensors"],
        /Cannot read corrupt\.safetensors: /,
      ],
      [
        "resume with params that change the model",
        TASKS.copy,
        ["--resume", good, "-p", "memory_m=3", "-p", "num_batches=4", "-p", "rmsprop_lr=0.001"],
        /Cannot resume from good\/copy-task-1000-batch-2\.safetensors: -p memory_m=3 would change its model \(it has memory_m=2\); a resumed run keeps the checkpoint's model, so leave that -p out$/,
      ],
      [
        "resume with more heads and a new learning rate",
        TASKS.copy,
        ["--resume", good, "-p", "num_heads=2", "-p", "rmsprop_lr=0.001", "-p", "num_batches=4"],
        /: -p num_heads=2 would change its model \(it has num_heads=1\); a resumed run keeps/,
      ],
      [
        "resume with a head list",
        TASKS.copy,
        ["--resume", good, "-p", "heads=write,read", "-p", "num_batches=4"],
        /: -p heads=write,read would change its model \(it has heads=""\); a resumed run keeps/,
      ],
      [
        "empty resume path",
        TASKS.copy,
        ["--resume", ""],
        /Cannot use option --resume: the path is empty; give the path of a checkpoint$/,
      ],
      [
        "checkpoint shapes that do not fit its params",
        TASKS.copy,
        ["--resume", "reshaped.safetensors", "-p", "num_batches=4"],
        /Cannot load checkpoint reshaped\.safetensors: tensor "controller\.lstm_h_bias" has shape \[1,1,4\], the config needs \[2,1,4\]/,
      ],
      [
        "checkpoint with a bad param in its metadata",
        TASKS.copy,
        ["--resume", "bad-param.safetensors"],
        /Cannot resume from bad-param\.safetensors: its metadata holds a bad param \(Cannot set param batch_size=0: it must be an integer ≥ 1 and ≤ 2147483647\)$/,
      ],
      [
        "checkpoint of another task",
        TASKS.repeatCopy,
        ["--resume", good],
        /it is a checkpoint of copy-task, not repeat-copy-task/,
      ],
      [
        "resume with another seed",
        TASKS.copy,
        ["--resume", good, "--seed", "5"],
        /it was trained with seed 1000, not 5/,
      ],
      [
        "resume past num_batches",
        TASKS.copy,
        ["--resume", good],
        /it reached batch 2 and num_batches is 2; raise it with -p num_batches=N/,
      ],
    ];
    for (const [what, script, args, message] of cases) {
      await t.step(what, async () => {
        const before = listFiles(dir);
        const run = await runTask(script, [...TINY, ...args], dir);
        assert.equal(run.code, 2, `exit status; stderr: ${run.stderr}`);
        const stderr = run.stderr.trimEnd();
        assert.ok(!stderr.includes("\n"), `one line: ${stderr}`);
        assert.match(stderr, /^error: /);
        assert.match(stderr, message);
        assert.equal(run.stdout, "", "nothing is printed before validation ends");
        assert.deepEqual(listFiles(dir), before, "no file is left behind");
      });
    }
    await t.step("a run with the same params may replace its own run's checkpoints", async () => {
      const again = await runTask(TASKS.copy, [
        ...TINY,
        "--resume",
        "good/copy-task-1000-batch-2.safetensors",
        "-p",
        "num_batches=4",
        "--checkpoint-interval",
        "4",
        "--checkpoint-path",
        "later",
      ], dir);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^Saved checkpoint later\/copy-task-1000-batch-4\.safetensors$/m);
    });
  });
});

Deno.test("without a WebGPU adapter, --backend webgpu exits 2 and --backend auto trains on the CPU", async () => {
  // Linux has no DirectX 12: WebGPU finds no adapter.
  const noAdapter = { DENO_WEBGPU_BACKEND: "dx12" };
  await withTempDir(async (cwd) => {
    const args = [...TINY.slice(0, -2), "-p", "num_batches=2", "--checkpoint-interval", "0"];
    const webgpu = await runScript(TASKS.copy, [...args, "--backend", "webgpu"], cwd, noAdapter);
    assert.equal(webgpu.code, 2, webgpu.stderr);
    assert.equal(
      webgpu.stderr.trim(),
      "error: Cannot start WebGPU: no WebGPU adapter was found; run with --backend cpu to " +
        "train on the CPU",
    );
    const auto = await runScript(TASKS.copy, [...args, "--backend", "auto"], cwd, noAdapter);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stdout, /^Backend: cpu .*; auto: no usable WebGPU adapter$/m);
    assert.match(auto.stdout, /^Batch 2 Loss: /m);
    assert.deepEqual([...Deno.readDirSync(cwd)], []);
  });
});

Deno.test("training CLI treats a file named like the default checkpoint folder as bad input", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/checkpoints`, "not a folder");
    const run = await runTask(TASKS.copy, [...TINY, "-p", "num_batches=2"], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      'error: Cannot use checkpoint path "checkpoints": it is not a folder\n',
    );
    assert.equal(run.stdout, "");
    assert.deepEqual(listFiles(dir), ["checkpoints"]);
  });
});

Deno.test("Ctrl-C within a report window checkpoints the completed batches and exits with status 130", async () => {
  await withTempDir(async (dir) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        TASKS.copy,
        ...TINY,
        "-p",
        "num_batches=1000000",
        "--report-interval",
        "1000000",
        "--checkpoint-interval",
        "100000000",
        "--checkpoint-path",
        ".",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Whatever happens, the child does not outlive the test.
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const decoder = new TextDecoder();
    let stdout = "";
    const reader = child.stdout.getReader();
    let signalled = false;
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value, { stream: true });
      if (!signalled && /^Checkpoints: /m.test(stdout)) {
        // Training starts right after that line; let it run a moment.
        signalled = true;
        setTimeout(() => child.kill("SIGINT"), 500);
      }
    }
    const status = await child.status;
    clearTimeout(guard);
    const stderr = decoder.decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(status.code, 130, stderr);
    const match = stdout.match(/^Interrupted after batch (\d+); resume with --resume (.*)$/m);
    assert.ok(match, stdout);
    const batch = Number(match[1]);
    // The run stops after the chunk in flight, long before the report window's end.
    assert.ok(batch >= 1 && batch < 1000000, `stopped inside the first window: ${batch}`);
    assert.doesNotMatch(stdout, /^Batch /m);
    const checkpoint = await readCheckpoint(`${dir}/${match[2]}`);
    assert.equal(checkpoint.batch, batch);
    assert.equal(checkpoint.history.loss.length, batch);
    assert.match(stderr, /Interrupted: finishing the current batches, then saving a checkpoint/);
  });
});
