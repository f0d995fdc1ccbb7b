/**
 * How a trained dynamic N-grams model uses its memory, on fresh batches of one sequence:
 * - its write head: how sharp it is, and how its most-weighted row moves from step to step;
 * - where its read head looks: at each step t, the read weight on the rows whose last write
 *   before the read (step s) came `lag` steps after an occurrence of step t's context, that is
 *   the context of step s − lag equals the context of step t (the N − 1 bits read up to t). A
 *   model that looks up earlier occurrences of its context puts its read weight on one lag's
 *   rows. Beside it, the weight a read spread evenly over the rows written so far would put
 *   there: the chance level;
 * - where along the sequence it falls behind the Bayesian optimum: its cross-entropy above the
 *   optimum's, per prediction, by bands of steps.
 *
 * Run: `deno run -A bench/ngram_memory.ts --checkpoint PATH [--batches N] [--seed N]
 * [--sequence-len N]` (20 batches by default, of the checkpoint's sequence length, data seed: the
 * checkpoint's seed + 1, as `evaluate` draws them). The model must have one read and one write
 * head.
 *
 * @module
 */

import { checkpointParams } from "../lib/cli/checkpoint_params.ts";
import { defaultEvaluationSeed } from "../lib/cli/evaluate_options.ts";
import { runCommand } from "../lib/cli/exit.ts";
import type { Floats } from "../lib/cpu/floats.ts";
import { bceLoss } from "../lib/cpu/loss.ts";
import { UsageError } from "../lib/config.ts";
import { MAX_SEQUENCE_LENGTH } from "../lib/train/task.ts";
import {
  checkpointState,
  CpuNtm,
  dynamicNgramsTask,
  generateBatch,
  ngramSequence,
  optimalPredictions,
  paramLayout,
  readCheckpoint,
} from "../mod.ts";
import { benchOptions } from "./options.ts";

/** Steps before this are skipped by the read analysis: too few earlier contexts to look up. */
const FIRST_STEP = 20;
/** The lags shown. */
const LAGS = 6;
/** Steps per band of the gap to the optimum. */
const BAND = 64;

const options = benchOptions(
  "How a trained dynamic N-grams model uses its memory: its write head, where its read head " +
    "looks, and where along the sequence it falls behind the Bayesian optimum.",
  {
    checkpoint: { kind: "path", what: "a dynamic-ngrams-task checkpoint", help: "the model" },
    batches: { kind: "integer", default: "20", help: "batches of one sequence" },
    seed: {
      kind: "integer",
      min: 0,
      max: 0xffff_ffff,
      help: "the data's seed (default: the checkpoint's seed + 1)",
    },
    "sequence-len": {
      kind: "integer",
      min: FIRST_STEP + 2,
      max: MAX_SEQUENCE_LENGTH,
      help: `bits per sequence, at least ${FIRST_STEP + 2} (default: the checkpoint's)`,
    },
  },
);

/** Analyses the checkpoint at `path` and prints the three tables. */
async function analyse(path: string): Promise<number> {
  const checkpoint = await readCheckpoint(path);
  const action = "analyse";
  if (checkpoint.task !== dynamicNgramsTask.name) {
    throw new UsageError(
      `Cannot ${action} ${path}: it is a checkpoint of ${checkpoint.task}, not ` +
        dynamicNgramsTask.name,
    );
  }
  const saved = checkpointParams(dynamicNgramsTask, checkpoint, action);
  const length = options["sequence-len"] ?? saved.sequence_len;
  if (length < FIRST_STEP + 2) {
    throw new UsageError(
      `Cannot ${action} ${path}: its sequences of ${length} bits end before step ${FIRST_STEP}, ` +
        `where the read analysis starts; give --sequence-len N of at least ${FIRST_STEP + 2}`,
    );
  }
  const params = { ...saved, batch_size: 1, sequence_len: length };
  const config = dynamicNgramsTask.config(params);
  const readHead = config.heads.indexOf("read"), writeHead = config.heads.indexOf("write");
  if (config.heads.length !== 2 || readHead < 0 || writeHead < 0) {
    throw new UsageError(
      `Cannot ${action} ${path}: its heads are [${config.heads}]; the analysis needs one read ` +
        "and one write head",
    );
  }
  // Heads run in list order: a read before the write sees the memory of the steps before.
  const writeFirst = writeHead < readHead;
  const layout = paramLayout(config);
  const { params: store } = checkpointState(layout, checkpoint);
  const steps = dynamicNgramsTask.capacity(params);
  const model = new CpuNtm(layout, { capacity: steps });
  const elements = dynamicNgramsTask.elements(params);
  const { memoryN: N } = config;
  const mask = 2 ** (params.ngram - 1) - 1;
  const seed = options.seed ?? defaultEvaluationSeed(checkpoint.seed);
  const { batches } = options;

  const onMatching = new Array(LAGS).fill(0), uniform = new Array(LAGS).fill(0);
  let looked = 0, writePeak = 0, forward = 0, backward = 0;
  const bands = Math.ceil(steps / BAND);
  const gap = new Array(bands).fill(0);
  for (let batchNumber = 1; batchNumber <= batches; batchNumber++) {
    const batch = generateBatch(elements, seed, batchNumber);
    const outputs = model.forward(store, batch.input, batch);
    const optimum = optimalPredictions(params, batch);
    for (let band = 0; band < bands; band++) {
      const first = band * BAND, end = Math.min(steps, first + BAND);
      // The training loss (a mean in nats) over the band's predictions, summed in bits.
      const bits = (predictions: Floats) =>
        bceLoss(predictions.subarray(first, end), batch.target.subarray(first, end)) *
        (end - first) / Math.LN2;
      gap[band] += bits(outputs) - bits(optimum);
    }
    const sequence = ngramSequence(params, seed, batchNumber, 0);
    /** The context after reading bit t: bits t, t − 1, …, the last lowest, zeros before bit 0. */
    const context = (t: number) => {
      let value = 0;
      for (let j = 0; j < params.ngram - 1; j++) value |= (t - j >= 0 ? sequence[t - j] : 0) << j;
      return value & mask;
    };
    const read = model.weightings(readHead), write = model.weightings(writeHead);
    const rows = Array.from({ length: steps }, (_, s) => {
      let best = 0;
      for (let n = 1; n < N; n++) if (write[s * N + n] > write[s * N + best]) best = n;
      writePeak += write[s * N + best];
      return best;
    });
    for (let s = 1; s < steps; s++) {
      const move = (rows[s] - rows[s - 1] + N) % N;
      if (move === 1) forward++;
      if (move === N - 1) backward++;
    }
    // The step of each row's last write that the read at step t sees.
    const lastWrite = new Map<number, number>();
    for (let t = 0; t < steps; t++) {
      if (writeFirst) lastWrite.set(rows[t], t);
      if (t >= FIRST_STEP) {
        for (let lag = 0; lag < LAGS; lag++) {
          let matching = 0;
          for (const [row, s] of lastWrite) {
            if (s - lag >= 0 && context(s - lag) === context(t)) {
              onMatching[lag] += read[t * N + row];
              matching++;
            }
          }
          uniform[lag] += matching / lastWrite.size;
        }
        looked++;
      }
      if (!writeFirst) lastWrite.set(rows[t], t);
    }
  }
  const fixed = (value: number, width: number, digits = 3) => value.toFixed(digits).padStart(width);
  console.log(
    `${path}: ${batches} sequence(s) of ${length} bits (data seed ${seed}), ${steps} predictions ` +
      "each",
  );
  console.log("");
  console.log(
    `Write head: largest weight ${(writePeak / (batches * steps)).toFixed(3)} on average; its ` +
      `row moves +1 on ${(100 * forward / (batches * (steps - 1))).toFixed(1)}% of steps, ` +
      `−1 on ${(100 * backward / (batches * (steps - 1))).toFixed(1)}%`,
  );
  console.log("");
  console.log(`Read head, steps ${FIRST_STEP} on:`);
  console.log("");
  console.log("| lag | read weight on matching rows | uniform read |");
  console.log("| --: | ---------------------------: | -----------: |");
  for (let lag = 0; lag < LAGS; lag++) {
    console.log(
      `| ${String(lag).padStart(3)} | ${fixed(onMatching[lag] / looked, 28)} | ` +
        `${fixed(uniform[lag] / looked, 12)} |`,
    );
  }
  console.log("");
  console.log("Cross-entropy above the Bayesian optimum:");
  console.log("");
  console.log("|     steps | bits per prediction | bits per sequence |");
  console.log("| --------: | ------------------: | ----------------: |");
  for (let band = 0; band < bands; band++) {
    const first = band * BAND, last = Math.min(steps, first + BAND) - 1;
    console.log(
      `| ${`${first}–${last}`.padStart(9)} | ${
        fixed(gap[band] / batches / (last - first + 1), 19, 4)
      } | ` +
        `${fixed(gap[band] / batches, 17, 2)} |`,
    );
  }
  return 0;
}

Deno.exit(
  await runCommand(() => {
    if (options.checkpoint === undefined) {
      throw new UsageError("Cannot analyse the heads: no checkpoint given; add --checkpoint PATH");
    }
    return analyse(options.checkpoint);
  }),
);
