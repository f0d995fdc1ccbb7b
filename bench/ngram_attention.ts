/**
 * Where a trained dynamic N-grams model reads: for each step t, the read head's weight on the
 * memory rows the write head wrote at earlier steps s whose context, `lag` steps before s, was the
 * context of step t (the N − 1 bits read up to t). A model that looks up what followed earlier
 * occurrences of its context puts its read weight on the rows of one lag. The uniform column is
 * the weight a read spread evenly over the rows written so far would put there: the chance level.
 *
 * Run: `deno run -A bench/ngram_attention.ts --checkpoint PATH [--batches N]` (20 batches of one
 * sequence by default, data seed: the checkpoint's seed + 1, as `evaluate` draws them). The model
 * must have one read and one write head.
 *
 * @module
 */

import { runCommand } from "../lib/cli/exit.ts";
import { UsageError } from "../lib/config.ts";
import {
  checkpointState,
  CpuNtm,
  dynamicNgramsTask,
  generateBatch,
  ngramSequence,
  paramLayout,
  readCheckpoint,
  resolveParams,
} from "../mod.ts";
import { benchOptions } from "./options.ts";

/** Steps before this are skipped: too few earlier contexts to look up. */
const FIRST_STEP = 20;
/** The lags shown. */
const LAGS = 6;

const options = benchOptions(
  "Where a trained dynamic N-grams model's read head looks: the rows written after earlier " +
    "occurrences of the current context, by lag.",
  {
    checkpoint: { kind: "path", help: "a dynamic-ngrams-task checkpoint (.safetensors)" },
    batches: { kind: "integer", default: "20", help: "batches of one sequence" },
  },
);

/** Prints the table of read weights by lag for the checkpoint at `path`. */
async function analyse(path: string, batches: number): Promise<number> {
  const checkpoint = await readCheckpoint(path);
  if (checkpoint.task !== dynamicNgramsTask.name) {
    throw new UsageError(
      `Cannot analyse ${path}: it is a checkpoint of ${checkpoint.task}, not ` +
        dynamicNgramsTask.name,
    );
  }
  const params = resolveParams(dynamicNgramsTask.params, ["batch_size=1"], checkpoint.params);
  const config = dynamicNgramsTask.config(params);
  const readHead = config.heads.indexOf("read"), writeHead = config.heads.indexOf("write");
  if (config.heads.length !== 2 || readHead < 0 || writeHead < 0) {
    throw new UsageError(
      `Cannot analyse ${path}: its heads are [${config.heads}]; the analysis needs one read and ` +
        "one write head",
    );
  }
  const layout = paramLayout(config);
  const { params: store } = checkpointState(layout, checkpoint);
  const capacity = dynamicNgramsTask.capacity(params);
  const model = new CpuNtm(layout, { capacity });
  const elements = dynamicNgramsTask.elements(params);
  const { memoryN: N } = config;
  const mask = 2 ** (params.ngram - 1) - 1;
  const seed = (checkpoint.seed + 1) % 2 ** 32;

  const onMatching = new Array(LAGS).fill(0), uniform = new Array(LAGS).fill(0);
  let looked = 0, writePeak = 0, writeSteps = 0;
  for (let batchNumber = 1; batchNumber <= batches; batchNumber++) {
    const batch = generateBatch(elements, seed, batchNumber);
    model.forward(store, batch.input, batch);
    const bits = ngramSequence(params, seed, batchNumber, 0);
    /** The context after reading bit t: bits t, t − 1, …, the last lowest, zeros before bit 0. */
    const context = (t: number) => {
      let value = 0;
      for (let j = 0; j < params.ngram - 1; j++) value |= (t - j >= 0 ? bits[t - j] : 0) << j;
      return value & mask;
    };
    const read = model.weightings(readHead), write = model.weightings(writeHead);
    const rows = Array.from({ length: capacity }, (_, s) => {
      let best = 0;
      for (let n = 1; n < N; n++) if (write[s * N + n] > write[s * N + best]) best = n;
      writePeak += write[s * N + best];
      writeSteps++;
      return best;
    });
    for (let t = FIRST_STEP; t < capacity; t++) {
      const written = new Set(rows.slice(0, t + 1));
      for (let lag = 0; lag < LAGS; lag++) {
        const matching = new Set<number>();
        for (let s = lag; s <= t; s++) if (context(s - lag) === context(t)) matching.add(rows[s]);
        for (const row of matching) onMatching[lag] += read[t * N + row];
        uniform[lag] += matching.size / written.size;
      }
      looked++;
    }
  }
  console.log(
    `${path}: ${batches} sequences of ${params.sequence_len} bits (data seed ${seed}); the ` +
      `write head's largest weight averages ${(writePeak / writeSteps).toFixed(3)}`,
  );
  console.log("");
  console.log("| lag | read weight on matching rows | uniform read |");
  console.log("| --: | ---------------------------: | -----------: |");
  for (let lag = 0; lag < LAGS; lag++) {
    console.log(
      `| ${String(lag).padStart(3)} | ${(onMatching[lag] / looked).toFixed(3).padStart(28)} | ` +
        `${(uniform[lag] / looked).toFixed(3).padStart(12)} |`,
    );
  }
  return 0;
}

Deno.exit(
  await runCommand(() => {
    if (options.checkpoint === undefined) {
      throw new UsageError("Cannot analyse the heads: no checkpoint given; add --checkpoint PATH");
    }
    return analyse(options.checkpoint, options.batches);
  }),
);
