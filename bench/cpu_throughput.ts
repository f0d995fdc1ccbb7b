/**
 * Training throughput of the CPU backend on the copy task (default params: H 100, L 1, N 128,
 * M 20, one read/write head pair, lengths 1–20 drawn from the seed), with plain TypeScript and
 * WebAssembly SIMD kernels side by side, at batch sizes 1 and 8.
 *
 * Each configuration runs in its own Deno process, so its peak RSS is its own: it trains
 * `--warmup` batches untimed, then `--batches` batches timed, sampling
 * `Deno.memoryUsage().rss` every `SAMPLE_EVERY` batches.
 *
 * Run: `deno run -A bench/cpu_throughput.ts [--batches 300] [--warmup 50] [--seed 10]`.
 *
 * @module
 */

import { resolveParams } from "../lib/cli/params.ts";
import { CpuBackend, type CpuKernelChoice } from "../lib/cpu/backend.ts";
import { trainingSetup } from "../lib/train/task.ts";
import { copyTask } from "../tasks/copy.ts";
import { benchOptions } from "./options.ts";

/** Batches between RSS samples (a sample costs a little time, so not every batch). */
const SAMPLE_EVERY = 25;
const CONFIGURATIONS: { kernels: CpuKernelChoice; batchSize: number }[] = [
  { kernels: "plain", batchSize: 1 },
  { kernels: "wasm", batchSize: 1 },
  { kernels: "plain", batchSize: 8 },
  { kernels: "wasm", batchSize: 8 },
];

/** What one configuration measured. */
interface Measurement {
  readonly description: string;
  readonly batchSize: number;
  readonly sequences: number;
  readonly milliseconds: number;
  readonly peakRss: number;
}

async function measure(
  kernels: CpuKernelChoice,
  batchSize: number,
  seed: number,
  warmup: number,
  batches: number,
): Promise<Measurement> {
  const params = resolveParams(copyTask.params, [`batch_size=${batchSize}`]);
  const backend = new CpuBackend(trainingSetup(copyTask, params, seed), { kernels });
  await backend.train(1, warmup);
  let peakRss = Deno.memoryUsage().rss, milliseconds = 0, sequences = 0;
  for (let first = warmup + 1; first <= warmup + batches; first += SAMPLE_EVERY) {
    const count = Math.min(SAMPLE_EVERY, warmup + batches + 1 - first);
    const start = performance.now();
    const records = await backend.train(first, count);
    milliseconds += performance.now() - start;
    sequences += records.length * batchSize;
    peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
  }
  return { description: backend.description, batchSize, sequences, milliseconds, peakRss };
}

async function runInChild(
  kernels: CpuKernelChoice,
  batchSize: number,
  args: string[],
): Promise<Measurement> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      ...args,
      "--only",
      kernels,
      "--batch",
      String(batchSize),
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const { code, stdout } = await command.output();
  if (code !== 0) throw new Error(`Cannot measure ${kernels} at batch ${batchSize}: exit ${code}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

if (import.meta.main) {
  const values = benchOptions(
    "Training throughput of the CPU backend on the copy task, plain TypeScript and " +
      "WebAssembly SIMD kernels side by side, at batch 1 and 8.",
    {
      batches: { kind: "integer", default: "300", help: "timed batches per configuration" },
      warmup: { kind: "integer", min: 0, default: "50", help: "untimed batches first" },
      seed: { kind: "integer", min: 0, default: "10", help: "seed of the weights and the data" },
      only: {
        kind: "choice",
        choices: ["plain", "wasm"],
        help: "measure these kernels alone and print JSON (the child processes' mode)",
      },
      batch: { kind: "integer", default: "1", help: "batch size, with --only" },
    },
  );
  const { seed, warmup, batches } = values;
  if (values.only !== undefined) {
    const kernels = values.only as CpuKernelChoice;
    const measured = await measure(kernels, values.batch, seed, warmup, batches);
    console.log(JSON.stringify(measured));
  } else {
    const args = ["--batches", String(batches), "--warmup", String(warmup), "--seed", String(seed)];
    console.log(
      `copy task, seed ${seed}: ${warmup} warm-up batches, then ${batches} timed batches\n`,
    );
    const header = ["backend", "batch", "ms/sequence", "sequences/s", "peak RSS (MB)", "speed-up"];
    const rows: string[][] = [];
    const plainTimes = new Map<number, number>();
    for (const { kernels, batchSize } of CONFIGURATIONS) {
      const measured = await runInChild(kernels, batchSize, args);
      const perSequence = measured.milliseconds / measured.sequences;
      if (kernels === "plain") plainTimes.set(batchSize, perSequence);
      const baseline = plainTimes.get(batchSize);
      rows.push([
        measured.description,
        String(batchSize),
        perSequence.toFixed(3),
        (1000 / perSequence).toFixed(0),
        (measured.peakRss / 2 ** 20).toFixed(0),
        baseline === undefined ? "" : `${(baseline / perSequence).toFixed(2)}x`,
      ]);
    }
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => row[column].length))
    );
    for (const row of [header, ...rows]) {
      console.log(row.map((cell, column) => cell.padEnd(widths[column])).join("  "));
    }
  }
}
