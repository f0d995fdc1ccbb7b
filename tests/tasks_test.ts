import assert from "node:assert/strict";
import { UsageError } from "../lib/config.ts";
import { resolveParams } from "../lib/cli/params.ts";
import {
  generateBatch,
  gpuConstants,
  type ParamValues,
  type TaskBatch,
  type TaskDefinition,
  type TaskSchema,
} from "../lib/train/task.ts";
import { copyTask } from "../tasks/copy.ts";
import { repeatCopyNormalisation, repeatCopyTask } from "../tasks/repeat_copy.ts";
import { associativeRecallTask } from "../tasks/associative_recall.ts";
import { prioritySortTask } from "../tasks/priority_sort.ts";
import {
  dynamicNgramsTask,
  ngramProbability,
  ngramSequence,
  optimalPredictions,
} from "../tasks/dynamic_ngrams.ts";
import { totalSteps } from "../lib/sequence_steps.ts";

/** Element (t, b, c) of a `[T, B, C]` array. */
const at = (values: Float32Array, B: number, C: number, t: number, b: number, c: number) =>
  values[(t * B + b) * C + c];

const copyParams = (...assignments: string[]) => resolveParams(copyTask.params, assignments);
const repeatParams = (...assignments: string[]) =>
  resolveParams(repeatCopyTask.params, assignments);
const recallParams = (...assignments: string[]) =>
  resolveParams(associativeRecallTask.params, assignments);
const sortParams = (...assignments: string[]) =>
  resolveParams(prioritySortTask.params, assignments);
const ngramParams = (...assignments: string[]) =>
  resolveParams(dynamicNgramsTask.params, assignments);

Deno.test("copyTask data follows NTM-SPEC: T bit vectors, a delimiter step, targets equal to the bits", () => {
  const params = copyParams("batch_size=3", "sequence_width=5", "sequence_max_len=7");
  const elements = copyTask.elements(params);
  assert.deepEqual([elements.inputs, elements.outputs, elements.batchSize], [6, 5, 3]);
  const lengths = new Set<number>();
  let ones = 0, bits = 0;
  for (let n = 1; n <= 200; n++) {
    const batch: TaskBatch = generateBatch(elements, 10, n);
    const T = batch.length;
    lengths.add(T);
    assert.deepEqual([batch.inputSteps, batch.outputSteps], [T + 1, T]);
    assert.equal(batch.input.length, (T + 1) * 3 * 6);
    assert.equal(batch.target.length, T * 3 * 5);
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t < T; t++) {
        for (let w = 0; w < 5; w++) {
          const bit = at(batch.input, 3, 6, t, b, w);
          assert.ok(bit === 0 || bit === 1);
          assert.equal(at(batch.target, 3, 5, t, b, w), bit);
          ones += bit;
          bits++;
        }
        assert.equal(at(batch.input, 3, 6, t, b, 5), 0, "delimiter channel is 0 before the end");
      }
      for (let i = 0; i < 6; i++) {
        assert.equal(at(batch.input, 3, 6, T, b, i), i === 5 ? 1 : 0, "delimiter step");
      }
    }
  }
  assert.deepEqual([...lengths].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7]);
  // Fair bits: 5 standard deviations of a binomial count.
  assert.ok(Math.abs(ones - bits / 2) <= 5 * Math.sqrt(bits / 4), `${ones} ones in ${bits} bits`);
});

Deno.test("repeatCopyTask data follows NTM-SPEC: bits, delimiter, normalised repeat count; targets repeated n times and an end marker", () => {
  const params = repeatParams("batch_size=2", "sequence_width=4", "sequence_max_len=5");
  const elements = repeatCopyTask.elements(params);
  const { mean, scale } = repeatCopyNormalisation(params);
  assert.deepEqual([elements.inputs, elements.outputs], [6, 5]);
  const seen = new Set<number>();
  for (let n = 1; n <= 300; n++) {
    const batch = generateBatch(elements, 3, n);
    const T = batch.inputSteps - 2;
    const repeats = (batch.outputSteps - 1) / T;
    assert.ok(Number.isInteger(repeats) && repeats >= 1 && repeats <= 10, `repeats ${repeats}`);
    assert.ok(T >= 1 && T <= 5);
    assert.equal(batch.length, T * repeats + 1, "history records y.size(0) like the reference");
    seen.add(repeats);
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < T; t++) {
        for (let i = 4; i < 6; i++) assert.equal(at(batch.input, 2, 6, t, b, i), 0);
      }
      for (let i = 0; i < 6; i++) {
        assert.equal(at(batch.input, 2, 6, T, b, i), i === 4 ? 1 : 0, "delimiter step");
        const expected = i === 5 ? Math.fround((repeats - mean) * scale) : 0;
        assert.equal(at(batch.input, 2, 6, T + 1, b, i), expected, "repeat count step");
      }
      for (let t = 0; t < T * repeats; t++) {
        for (let w = 0; w < 4; w++) {
          assert.equal(at(batch.target, 2, 5, t, b, w), at(batch.input, 2, 6, t % T, b, w));
        }
        assert.equal(at(batch.target, 2, 5, t, b, 4), 0, "no end marker before the end");
      }
      for (let o = 0; o < 5; o++) {
        assert.equal(at(batch.target, 2, 5, T * repeats, b, o), o === 4 ? 1 : 0, "end marker");
      }
    }
  }
  assert.equal(seen.size, 10, "every repeat count 1..10 is drawn");
});

Deno.test("associativeRecallTask data follows the paper: delimited items, a query between second delimiters, the next item as target", () => {
  const [B, W, L] = [3, 6, 3];
  const params = recallParams(`batch_size=${B}`, `sequence_width=${W}`, `item_len=${L}`);
  const elements = associativeRecallTask.elements(params);
  assert.deepEqual([elements.inputs, elements.outputs], [W + 2, W]);
  const itemCounts = new Set<number>(), queries = new Set<number>();
  let ones = 0, bits = 0, batchesWithQueriesApart = 0;
  for (let n = 1; n <= 300; n++) {
    const batch = generateBatch(elements, 8, n);
    const K = batch.length;
    assert.ok(K >= 2 && K <= 6, `items ${K}`);
    itemCounts.add(K);
    assert.deepEqual([batch.inputSteps, batch.outputSteps], [K * (L + 1) + L + 2, L]);
    const input = (t: number, b: number, i: number) => at(batch.input, B, W + 2, t, b, i);
    /** Item j of sequence b, read from the input: its L vectors after its delimiter. */
    const itemOf = (j: number, b: number) =>
      Array.from(
        { length: L },
        (_, r) => Array.from({ length: W }, (_, w) => input(j * (L + 1) + 1 + r, b, w)),
      );
    const sequenceQueries: number[] = [];
    for (let b = 0; b < B; b++) {
      const item = (j: number) => itemOf(j, b);
      for (let j = 0; j < K; j++) {
        for (let i = 0; i < W + 2; i++) {
          assert.equal(input(j * (L + 1), b, i), i === W ? 1 : 0, "item delimiter");
        }
        for (let r = 0; r < L; r++) {
          for (let w = 0; w < W; w++) {
            const bit = input(j * (L + 1) + 1 + r, b, w);
            assert.ok(bit === 0 || bit === 1);
            ones += bit;
            bits++;
          }
          assert.equal(input(j * (L + 1) + 1 + r, b, W), 0);
          assert.equal(input(j * (L + 1) + 1 + r, b, W + 1), 0);
        }
      }
      const queryStart = K * (L + 1);
      for (const t of [queryStart, queryStart + L + 1]) {
        for (let i = 0; i < W + 2; i++) {
          assert.equal(input(t, b, i), i === W + 1 ? 1 : 0, "query delimiter");
        }
      }
      const query = Array.from(
        { length: L },
        (_, r) => Array.from({ length: W }, (_, w) => input(queryStart + 1 + r, b, w)),
      );
      // The query is one of the first K - 1 items, and the target the item after it; items are
      // random, so find the query by content (18-bit items are distinct but for 1 in 10^4).
      const target = Array.from(
        { length: L },
        (_, r) => Array.from({ length: W }, (_, w) => at(batch.target, B, W, r, b, w)),
      );
      const same = (first: number[][], second: number[][]) =>
        JSON.stringify(first) === JSON.stringify(second);
      const positions = Array.from({ length: K - 1 }, (_, j) => j).filter((j) =>
        same(item(j), query)
      );
      assert.ok(
        positions.some((position) => same(item(position + 1), target)),
        `batch ${n} sequence ${b}: the target is the item after the query`,
      );
      const distinct = new Set(Array.from({ length: K }, (_, j) => JSON.stringify(item(j))));
      if (distinct.size === K) assert.equal(positions.length, 1);
      queries.add(positions[0]);
      sequenceQueries.push(positions[0]);
      if (b > 0) assert.ok(!same(item(0), itemOf(0, 0)), "each sequence has items of its own");
    }
    if (new Set(sequenceQueries).size > 1) batchesWithQueriesApart++;
  }
  assert.ok(batchesWithQueriesApart > 0, "each sequence draws its own query");
  assert.deepEqual([...itemCounts].sort(), [2, 3, 4, 5, 6]);
  assert.deepEqual([...queries].sort(), [0, 1, 2, 3, 4], "every query position is drawn");
  assert.ok(Math.abs(ones - bits / 2) <= 5 * Math.sqrt(bits / 4), `${ones} ones in ${bits} bits`);
});

Deno.test("prioritySortTask data follows the paper: vectors with priorities in [-1, 1), a delimiter, the highest-priority vectors in order", () => {
  const [B, W, T, S] = [2, 3, 7, 5];
  const params = sortParams(
    `batch_size=${B}`,
    `sequence_width=${W}`,
    `sequence_len=${T}`,
    `sorted_len=${S}`,
  );
  const elements = prioritySortTask.elements(params);
  assert.deepEqual([elements.inputs, elements.outputs], [W + 2, W]);
  let lowest = Infinity, highest = -Infinity;
  for (let n = 1; n <= 100; n++) {
    const batch = generateBatch(elements, 4, n);
    assert.deepEqual([batch.inputSteps, batch.outputSteps, batch.length], [T + 1, S, T]);
    const input = (t: number, b: number, i: number) => at(batch.input, B, W + 2, t, b, i);
    for (let b = 0; b < B; b++) {
      const vectors = Array.from({ length: T }, (_, t) => ({
        bits: Array.from({ length: W }, (_, w) => input(t, b, w)),
        priority: input(t, b, W),
        index: t,
      }));
      for (const { bits, priority, index } of vectors) {
        assert.ok(bits.every((bit) => bit === 0 || bit === 1));
        assert.ok(priority >= -1 && priority < 1, `priority ${priority}`);
        assert.equal(input(index, b, W + 1), 0, "no delimiter before the end");
        lowest = Math.min(lowest, priority);
        highest = Math.max(highest, priority);
      }
      for (let i = 0; i < W + 2; i++) {
        assert.equal(input(T, b, i), i === W + 1 ? 1 : 0, "delimiter step");
      }
      // Sorted here from the input alone: highest priority first, ties in input order.
      const sorted = [...vectors].sort((first, second) =>
        second.priority - first.priority || first.index - second.index
      );
      for (let t = 0; t < S; t++) {
        const target = Array.from({ length: W }, (_, w) => at(batch.target, B, W, t, b, w));
        assert.deepEqual(target, sorted[t].bits, `batch ${n} sequence ${b} output ${t}`);
      }
    }
  }
  assert.ok(lowest < -0.95 && highest > 0.95, `priorities span [-1, 1): ${lowest}..${highest}`);
});

Deno.test("prioritySortTask keeps equal priorities in input order", () => {
  // Batch 46907 of seed 3 draws the same 24-bit priority for vectors 9 (bits 00) and 18 (10).
  const params = sortParams("sequence_len=64", "sorted_len=64", "sequence_width=2");
  const batch = generateBatch(prioritySortTask.elements(params), 3, 46907);
  const priority = (t: number) => at(batch.input, 1, 4, t, 0, 2);
  assert.equal(priority(9), priority(18));
  assert.deepEqual([0, 1].map((w) => at(batch.input, 1, 4, 9, 0, w)), [0, 0]);
  assert.deepEqual([0, 1].map((w) => at(batch.input, 1, 4, 18, 0, w)), [1, 0]);
  // Their rank: the vectors of higher priority come first.
  const rank = Array.from({ length: 64 }, (_, t) => priority(t)).filter((p) => p > priority(9))
    .length;
  assert.deepEqual([0, 1].map((w) => at(batch.target, 1, 2, rank, 0, w)), [0, 0], "vector 9 first");
  assert.deepEqual([0, 1].map((w) => at(batch.target, 1, 2, rank + 1, 0, w)), [1, 0]);
});

Deno.test("dynamicNgramsTask data: each sequence's bits in, the same bits one step later out, trained from step 0", () => {
  const params = ngramParams("batch_size=3", "sequence_len=50", "ngram=4");
  const batch = generateBatch(dynamicNgramsTask.elements(params), 7, 12);
  const { inputSteps, outputSteps, outputStart, length } = batch;
  assert.deepEqual({ inputSteps, outputSteps, outputStart, length }, {
    inputSteps: 49,
    outputSteps: 49,
    outputStart: 0,
    length: 50,
  });
  const sequences = [0, 1, 2].map((b) => ngramSequence(params, 7, 12, b));
  for (let b = 0; b < 3; b++) {
    for (let t = 0; t < 49; t++) {
      assert.equal(at(batch.input, 3, 1, t, b, 0), sequences[b][t], `input (${t}, ${b})`);
      assert.equal(at(batch.target, 3, 1, t, b, 0), sequences[b][t + 1], `target (${t}, ${b})`);
    }
  }
  assert.notDeepEqual(sequences[0], sequences[1]);
  assert.notDeepEqual(ngramSequence(params, 7, 13, 0), sequences[0]);
});

Deno.test("ngramProbability() draws Beta(1/2, 1/2): the arcsine law's mean, variance and quantiles", () => {
  // 40 sequences × 512 contexts: 20,480 draws; the bounds below are 5 standard errors.
  const params = ngramParams("batch_size=40", "ngram=10");
  const values: number[] = [];
  for (let b = 0; b < 40; b++) {
    for (let context = 0; context < 512; context++) {
      const { ones, total } = ngramProbability(params, 3, 5, b, context);
      assert.ok(ones >= 1 && ones < total && total <= 512 * 512, `${ones}/${total}`);
      values.push(ones / total);
    }
  }
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / n;
  // Absolute bounds (rtol 0): each is 5 standard errors of the statistic.
  const close = (actual: number, expected: number, atol: number, what: string) =>
    assert.ok(
      Math.abs(actual - expected) <= atol,
      `${what}: ${actual}, expected ${expected} ± ${atol}`,
    );
  close(mean, 0.5, 5 * Math.sqrt(0.125 / n), "mean");
  // The arcsine law's variance is 1/8; (X − 1/2)² has variance 3/128 − 1/64.
  close(variance, 0.125, 5 * Math.sqrt((3 / 128 - 1 / 64) / n), "variance");
  for (const x of [0.05, 0.25, 0.5, 0.75, 0.95]) {
    const cdf = (2 / Math.PI) * Math.asin(Math.sqrt(x));
    const below = values.filter((value) => value <= x).length / n;
    close(below, cdf, 5 * Math.sqrt(cdf * (1 - cdf) / n), `P(p ≤ ${x})`);
  }
});

Deno.test("ngramSequence() draws each bit with the probability of the N − 1 bits before it", () => {
  const params = ngramParams("sequence_len=60000", "ngram=3");
  const bits = ngramSequence(params, 8, 2, 0);
  const ones = [0, 0, 0, 0], seen = [0, 0, 0, 0];
  // Bit t's context: bit t − 1 in the low place, bit t − 2 above it, zeros before the sequence.
  for (let t = 0; t < bits.length; t++) {
    const context = (t >= 1 ? bits[t - 1] : 0) + 2 * (t >= 2 ? bits[t - 2] : 0);
    seen[context]++;
    ones[context] += bits[t];
  }
  let checked = 0;
  for (let context = 0; context < 4; context++) {
    if (seen[context] < 1000) continue;
    const { ones: numerator, total } = ngramProbability(params, 8, 2, 0, context);
    const p = numerator / total;
    const frequency = ones[context] / seen[context];
    // 5 standard errors, and the 2^-14 steps of the draw.
    const atol = 5 * Math.sqrt(p * (1 - p) / seen[context]) + 2 ** -14;
    assert.ok(
      Math.abs(frequency - p) <= atol,
      `context ${context}: ${frequency} of ${seen[context]} bits, expected ${p} ± ${atol}`,
    );
    checked++;
  }
  assert.ok(checked >= 2, `only ${checked} contexts were seen 1000 times`);
});

Deno.test("optimalPredictions() is the paper's Bayesian estimator: (ones + 1/2) / (seen + 1) after the context", () => {
  const params = ngramParams("batch_size=1", "sequence_len=5", "ngram=2");
  // Bits 1 0 1 1 read; the context is the last bit (0 before the first).
  const batch: TaskBatch = {
    input: Float32Array.of(1, 0, 1, 1),
    target: Float32Array.of(0, 1, 1, 0),
    inputSteps: 4,
    outputSteps: 4,
    outputStart: 0,
    length: 5,
  };
  // After 1: context 1, never seen → 1/2. After 0: context 0 was followed by one 1 → 1.5/2.
  // After 1: context 1 was followed by one 0 → 0.5/2. After 1: context 1 saw a 0 and a 1 → 1.5/3.
  assert.deepEqual(Array.from(optimalPredictions(params, batch)), [0.5, 0.75, 0.25, 0.5]);
  // A window of 2 bits forgets bit 0 (a 1 after context 0) at step 2 and bit 1 (a 0 after
  // context 1) at step 3: the last prediction counts only the 1 read at step 3, 1.5/2.
  assert.deepEqual(Array.from(optimalPredictions(params, batch, 2)), [0.5, 0.75, 0.25, 0.75]);
  assert.deepEqual(optimalPredictions(params, batch, 4), optimalPredictions(params, batch));
  assert.throws(
    () => optimalPredictions(params, batch, 0),
    /^RangeError: Cannot predict a dynamic N-grams batch: the window must be a positive integer or Infinity, got 0$/,
  );
  assert.throws(
    () => optimalPredictions(ngramParams("batch_size=2"), batch),
    /^RangeError: Cannot predict a dynamic N-grams batch: its input and target must each hold \[4, 2, 1\] = 8 values, got 4 and 4$/,
  );
  assert.throws(
    () => optimalPredictions(params, { ...batch, outputStart: 1 }),
    /^RangeError: Cannot predict a dynamic N-grams batch: it must predict from step 0 as many steps as it reads, got inputSteps 4, outputSteps 4, outputStart 1$/,
  );
});

Deno.test("optimalPredictions() counts after the N − 1 bits the generator conditions each bit on", () => {
  // 4-grams: the context of bit t + 1 is bits t, t − 1, t − 2 (weights 1, 2, 4), zeros before 0.
  const params = ngramParams("batch_size=2", "sequence_len=3000", "ngram=4");
  const batch = generateBatch(dynamicNgramsTask.elements(params), 6, 3);
  const predictions = optimalPredictions(params, batch);
  for (let b = 0; b < 2; b++) {
    const bits = ngramSequence(params, 6, 3, b);
    const bitAt = (t: number) => t >= 0 ? bits[t] : 0;
    const context = (t: number) => bitAt(t - 1) + 2 * bitAt(t - 2) + 4 * bitAt(t - 3);
    const ones = new Array(8).fill(0), seen = new Array(8).fill(0);
    for (let t = 0; t + 1 < bits.length; t++) {
      seen[context(t)]++;
      ones[context(t)] += bits[t];
      const next = context(t + 1);
      const expected = Math.fround((ones[next] + 0.5) / (seen[next] + 1));
      assert.equal(predictions[t * 2 + b], expected, `sequence ${b}, prediction of bit ${t + 1}`);
    }
  }
});

Deno.test("repeatCopyNormalisation() gives mean 0 and variance 1 over the uniform repeat range", () => {
  for (const [low, high] of [[1, 10], [1, 1000], [3, 4], [2, 7]]) {
    const { mean, scale } = repeatCopyNormalisation(
      repeatParams(`repeat_min=${low}`, `repeat_max=${high}`),
    );
    const values: number[] = [];
    for (let n = low; n <= high; n++) values.push((n - mean) * scale);
    const average = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - average) ** 2, 0) / values.length;
    assert.ok(Math.abs(average) < 1e-6, `mean ${average} for [${low}, ${high}]`);
    assert.ok(Math.abs(variance - 1) < 1e-6, `variance ${variance} for [${low}, ${high}]`);
  }
  assert.deepEqual(
    repeatCopyNormalisation(repeatParams("repeat_min=4", "repeat_max=4")),
    { mean: 4, scale: 0 },
  );
});

Deno.test("repeatCopyTask evaluation data keeps the trained normalisation of the repeat count", () => {
  const trained = repeatParams("sequence_max_len=4");
  const params = repeatParams("sequence_max_len=4", "repeat_min=3", "repeat_max=3");
  const elements = repeatCopyTask.evaluationElements!(params, trained);
  const batch = generateBatch(elements, 5, 1);
  const { mean, scale } = repeatCopyNormalisation(trained);
  const T = batch.inputSteps - 2;
  assert.equal(batch.outputSteps, 3 * T + 1, "three repeats");
  // Channel W + 1 of the repeat count step: 3 on the scale of the trained range 1..10.
  const count = at(batch.input, 1, 10, T + 1, 0, 9);
  assert.equal(count, Math.fround(Math.fround(3 - mean) * scale));
  assert.ok(Math.abs(count - (3 - 5.5) / Math.sqrt(99 / 12)) < 1e-6, `count ${count}`);
  // The training data of the same params would have normalised it to 0.
  assert.equal(
    at(generateBatch(repeatCopyTask.elements(params), 5, 1).input, 1, 10, T + 1, 0, 9),
    0,
  );
  // Everything else is the data of the evaluation's params.
  const own = generateBatch(repeatCopyTask.elements(params), 5, 1);
  assert.deepEqual(batch.target, own.target);
  assert.equal(copyTask.evaluationElements, undefined, "copy has no trained encoding");
});

Deno.test("generateBatch() is a pure function of seed and batch number", () => {
  for (
    const elements of [
      copyTask.elements(copyParams()),
      repeatCopyTask.elements(repeatParams()),
      associativeRecallTask.elements(recallParams()),
      prioritySortTask.elements(sortParams()),
      dynamicNgramsTask.elements(ngramParams("batch_size=2")),
    ]
  ) {
    const batch = generateBatch(elements, 5, 17);
    assert.deepEqual(generateBatch(elements, 5, 17), batch);
    assert.notDeepEqual(generateBatch(elements, 5, 18).input, batch.input);
    assert.notDeepEqual(generateBatch(elements, 6, 17).input, batch.input);
  }
});

Deno.test("capacity() covers the longest sequence each task can draw", () => {
  const copy = copyParams("sequence_min_len=20");
  const batch = generateBatch(copyTask.elements(copy), 1, 1);
  assert.equal(totalSteps(batch), copyTask.capacity(copy));
  const repeat = repeatParams("sequence_min_len=10", "repeat_min=10");
  const longest = generateBatch(repeatCopyTask.elements(repeat), 1, 1);
  assert.equal(totalSteps(longest), repeatCopyTask.capacity(repeat));
  assert.equal(repeatCopyTask.capacity(repeatParams()), 12 + 101);
  const recall = recallParams("min_items=6");
  const most = generateBatch(associativeRecallTask.elements(recall), 1, 1);
  assert.equal(totalSteps(most), associativeRecallTask.capacity(recall));
  assert.equal(associativeRecallTask.capacity(recallParams()), 6 * 4 + 5 + 3);
  const sort = generateBatch(prioritySortTask.elements(sortParams()), 1, 1);
  assert.equal(totalSteps(sort), prioritySortTask.capacity(sortParams()));
  assert.equal(prioritySortTask.capacity(sortParams()), 20 + 1 + 16);
  const bits = generateBatch(dynamicNgramsTask.elements(ngramParams()), 1, 1);
  assert.equal(totalSteps(bits), dynamicNgramsTask.capacity(ngramParams()));
  assert.equal(dynamicNgramsTask.capacity(ngramParams()), 199);
});

Deno.test("config() builds the reference's NTMs, heads overriding num_heads", () => {
  const copy = copyTask.config(copyParams());
  assert.deepEqual(copy, {
    inputs: 9,
    outputs: 8,
    controllerSize: 100,
    controllerLayers: 1,
    memoryN: 128,
    memoryM: 20,
    heads: ["read", "write"],
    batchSize: 1,
  });
  assert.deepEqual(copyTask.config(copyParams("num_heads=2")).heads, [
    "read",
    "write",
    "read",
    "write",
  ]);
  assert.deepEqual(
    copyTask.config(copyParams("num_heads=2", "heads=write,read,read")).heads,
    ["write", "read", "read"],
  );
  const repeat = repeatCopyTask.config(repeatParams());
  assert.deepEqual([repeat.inputs, repeat.outputs], [10, 9]);
  const recall = associativeRecallTask.config(recallParams());
  assert.deepEqual([recall.inputs, recall.outputs], [8, 6]);
  // Priority sort: the paper's 5 head pairs and learning rate 3e-5 by default.
  const sort = prioritySortTask.config(sortParams());
  assert.deepEqual([sort.inputs, sort.outputs, sort.heads.length], [10, 8, 10]);
  assert.equal(prioritySortTask.optimizer(sortParams()).lr, 3e-5);
  assert.deepEqual(copyTask.optimizer(copyParams("rmsprop_lr=3e-5")), {
    lr: 3e-5,
    alpha: 0.95,
    momentum: 0.9,
    eps: 1e-8,
    clip: 10,
    schedule: [],
  });
  assert.deepEqual(
    copyTask.optimizer(copyParams("rmsprop_lr_schedule=10:1e-5,20:3e-6")).schedule,
    [{ after: 10, lr: 1e-5 }, { after: 20, lr: 3e-6 }],
  );
  // Stored as one text per schedule, so that runs compare by meaning.
  assert.equal(copyParams("rmsprop_lr_schedule=10 : 1e-2").rmsprop_lr_schedule, "10:0.01");
});

Deno.test("resolveParams() and the task checks reject bad params, naming the problem", () => {
  const cases: [string[], RegExp][] = [
    [
      ["bogus=1"],
      /^Cannot set param "bogus": valid params are controller_size, .*, rmsprop_alpha, sequence_width, .*, num_batches$/,
    ],
    [["batch_size"], /^Cannot parse param "batch_size": write it as name=value/],
    [
      ["batch_size=two"],
      /^Cannot set param batch_size=two: it must be an integer ≥ 1 and ≤ 2147483647$/,
    ],
    [
      ["batch_size=1.5"],
      /^Cannot set param batch_size=1.5: it must be an integer ≥ 1 and ≤ 2147483647$/,
    ],
    [["controller_size=-3"], /^Cannot set param controller_size=-3: it must be an integer ≥ 1 and/],
    [["controller_size=3000000000"], /^Cannot set param controller_size=3000000000: it must be an/],
    [["memory_n=2"], /^Cannot set param memory_n=2: it must be an integer ≥ 3 and ≤ 2147483647$/],
    [["rmsprop_lr=0"], /^Cannot set param rmsprop_lr=0: it must be a number > 0$/],
    [["rmsprop_momentum=1"], /must be a number ≥ 0 and < 1$/],
    [["rmsprop_lr=fast"], /^Cannot set param rmsprop_lr=fast: it must be a number > 0$/],
    [["rmsprop_lr=1e999"], /^Cannot set param rmsprop_lr=1e999: it must be a number > 0$/],
    [
      ["rmsprop_lr_schedule=9:1e-5,9:1e-6"],
      /^Cannot set param rmsprop_lr_schedule=9:1e-5,9:1e-6: batch 9 does not come after 9; list the switches in order$/,
    ],
  ];
  for (const [assignments, message] of cases) {
    assert.throws(() => copyParams(...assignments), (error: Error) => {
      assert.ok(error instanceof UsageError, error.message);
      assert.match(error.message, message);
      return true;
    });
  }
  const checked: [() => unknown, RegExp][] = [
    [
      () => copyTask.check(copyParams("sequence_min_len=5", "sequence_max_len=4")),
      /^Cannot set params: sequence_min_len \(5\) must not exceed sequence_max_len \(4\)$/,
    ],
    [
      () => repeatCopyTask.check(repeatParams("repeat_min=3", "repeat_max=2")),
      /repeat_min \(3\) must not exceed repeat_max \(2\)/,
    ],
    [
      () => copyTask.config(copyParams("heads=write,write")),
      /^Cannot build the model: heads must hold at least one read head, got \[write, write\]$/,
    ],
    [() => copyTask.config(copyParams("heads=read,erase")), /"erase" is not a head kind/],
    [
      () => associativeRecallTask.check(recallParams("min_items=5", "max_items=4")),
      /^Cannot set params: min_items \(5\) must not exceed max_items \(4\)$/,
    ],
    [
      () => prioritySortTask.check(sortParams("sequence_len=4", "sorted_len=5")),
      /^Cannot set params: sorted_len \(5\) must not exceed sequence_len \(4\)$/,
    ],
    [
      () => recallParams("min_items=1"),
      /^Cannot set param min_items=1: it must be an integer ≥ 2 and ≤ 65536$/,
    ],
    [
      () =>
        dynamicNgramsTask.check(
          ngramParams("batch_size=100000", "sequence_len=40000", "ngram=12"),
        ),
      /^Cannot set params: batch_size 100000, sequence_len 40000 and ngram 12 need 7276800002 random draws per batch, more than the 2\^32 a stream has; lower one of them$/,
    ],
    [
      () => ngramParams("ngram=13"),
      /^Cannot set param ngram=13: it must be an integer ≥ 1 and ≤ 12$/,
    ],
  ];
  for (const [run, message] of checked) {
    assert.throws(
      run,
      (error: Error) => error instanceof UsageError && message.test(error.message),
    );
  }
  assert.equal(copyParams("rmsprop_lr=3e-5").rmsprop_lr, 3e-5);
  assert.equal(copyParams("batch_size=4", "batch_size=8").batch_size, 8, "the last one wins");
});

function checkTwinDeclarations<S extends TaskSchema>(
  task: TaskDefinition<S>,
  params: ParamValues<S>,
): void {
  const constants = gpuConstants(task, params);
  const source = task.gpu.source;
  const declared = [...source.matchAll(/^override (\w+)\s*:/gm)].map((match) => match[1]);
  assert.deepEqual(
    Object.keys(constants).sort(),
    ["BATCH", "INPUTS", "OUTPUTS", ...declared].sort(),
  );
  for (const fn of ["task_steps", "task_input", "task_target"]) {
    assert.match(source, new RegExp(`\\bfn ${fn}\\(`));
  }
  assert.match(
    source,
    /struct TaskSteps \{ input_steps: u32, output_steps: u32, output_start: u32, length: u32 \}/,
  );
  for (const value of Object.values(constants)) assert.equal(value, Math.fround(value));
}

Deno.test("gpuConstants() gives BATCH, INPUTS, OUTPUTS and every override the task's WGSL declares", () => {
  checkTwinDeclarations(copyTask, copyParams("batch_size=3"));
  checkTwinDeclarations(repeatCopyTask, repeatParams());
  checkTwinDeclarations(associativeRecallTask, recallParams());
  checkTwinDeclarations(prioritySortTask, sortParams());
  checkTwinDeclarations(dynamicNgramsTask, ngramParams());
  assert.equal(gpuConstants(copyTask, copyParams("batch_size=3")).BATCH, 3);
});
