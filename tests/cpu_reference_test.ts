import assert from "node:assert/strict";
import { bceLoss, bceLossBackward } from "../lib/cpu/loss.ts";
import { CpuNtm } from "../lib/cpu/ntm.ts";
import { rmspropStep } from "../lib/cpu/rmsprop.ts";
import { runFixtureCpu } from "../lib/cpu/run_fixture.ts";
import { workspaceFloats } from "../lib/cpu/tape.ts";
import type { NTMConfig } from "../lib/config.ts";
import { initParams, paramLayout } from "../lib/params.ts";
import { randomBit, randomNormal } from "../lib/random.ts";
import { type SequenceSteps, totalSteps } from "../lib/sequence_steps.ts";
import { compareFixture, type Fixture, loadFixture } from "../lib/verify/fixture.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { assertFixtureAgreement } from "./helpers/fixture_agreement.ts";

const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"];
const fixturePath = (name: string) =>
  new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname;

for (const name of FIXTURES) {
  for (const precision of ["float64", "float32"] as const) {
    Deno.test(`CpuNtm ${precision} reproduces fixture ${name} (steps: up to RMSprop's amplification)`, async () => {
      const fixture = await loadFixture(fixturePath(name));
      assertFixtureAgreement(compareFixture(fixture, runFixtureCpu(fixture, precision)), name);
    });
  }

  Deno.test(`rmspropStep() on the gradients of ${name} reproduces its step1`, async () => {
    const fixture: Fixture = await loadFixture(fixturePath(name));
    const { layout, tensors } = fixture;
    const params = fixture.params.slice();
    const grads = new Float32Array(layout.size);
    for (const entry of layout.entries.filter((entry) => entry.trainable)) {
      grads.set(tensors.get(`grad.${entry.name}`)!.data, entry.offset);
    }
    const state = {
      squareAverage: new Float32Array(layout.trainableSize),
      momentumBuffer: new Float32Array(layout.trainableSize),
    };
    rmspropStep(fixture.optimizer, params, grads, state, layout.trainableSize);
    for (const entry of layout.entries.filter((entry) => entry.trainable)) {
      assertClose(
        params.subarray(entry.offset, entry.offset + entry.size),
        tensors.get(`step1.${entry.name}`)!.data,
        { atol: 1e-6, rtol: 0 },
        `step1.${entry.name}`,
      );
    }
  });
}

/** Relative error ‖analytic − numeric‖ / ‖numeric‖ of every trainable tensor, in float64. */
function gradientCheck(config: NTMConfig, steps: SequenceSteps, seed: number) {
  const { inputSteps, outputSteps } = steps;
  const layout = paramLayout(config);
  const model = new CpuNtm(layout, { capacity: totalSteps(steps), precision: "float64" });
  const params = new Float64Array(initParams(layout, seed));
  // Move away from the initial point so that no gradient is trivially small.
  for (let i = 0; i < layout.trainableSize; i++) params[i] += 0.3 * randomNormal(seed, 7, i);
  const { batchSize: B, inputs: I, outputs: O } = config;
  const input = Float64Array.from({ length: inputSteps * B * I }, (_, i) => randomBit(seed, 8, i));
  const target = Float64Array.from(
    { length: outputSteps * B * O },
    (_, i) => randomBit(seed, 9, i),
  );
  const loss = () => bceLoss(model.forward(params, input, steps), target);
  const dOutputs = new Float64Array(target.length);
  bceLossBackward(model.forward(params, input, steps), target, dOutputs);
  const grads = new Float64Array(layout.size);
  model.backward(params, dOutputs, grads);
  const step = 1e-5;
  const errors: Record<string, number> = {};
  for (const entry of layout.entries.filter((entry) => entry.trainable)) {
    let difference = 0, norm = 0;
    for (let i = entry.offset; i < entry.offset + entry.size; i++) {
      const saved = params[i];
      params[i] = saved + step;
      const above = loss();
      params[i] = saved - step;
      const below = loss();
      params[i] = saved;
      const numeric = (above - below) / (2 * step);
      difference += (numeric - grads[i]) ** 2;
      norm += numeric ** 2;
    }
    errors[entry.name] = Math.sqrt(difference / norm);
  }
  return errors;
}

/** Outputs after 4 input steps, as in every task but dynamic N-grams. */
const ANSWER_AFTER_INPUT: SequenceSteps = { inputSteps: 4, outputSteps: 3, outputStart: 4 };

const gradientConfigs: { label: string; config: NTMConfig; steps: SequenceSteps }[] = [
  {
    label: "heads [write, read, read] and a 2-layer controller",
    config: {
      inputs: 4,
      outputs: 3,
      controllerSize: 6,
      controllerLayers: 2,
      memoryN: 6,
      memoryM: 4,
      heads: ["write", "read", "read"],
      batchSize: 2,
    },
    steps: ANSWER_AFTER_INPUT,
  },
  {
    label: "N = 7 and M = 3",
    config: {
      inputs: 5,
      outputs: 4,
      controllerSize: 8,
      controllerLayers: 1,
      memoryN: 7,
      memoryM: 3,
      heads: ["read", "write"],
      batchSize: 2,
    },
    steps: ANSWER_AFTER_INPUT,
  },
  {
    label: "two writes before a read, batch 3",
    config: {
      inputs: 3,
      outputs: 2,
      controllerSize: 5,
      controllerLayers: 1,
      memoryN: 5,
      memoryM: 2,
      heads: ["write", "write", "read"],
      batchSize: 3,
    },
    steps: ANSWER_AFTER_INPUT,
  },
  {
    label: "outputs trained from step 1 while the input runs to step 4",
    config: {
      inputs: 2,
      outputs: 2,
      controllerSize: 5,
      controllerLayers: 1,
      memoryN: 5,
      memoryM: 3,
      heads: ["read", "write"],
      batchSize: 2,
    },
    steps: { inputSteps: 5, outputSteps: 5, outputStart: 1 },
  },
  {
    label: "an output at every input step (dynamic N-grams' phases), batch 3",
    config: {
      inputs: 1,
      outputs: 1,
      controllerSize: 5,
      controllerLayers: 1,
      memoryN: 5,
      memoryM: 2,
      heads: ["write", "read"],
      batchSize: 3,
    },
    steps: { inputSteps: 5, outputSteps: 5, outputStart: 0 },
  },
];

Deno.test("CpuNtm.forward() rejects steps no sequence can have, naming them", () => {
  const layout = paramLayout(gradientConfigs[0].config);
  const model = new CpuNtm(layout, { capacity: 10 });
  const params = initParams(layout, 1);
  const input = new Float32Array(4 * 2 * 4);
  const cases: [SequenceSteps, RegExp][] = [
    [
      { inputSteps: 4, outputSteps: 3, outputStart: 5 },
      /^RangeError: Cannot run the forward pass: 0 ≤ outputStart ≤ inputSteps ≤ outputStart \+ outputSteps must hold, got inputSteps 4, outputSteps 3, outputStart 5$/,
    ],
    [
      { inputSteps: 4, outputSteps: 1, outputStart: 2 },
      /outputStart \+ outputSteps must hold, got inputSteps 4, outputSteps 1, outputStart 2$/,
    ],
    [
      { inputSteps: 4, outputSteps: 0, outputStart: 4 },
      /^RangeError: Cannot run the forward pass: it needs at least one input and one output step/,
    ],
    [
      { inputSteps: 4, outputSteps: 2.5, outputStart: 4 },
      /^RangeError: Cannot run the forward pass: the steps must be integers, got inputSteps 4, outputSteps 2.5, outputStart 4$/,
    ],
  ];
  for (const [steps, message] of cases) {
    assert.throws(() => model.forward(params, input, steps), message);
  }
  // JavaScript callers may leave it out.
  const unspecified = { inputSteps: 4, outputSteps: 3 } as unknown as SequenceSteps;
  assert.throws(
    () => model.forward(params, input, unspecified),
    /^RangeError: Cannot run the forward pass: the steps have no outputStart; give inputSteps \(4\) when the outputs follow the input, or 0 when they are trained from the first step$/,
  );
});

Deno.test("CpuNtm refuses a workspace larger than this machine's memory before allocating it", () => {
  const config = { ...gradientConfigs[0].config, batchSize: 1000 };
  const layout = paramLayout(config);
  const capacity = 2 ** 31;
  assert.ok(workspaceFloats(config, capacity) * 4 > Deno.systemMemoryInfo().total);
  assert.throws(
    () => new CpuNtm(layout, { capacity }),
    /^RangeError: Cannot build a CPU NTM for 2147483648 steps at batch 1000: its workspace needs \d+\.\d GiB, more than this machine's \d+\.\d GiB of memory$/,
  );
});

for (const { label, config, steps } of gradientConfigs) {
  Deno.test(`CpuNtm.backward() matches finite differences within 1e-6 with ${label}`, () => {
    const errors = gradientCheck(config, steps, 11);
    const bad = Object.entries(errors).filter(([, error]) => !(error <= 1e-6));
    assert.deepEqual(bad, [], `relative errors: ${JSON.stringify(errors)}`);
  });
}
