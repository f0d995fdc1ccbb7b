/**
 * The yardsticks of a dynamic N-grams model: the cross-entropy, in bits per sequence, of Bayesian
 * estimators that condition on fewer or more bits than the data's N − 1, on the same batches
 * `evaluate` draws. The estimator of the data's own order is the optimum; a model that beats the
 * estimator of k bits likely uses more than k bits of context (a k-bit estimator with the
 * Beta(1/2, 1/2) prior is a yardstick, not the best k-bit predictor of this data).
 *
 * Run: `deno run -A bench/ngram_estimators.ts [--seed N] [--batches N] [--ngram N]
 * [--sequence-len N] [--window N]` (by default the data of `evaluate --seed 11 --batches 200` on
 * the default 200 bits of 6-grams). Estimators of 0 to 7 bits of context are shown, and 2 more
 * than the data's; with `--window N` they count only the last N bits read, as a predictor that
 * remembers no further back would.
 *
 * @module
 */

import { runCommand } from "../lib/cli/exit.ts";
import { MAX_SEQUENCE_LENGTH } from "../lib/train/task.ts";
import {
  dynamicNgramsParams,
  dynamicNgramsTask,
  generateBatch,
  measurePredictions,
  optimalPredictions,
  resolveParams,
} from "../mod.ts";
import { MAX_NGRAM } from "../tasks/dynamic_ngrams.ts";
import { benchOptions } from "./options.ts";

const options = benchOptions(
  "The cross-entropy of Bayesian N-gram estimators of several orders on dynamic N-grams data.",
  {
    seed: { kind: "integer", min: 0, max: 0xffff_ffff, default: "11", help: "the data's seed" },
    batches: { kind: "integer", default: "200", help: "batches of one sequence" },
    ngram: {
      kind: "integer",
      max: MAX_NGRAM,
      default: String(dynamicNgramsParams.ngram.default),
      help: "the data's N",
    },
    "sequence-len": {
      kind: "integer",
      min: 2,
      max: MAX_SEQUENCE_LENGTH,
      default: String(dynamicNgramsParams.sequence_len.default),
      help: "bits per sequence",
    },
    window: { kind: "integer", help: "count only the last N bits read (default: all)" },
  },
);

Deno.exit(
  await runCommand(() => {
    const params = resolveParams(dynamicNgramsTask.params, [
      `ngram=${options.ngram}`,
      `sequence_len=${options["sequence-len"]}`,
    ]);
    const { seed, batches } = options;
    const elements = dynamicNgramsTask.elements(params);
    const data = Array.from(
      { length: batches },
      (_, index) => generateBatch(elements, seed, index + 1),
    );
    console.log(
      `${batches} batches of ${params.sequence_len} bits of ${params.ngram}-grams, data seed ` +
        `${seed}${
          options.window === undefined ? "" : `; counting the last ${options.window} bits`
        }`,
    );
    console.log("");
    console.log("| context bits | cross-entropy (bits per sequence) |");
    console.log("| -----------: | --------------------------------: |");
    for (let ngram = 1; ngram <= Math.max(8, params.ngram + 2); ngram++) {
      const order = { ...params, ngram };
      let bits = 0;
      for (const batch of data) {
        const predictions = optimalPredictions(order, batch, options.window ?? Infinity);
        bits += measurePredictions(predictions, batch, 1).crossEntropyBits;
      }
      const mark = ngram !== params.ngram
        ? ""
        : options.window === undefined
        ? " (the optimum)"
        : " (the data's order)";
      const cell = `${(bits / batches).toFixed(2)}${mark}`;
      console.log(`| ${String(ngram - 1).padStart(12)} | ${cell.padStart(33)} |`);
    }
    return Promise.resolve(0);
  }),
);
