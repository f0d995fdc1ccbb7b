/**
 * The yardsticks of a dynamic N-grams model: the cross-entropy, in bits per sequence, of Bayesian
 * estimators that condition on fewer or more bits than the data's N − 1, on the same batches
 * `evaluate` draws. The estimator of the data's own order is the optimum; one that beats the
 * estimator of k bits uses more than k bits of context.
 *
 * Run: `deno run -A bench/ngram_estimators.ts [SEED] [BATCHES] [NAME=VALUE…]` (data seed 11 and
 * 200 batches by default: the data of `evaluate --seed 11 --batches 200`; NAME=VALUE sets the
 * data's params as `-p` does, such as `ngram=4` or `sequence_len=400`). Estimators of 0 to 7 bits
 * of context are shown, and 2 more than the data's order.
 *
 * @module
 */

import {
  dynamicNgramsTask,
  generateBatch,
  measurePredictions,
  optimalPredictions,
  resolveParams,
} from "../mod.ts";

const [seedText = "11", batchesText = "200", ...assignments] = Deno.args;
const seed = Number(seedText), batches = Number(batchesText);
const params = resolveParams(dynamicNgramsTask.params, assignments);
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
  console.log(
    `| ${String(ngram - 1).padStart(12)} | ${
      `${(bits / batches).toFixed(2)}${mark}`.padStart(33)
    } |`,
  );
}
