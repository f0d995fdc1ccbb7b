/**
 * The yardsticks of a dynamic N-grams model: the cross-entropy, in bits per sequence, of Bayesian
 * estimators that condition on fewer or more bits than the data's N − 1, on the same batches
 * `evaluate` draws. The estimator of the data's own order is the optimum; a model that beats the
 * estimator of k bits uses more than k bits of context.
 *
 * Run: `deno run -A bench/ngram_estimators.ts [--seed N] [--batches N] [--ngram N]
 * [--sequence-len N]` (by default the data of `evaluate --seed 11 --batches 200` on the default
 * 200 bits of 6-grams). Estimators of 0 to 7 bits of context are shown, and 2 more than the data's.
 *
 * @module
 */

import { runCommand } from "../lib/cli/exit.ts";
import {
  dynamicNgramsTask,
  generateBatch,
  measurePredictions,
  optimalPredictions,
  resolveParams,
} from "../mod.ts";
import { benchOptions } from "./options.ts";

const options = benchOptions(
  "The cross-entropy of Bayesian N-gram estimators of several orders on dynamic N-grams data.",
  {
    seed: { kind: "integer", min: 0, default: "11", help: "the data's seed" },
    batches: { kind: "integer", default: "200", help: "batches of one sequence" },
    ngram: { kind: "integer", default: "6", help: "the data's N" },
    "sequence-len": { kind: "integer", default: "200", help: "bits per sequence" },
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
      `${batches} batches of ${params.sequence_len} bits of ${params.ngram}-grams, data seed ${seed}`,
    );
    console.log("");
    console.log("| context bits | cross-entropy (bits per sequence) |");
    console.log("| -----------: | --------------------------------: |");
    for (let ngram = 1; ngram <= Math.max(8, params.ngram + 2); ngram++) {
      const order = { ...params, ngram };
      let bits = 0;
      for (const batch of data) {
        bits += measurePredictions(optimalPredictions(order, batch), batch, 1).crossEntropyBits;
      }
      const mark = ngram === params.ngram ? " (the optimum)" : "";
      const cell = `${(bits / batches).toFixed(2)}${mark}`;
      console.log(`| ${String(ngram - 1).padStart(12)} | ${cell.padStart(33)} |`);
    }
    return Promise.resolve(0);
  }),
);
