import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { CpuBackend } from "../lib/cpu/backend.ts";
import { randomBit, randomInt, randomNormal, randomU32, randomUniform } from "../lib/random.ts";
import { trainingSetup } from "../lib/train/task.ts";
import { train } from "../lib/train/trainer.ts";
import { copyTask } from "../tasks/copy.ts";

Deno.test("random draws are pure functions of (seed, stream, index)", () => {
  const draws = (seed: number) => {
    const out: number[] = [];
    for (let index = 0; index < 50; index++) {
      out.push(
        randomU32(seed, 7, index),
        randomUniform(seed, 7, index),
        randomBit(seed, 7, index),
        randomInt(seed, 7, index, 1, 20),
        randomNormal(seed, 7, index),
      );
    }
    return out;
  };
  // Interleaving other draws changes nothing: there is no hidden state.
  const first = draws(10);
  randomU32(10, 8, 0);
  assert.deepEqual(draws(10), first);
  assert.notDeepEqual(draws(11), first);
  assert.notEqual(randomU32(10, 7, 0), randomU32(10, 8, 0), "streams differ");
  for (let index = 0; index < 1000; index++) {
    const u = randomUniform(3, 1, index);
    assert.ok(u >= 0 && u < 1);
    const k = randomInt(3, 1, index, 1, 20);
    assert.ok(Number.isInteger(k) && k >= 1 && k <= 20);
  }
});

Deno.test("randomInt() draws every value of its range about equally often", () => {
  const counts = new Array(10).fill(0);
  const draws = 20000;
  for (let index = 0; index < draws; index++) counts[randomInt(1, 2, index, 1, 10) - 1]++;
  // Chi-square with 9 degrees of freedom: P(χ² > 33.7) < 1e-4.
  const expected = draws / 10;
  const chi2 = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 33.7, `chi-square ${chi2} for counts ${counts}`);
});

/** Five batches of a tiny copy-task NTM on the CPU; returns the loss history. */
async function shortRun(seed: number): Promise<readonly number[]> {
  const params = resolveParams(copyTask.params, [
    "controller_size=6",
    "memory_n=8",
    "memory_m=4",
    "sequence_width=3",
    "sequence_max_len=4",
    "batch_size=2",
  ]);
  const backend = new CpuBackend(trainingSetup(copyTask, params, seed));
  const outcome = await train({
    backend,
    batchSize: 2,
    completed: 0,
    numBatches: 5,
    history: { loss: [], cost: [], seq_lengths: [] },
    reportInterval: 5,
    checkpointInterval: 0,
    print: () => {},
  });
  return outcome.history.loss;
}

Deno.test("the same seed gives an identical loss history in two CPU training runs", async () => {
  const first = await shortRun(21);
  assert.equal(first.length, 5);
  assert.deepEqual(await shortRun(21), first);
  assert.notDeepEqual(await shortRun(22), first);
});
