import assert from "node:assert/strict";
import { resolveParams } from "../lib/cli/params.ts";
import { CpuBackend } from "../lib/cpu/backend.ts";
import { referenceRmsprop, settingsAt } from "../lib/cpu/rmsprop.ts";
import { rmspropUniform } from "../lib/gpu/ntm/rmsprop.ts";
import {
  describeLrSchedule,
  formatLrSchedule,
  learningRateAt,
  parseLrSchedule,
  readLrSchedule,
} from "../lib/train/lr_schedule.ts";
import { trainingSetup } from "../lib/train/task.ts";
import { copyTask } from "../tasks/copy.ts";

Deno.test("parseLrSchedule() reads BATCH:LR switches and names what is wrong", () => {
  assert.deepEqual(parseLrSchedule(""), []);
  assert.deepEqual(parseLrSchedule(" 200000:1e-5, 300000 : 3e-6 "), [
    { after: 200000, lr: 1e-5 },
    { after: 300000, lr: 3e-6 },
  ]);
  const cases: [string, RegExp][] = [
    [
      "x",
      /^"x" is not BATCH:LR with BATCH from 1 to 2147483647; write comma-separated BATCH:LR switches/,
    ],
    ["0:1e-5", /^"0:1e-5" is not BATCH:LR/],
    ["5:0", /^"5:0" is not BATCH:LR/],
    ["5:-1e-5", /^"5:-1e-5" is not BATCH:LR/],
    ["5:1e999", /^"5:1e999" is not BATCH:LR/],
    ["5:1e-5:2", /^"5:1e-5:2" is not BATCH:LR/],
    ["5:1e-5,", /^it has an empty switch; write comma-separated BATCH:LR switches/],
    [" , ", /^it has an empty switch/],
    ["2147483648:1e-5", /^"2147483648:1e-5" is not BATCH:LR with BATCH from 1 to 2147483647; /],
    ["5:1e-5,5:1e-6", /^batch 5 does not come after 5; list the switches in order$/],
    ["1:1,2:1,3:1,4:1,5:1,6:1,7:1,8:1,9:1", /^it has 9 switches, at most 8 are allowed$/],
  ];
  for (const [text, problem] of cases) {
    const read = readLrSchedule(text);
    assert.ok(typeof read === "string", text);
    assert.match(read, problem, text);
    assert.throws(
      () => parseLrSchedule(text),
      (error: Error) =>
        error instanceof RangeError &&
        error.message.startsWith(`Cannot parse the learning-rate schedule "${text}": `),
    );
  }
});

Deno.test("formatLrSchedule() gives one text per schedule; describeLrSchedule() the rates by batch", () => {
  assert.equal(formatLrSchedule(parseLrSchedule(" 3 : 1e-2,5:2E-3 ")), "3:0.01,5:0.002");
  assert.equal(formatLrSchedule([]), "");
  const schedule = parseLrSchedule("3:1e-2,5:2e-3,100:1");
  assert.equal(
    describeLrSchedule(1e-4, schedule, 1, 6),
    "0.0001 for batches 1–3, 0.01 for 4–5, 0.002 for 6; the switch after batch 100 comes after " +
      "num_batches (6)",
  );
  assert.equal(
    describeLrSchedule(1e-4, schedule, 5, 200),
    "0.01 for batch 5, 0.002 for 6–100, 1 for 101–200",
  );
  assert.equal(
    describeLrSchedule(1e-4, parseLrSchedule("10:1,20:2"), 1, 5),
    "0.0001 for batches 1–5; the switches after batch 10, 20 come after num_batches (5)",
  );
});

Deno.test("learningRateAt() switches after the given batches; settingsAt() applies it", () => {
  const schedule = parseLrSchedule("3:1e-3,5:1e-5");
  const rates = [1, 2, 3, 4, 5, 6, 7].map((batch) => learningRateAt(1e-4, schedule, batch));
  assert.deepEqual(rates, [1e-4, 1e-4, 1e-4, 1e-3, 1e-3, 1e-5, 1e-5]);
  const settings = { ...referenceRmsprop(1e-4), schedule };
  assert.equal(settingsAt(settings, 3), settings);
  assert.deepEqual(settingsAt(settings, 4), { ...settings, lr: 1e-3 });
  assert.equal(settingsAt(referenceRmsprop(1e-4), 10 ** 9).lr, 1e-4);
});

Deno.test("rmspropUniform() lays the switches out as shaders/ntm/rmsprop.wgsl reads them", () => {
  // (A parsed schedule stops at batch 2^31 − 1; the uniform takes any switches.)
  const settings = {
    ...referenceRmsprop(1e-4),
    schedule: [{ after: 3, lr: 1e-3 }, { after: 5e9, lr: 2 }],
  };
  const uniform = rmspropUniform(settings);
  const words = new Uint32Array(uniform.buffer);
  assert.equal(uniform.byteLength, 96);
  assert.deepEqual(
    Array.from(uniform.subarray(0, 6)),
    [1e-4, 0.95, 0.05, 0.9, 1e-8, 10].map(Math.fround),
  );
  assert.equal(words[6], 2);
  // A switch past 2^32 − 1, where the GPU's batch counter ends, never comes.
  assert.deepEqual(Array.from(words.subarray(8, 10)), [3, 0xffff_ffff]);
  assert.deepEqual(Array.from(uniform.subarray(16, 18)), [Math.fround(1e-3), 2]);
  assert.throws(
    () => rmspropUniform({ ...settings, schedule: Array(9).fill({ after: 1, lr: 1 }) }),
    /^RangeError: Cannot build the RMSprop uniform: the schedule has 9 switches, at most 8 fit$/,
  );
});

const SMALL = ["controller_size=8", "memory_n=8", "memory_m=4", "sequence_max_len=4"];

Deno.test("A scheduled CPU run trains like a run resumed at the switch with the new rmsprop_lr", async () => {
  const scheduled = new CpuBackend(
    trainingSetup(
      copyTask,
      resolveParams(copyTask.params, [...SMALL, "rmsprop_lr_schedule=3:1e-2"]),
      5,
    ),
  );
  const before = new CpuBackend(trainingSetup(copyTask, resolveParams(copyTask.params, SMALL), 5));
  const plain = new CpuBackend(trainingSetup(copyTask, resolveParams(copyTask.params, SMALL), 5));
  try {
    const expected = [...await before.train(1, 3)];
    const state = await before.readState();
    const after = new CpuBackend(
      trainingSetup(
        copyTask,
        resolveParams(copyTask.params, [...SMALL, "rmsprop_lr=1e-2"]),
        5,
        () => state,
      ),
    );
    expected.push(...await after.train(4, 3));
    after.dispose();
    const actual = await scheduled.train(1, 6);
    assert.deepEqual(actual, expected);
    // The switch matters: without it batch 6 trains differently.
    const unscheduled = await plain.train(1, 6);
    assert.deepEqual(unscheduled.slice(0, 4), actual.slice(0, 4));
    assert.notEqual(unscheduled[5].loss, actual[5].loss);
  } finally {
    scheduled.dispose();
    before.dispose();
    plain.dispose();
  }
});
