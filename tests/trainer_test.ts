import assert from "node:assert/strict";
import { headPairs } from "../lib/config.ts";
import { readCheckpoint } from "../lib/io/checkpoint.ts";
import { initParams, paramLayout } from "../lib/params.ts";
import { type BatchRecord, freshState, type TrainingBackend } from "../lib/train/backend.ts";
import { formatReport, metricsLine, train, type TrainerOptions } from "../lib/train/trainer.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const layout = paramLayout({
  inputs: 3,
  outputs: 2,
  controllerSize: 4,
  controllerLayers: 1,
  memoryN: 4,
  memoryM: 2,
  heads: headPairs(1),
  batchSize: 1,
});

/** A backend that records its calls; batch n has loss n, cost 2n, length n % 5 + 1. */
function fakeBackend(calls: [number, number][]): TrainingBackend {
  const state = freshState(layout, initParams(layout, 1));
  return {
    name: "fake",
    description: "fake backend",
    train(first, count, onProgress) {
      calls.push([first, count]);
      const records: BatchRecord[] = [];
      for (let n = first; n < first + count; n++) {
        records.push({ batch: n, loss: n, cost: 2 * n, length: (n % 5) + 1 });
        onProgress?.(n - first + 1);
      }
      return Promise.resolve(records);
    },
    readState: () => Promise.resolve(state),
    dispose() {},
  };
}

function options(overrides: Partial<TrainerOptions>): TrainerOptions {
  return {
    backend: fakeBackend([]),
    batchSize: 1,
    completed: 0,
    numBatches: 10,
    history: { loss: [], cost: [], seq_lengths: [] },
    reportInterval: 4,
    checkpointInterval: 0,
    print: () => {},
    chunkSeconds: Infinity,
    ...overrides,
  };
}

Deno.test("train() calls the backend in chunks ending at report and checkpoint boundaries", async () => {
  await withTempDir(async (dir) => {
    const calls: [number, number][] = [];
    const lines: string[] = [];
    const outcome = await train(options({
      backend: fakeBackend(calls),
      checkpointInterval: 3,
      checkpoints: {
        directory: dir,
        layout,
        info: { task: "fake-task", params: {}, seed: 5, backend: "fake" },
      },
      print: (line) => lines.push(line),
    }));
    assert.deepEqual(calls, [[1, 3], [4, 1], [5, 2], [7, 2], [9, 1], [10, 1]]);
    assert.deepEqual(
      lines.map((line) => line.replace(/ Time: .*/, "")),
      [
        `Saved checkpoint ${dir}/fake-task-5-batch-3.safetensors`,
        "Batch 4 Loss: 2.500000 Cost: 5.00",
        `Saved checkpoint ${dir}/fake-task-5-batch-6.safetensors`,
        "Batch 8 Loss: 6.500000 Cost: 13.00",
        `Saved checkpoint ${dir}/fake-task-5-batch-9.safetensors`,
        "Batch 10 Loss: 9.500000 Cost: 19.00",
        `Saved checkpoint ${dir}/fake-task-5-batch-10.safetensors`,
      ],
    );
    assert.equal(outcome.completed, 10);
    assert.equal(outcome.interrupted, false);
    assert.deepEqual(outcome.history.loss, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(outcome.history.seq_lengths, [2, 3, 4, 5, 1, 2, 3, 4, 5, 1]);
    assert.equal(outcome.checkpointPaths.length, 4);
    const saved = await readCheckpoint(`${dir}/fake-task-5-batch-6`);
    assert.deepEqual(saved.history.cost, [2, 4, 6, 8, 10, 12]);
    assert.equal(saved.batch, 6);
  });
});

Deno.test("train() reports a resumed window over the history, and appends metrics lines", async () => {
  await withTempDir(async (dir) => {
    const metricsFile = `${dir}/metrics.jsonl`;
    const lines: string[] = [];
    const calls: [number, number][] = [];
    await train(options({
      backend: fakeBackend(calls),
      completed: 2,
      numBatches: 6,
      history: { loss: [1, 2], cost: [2, 4], seq_lengths: [2, 3] },
      metricsFile,
      print: (line) => lines.push(line),
    }));
    assert.deepEqual(calls, [[3, 2], [5, 2]]);
    assert.match(lines[0], /^Batch 4 Loss: 2\.500000 Cost: 5\.00 Time: /);
    assert.match(lines[1], /^Batch 6 Loss: 5\.500000 Cost: 11\.00 Time: /);
    const metrics = (await Deno.readTextFile(metricsFile)).trim().split("\n").map((line) =>
      JSON.parse(line)
    );
    assert.deepEqual(metrics.map((m) => [m.batch, m.loss, m.cost]), [[4, 2.5, 5], [6, 5.5, 11]]);
    for (const m of metrics) {
      assert.deepEqual(Object.keys(m), [
        "batch",
        "loss",
        "cost",
        "ms_per_seq",
        "seq_per_s",
        "elapsed_s",
      ]);
      assert.ok(m.ms_per_seq >= 0 && m.elapsed_s >= 0);
    }
  });
});

Deno.test("train() stops when asked, checkpointing the completed batches", async () => {
  await withTempDir(async (dir) => {
    const calls: [number, number][] = [];
    let stop = false;
    const backend = fakeBackend(calls);
    const outcome = await train(options({
      backend: {
        ...backend,
        train: async (first, count, onProgress) => {
          const records = await backend.train(first, count, onProgress);
          stop = first >= 5;
          return records;
        },
      },
      checkpointInterval: 3,
      checkpoints: {
        directory: dir,
        layout,
        info: { task: "fake-task", params: {}, seed: 5, backend: "fake" },
      },
      stopRequested: () => stop,
    }));
    assert.deepEqual(calls, [[1, 3], [4, 1], [5, 2]]);
    assert.equal(outcome.interrupted, true);
    assert.equal(outcome.completed, 6);
    assert.deepEqual(outcome.checkpointPaths, [
      `${dir}/fake-task-5-batch-3.safetensors`,
      `${dir}/fake-task-5-batch-6.safetensors`,
    ]);
    const calls2: [number, number][] = [];
    const stopped = await train(options({
      backend: fakeBackend(calls2),
      checkpointInterval: 3,
      checkpoints: {
        directory: dir,
        layout,
        info: { task: "fake-task", params: {}, seed: 5, backend: "fake" },
      },
      stopRequested: () => calls2.length > 0 && calls2.at(-1)![0] === 4,
    }));
    assert.equal(stopped.completed, 4);
    assert.equal(stopped.checkpointPaths.at(-1), `${dir}/fake-task-5-batch-4.safetensors`);
  });
});

Deno.test("train() sizes chunks to chunkSeconds, so a stop waits one chunk at most", async () => {
  // The clock advances 100 ms per batch trained: chunks of 0.5 s hold 5 batches.
  let clock = 0;
  const calls: [number, number][] = [];
  const backend = fakeBackend(calls);
  let stop = false;
  const timed: TrainingBackend = {
    ...backend,
    train: (first, count, onProgress) => {
      clock += 100 * count;
      stop = first + count - 1 >= 17;
      return backend.train(first, count, onProgress);
    },
  };
  const lines: string[] = [];
  const outcome = await train(options({
    backend: timed,
    numBatches: 100,
    reportInterval: 8,
    chunkSeconds: 0.5,
    now: () => clock,
    print: (line) => lines.push(line),
    stopRequested: () => stop,
  }));
  // One batch to measure, then 5 per chunk (the first capped at 4 times the one before), each
  // cut at a report boundary; a stop requested while batch 17 trains ends the run with its chunk.
  assert.deepEqual(calls, [[1, 1], [2, 4], [6, 3], [9, 5], [14, 3], [17, 5]]);
  assert.equal(outcome.completed, 21);
  assert.equal(outcome.interrupted, true);
  assert.deepEqual(lines, [
    "Batch 8 Loss: 4.500000 Cost: 9.00 Time: 100 ms/sequence",
    "Batch 16 Loss: 12.500000 Cost: 25.00 Time: 100 ms/sequence",
  ]);
  await assert.rejects(
    () => train(options({ chunkSeconds: 0 })),
    { name: "RangeError", message: "Cannot train: chunk seconds must be positive, got 0" },
  );
});

Deno.test("train() keeps its chunk limit after a chunk that a boundary cut short", async () => {
  // Each call costs 100 ms plus 100 ms per batch; chunks of 0.5 s hold 3 batches. A chunk of
  // one batch before a report boundary looks slow per batch, and must not lower the limit.
  let clock = 0;
  const calls: [number, number][] = [];
  const backend = fakeBackend(calls);
  await train(options({
    backend: {
      ...backend,
      train: (first, count, onProgress) => {
        clock += 100 + 100 * count;
        return backend.train(first, count, onProgress);
      },
    },
    numBatches: 12,
    reportInterval: 4,
    chunkSeconds: 0.5,
    now: () => clock,
  }));
  assert.deepEqual(calls, [[1, 1], [2, 2], [4, 1], [5, 3], [8, 1], [9, 3], [12, 1]]);
});

Deno.test("train() goes on without the metrics file when an append fails", async () => {
  await withTempDir(async (dir) => {
    const metricsFile = `${dir}/removed/metrics.jsonl`;
    const lines: string[] = [];
    const outcome = await train(options({ metricsFile, print: (line) => lines.push(line) }));
    assert.equal(outcome.completed, 10);
    assert.equal(lines.length, 4, lines.join("\n"));
    assert.match(lines[0], /^Batch 4 /);
    assert.match(
      lines[1],
      new RegExp(`^Cannot append to metrics file ${metricsFile}: .*; training goes on without it$`),
    );
    assert.match(lines[2], /^Batch 8 /);
    assert.match(lines[3], /^Batch 10 /);
  });
});

Deno.test("formatReport() prints like the reference and metricsLine() is one JSON line", () => {
  const report = { batch: 200, loss: 0.6931, cost: 36.25, msPerSequence: 5.123, elapsedSeconds: 2 };
  assert.equal(formatReport(report), "Batch 200 Loss: 0.693100 Cost: 36.25 Time: 5.12 ms/sequence");
  assert.equal(
    formatReport({ ...report, msPerSequence: 12.6 }),
    "Batch 200 Loss: 0.693100 Cost: 36.25 Time: 13 ms/sequence",
  );
  const line = metricsLine(report);
  assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
  assert.deepEqual(JSON.parse(line), {
    batch: 200,
    loss: 0.6931,
    cost: 36.25,
    ms_per_seq: 5.123,
    seq_per_s: 1000 / 5.123,
    elapsed_s: 2,
  });
});
