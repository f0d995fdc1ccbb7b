import assert from "node:assert/strict";
import { headPairs, type NTMConfig } from "../lib/config.ts";
import { CpuBackend } from "../lib/cpu/backend.ts";
import type { Floats } from "../lib/cpu/floats.ts";
import { plainKernels } from "../lib/cpu/linear_kernels.ts";
import { lstmCellForward } from "../lib/cpu/lstm.ts";
import { plainMemoryKernels } from "../lib/cpu/memory_kernels.ts";
import { referenceRmsprop, rmspropStep } from "../lib/cpu/rmsprop.ts";
import { runFixtureCpu } from "../lib/cpu/run_fixture.ts";
import { WasmKernels, wasmSimdAvailable } from "../lib/cpu/wasm_kernels.ts";
import { initParams, paramLayout } from "../lib/params.ts";
import { randomBit, randomUniform } from "../lib/random.ts";
import { freshState } from "../lib/train/backend.ts";
import { compareFixture, loadFixture } from "../lib/verify/fixture.ts";
import { signedLeb128, unsignedLeb128 } from "../lib/wasm/encoding.ts";
import { FloatArena, measureArena } from "../lib/wasm/float_arena.ts";
import { FunctionBuilder } from "../lib/wasm/function_builder.ts";
import { f32, f32x4, get } from "../lib/wasm/instructions.ts";
import { assertClose, type Tolerance } from "./helpers/assert_close.ts";
import { assertFixtureAgreement } from "./helpers/fixture_agreement.ts";

/** float32 sums of up to a few hundred products of values in [-1, 1]. */
const SUMS: Tolerance = { atol: 1e-5, rtol: 1e-5 };
const SEED = 5;

/** An array of `length` uniform values in `[-scale, scale)` from stream `stream`. */
function seeded(kernels: WasmKernels, length: number, stream: number, scale = 1): Float32Array {
  const array = kernels.allocate(length) as Float32Array;
  for (let i = 0; i < length; i++) array[i] = scale * (2 * randomUniform(SEED, stream, i) - 1);
  return array;
}

/** A plain copy of an array in the kernels' memory, for the reference to work on. */
const plainCopy = (array: Floats) => Float32Array.from(array);

Deno.test("unsignedLeb128() and signedLeb128() encode the WebAssembly spec's examples", () => {
  assert.deepEqual(unsignedLeb128(0), [0x00]);
  assert.deepEqual(unsignedLeb128(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(unsignedLeb128(0xffff_ffff), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(signedLeb128(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(signedLeb128(63), [0x3f]);
  assert.deepEqual(signedLeb128(64), [0xc0, 0x00]);
  assert.deepEqual(signedLeb128(-64), [0x40]);
  assert.deepEqual(signedLeb128(-65), [0xbf, 0x7f]);
});

Deno.test("Wasm instruction builders refuse operands of the wrong type", () => {
  const fn = new FunctionBuilder("bad", { count: "i32" });
  assert.throws(
    () => f32x4.add(f32x4.splat(f32.const(1)), get(fn.params.count)),
    /Cannot build f32x4.add: operand 2 is i32, expected v128/,
  );
  assert.throws(
    () => fn.emit(f32.const(1)),
    /Cannot emit a statement in bad: it leaves a f32 on the stack/,
  );
  const noResult = new FunctionBuilder("noResult", {}, "f32");
  assert.throws(() => noResult.encodeCode(), /Cannot encode noResult: it declares a result/);
});

Deno.test("wasmSimdAvailable() is true on this Deno", () => {
  assert.equal(wasmSimdAvailable(), true);
});

const linearShapes = [
  { rows: 400, cols: 129, count: 1 },
  { rows: 400, cols: 100, count: 22 },
  { rows: 66, cols: 100, count: 8 },
  { rows: 7, cols: 13, count: 3 },
  { rows: 17, cols: 35, count: 5 },
  { rows: 5, cols: 3, count: 2 },
  { rows: 1, cols: 1, count: 1 },
];

for (const { rows, cols, count } of linearShapes) {
  const shape = `${rows}x${cols}, count ${count}`;
  Deno.test(`WasmKernels linear kernels match plainKernels on ${shape}`, async (t) => {
    const kernels = new WasmKernels(1 << 22);
    const W = seeded(kernels, rows * cols, 1), x = seeded(kernels, count * cols, 2);
    const dy = seeded(kernels, count * rows, 3);

    await t.step("matVecAdd() accumulates into a non-zero out", () => {
      const out = seeded(kernels, count * rows, 4), expected = plainCopy(out);
      plainKernels.matVecAdd(expected, W, x, rows, cols, count);
      kernels.matVecAdd(out, W, x, rows, cols, count);
      assertClose(out, expected, SUMS, `matVecAdd ${shape}`);
    });
    await t.step("matTVecAdd() accumulates into a non-zero dx", () => {
      const dx = seeded(kernels, count * cols, 5), expected = plainCopy(dx);
      plainKernels.matTVecAdd(expected, W, dy, rows, cols, count);
      kernels.matTVecAdd(dx, W, dy, rows, cols, count);
      assertClose(dx, expected, SUMS, `matTVecAdd ${shape}`);
    });
    await t.step("outerAdd() accumulates into a non-zero dW", () => {
      const dW = seeded(kernels, rows * cols, 6), expected = plainCopy(dW);
      plainKernels.outerAdd(expected, dy, x, rows, cols, count);
      kernels.outerAdd(dW, dy, x, rows, cols, count);
      assertClose(dW, expected, SUMS, `outerAdd ${shape}`);
    });
  });
}

const memoryShapes = [{ N: 128, M: 20 }, { N: 7, M: 5 }, { N: 6, M: 3 }, { N: 1, M: 1 }];

for (const { N, M } of memoryShapes) {
  Deno.test(`WasmKernels memory kernels match plainMemoryKernels on N ${N}, M ${M}`, async (t) => {
    const kernels = new WasmKernels(1 << 20);
    const plain = plainMemoryKernels;
    const memory = seeded(kernels, N * M, 1);
    // A zero row exercises the cosine's clamped denominator.
    if (N > 1) memory.fill(0, 0, M);
    const key = seeded(kernels, M, 2), beta = 3.5;
    const w = kernels.allocate(N);
    for (let i = 0; i < N; i++) w[i] = randomUniform(SEED, 3, i) / N;

    await t.step("contentForward() writes the same similarity, norms and weighting", () => {
      const similarity = kernels.allocate(N), rowNorms = kernels.allocate(N);
      const wc = kernels.allocate(N);
      const expected = [new Float32Array(N), new Float32Array(N), new Float32Array(N)];
      plain.contentForward(memory, key, beta, N, M, expected[0], expected[1], expected[2]);
      kernels.contentForward(memory, key, beta, N, M, similarity, rowNorms, wc);
      assertClose(similarity, expected[0], SUMS, "similarity");
      assertClose(rowNorms, expected[1], SUMS, "rowNorms");
      assertClose(wc, expected[2], SUMS, "wc");
    });
    await t.step("contentBackward() adds the same gradients and returns the same dBeta", () => {
      const similarity = kernels.allocate(N), rowNorms = kernels.allocate(N);
      const wc = kernels.allocate(N);
      plain.contentForward(memory, key, beta, N, M, similarity, rowNorms, wc);
      const dwc = seeded(kernels, N, 4), dMemory = seeded(kernels, N * M, 5);
      const dKey = seeded(kernels, M, 6);
      const expectedMemory = plainCopy(dMemory), expectedKey = plainCopy(dKey);
      const expectedBeta = plain.contentBackward(
        memory,
        key,
        beta,
        N,
        M,
        similarity,
        rowNorms,
        wc,
        dwc,
        expectedMemory,
        expectedKey,
      );
      const dBeta = kernels.contentBackward(
        memory,
        key,
        beta,
        N,
        M,
        similarity,
        rowNorms,
        wc,
        dwc,
        dMemory,
        dKey,
      );
      assertClose([dBeta], [expectedBeta], SUMS, "dBeta");
      assertClose(dMemory, expectedMemory, SUMS, "dMemory");
      assertClose(dKey, expectedKey, SUMS, "dKey");
    });
    await t.step("readForward() overwrites the read", () => {
      const read = seeded(kernels, M, 7), expected = new Float32Array(M);
      plain.readForward(memory, w, N, M, expected);
      kernels.readForward(memory, w, N, M, read);
      assertClose(read, expected, SUMS, "read");
    });
    await t.step("readBackward() adds to dw and dMemory", () => {
      const dRead = seeded(kernels, M, 8), dw = seeded(kernels, N, 9);
      const dMemory = seeded(kernels, N * M, 10);
      const expectedW = plainCopy(dw), expectedMemory = plainCopy(dMemory);
      plain.readBackward(memory, w, N, M, dRead, expectedW, expectedMemory);
      kernels.readBackward(memory, w, N, M, dRead, dw, dMemory);
      assertClose(dw, expectedW, SUMS, "dw");
      assertClose(dMemory, expectedMemory, SUMS, "dMemory");
    });
    const erase = kernels.allocate(M);
    for (let m = 0; m < M; m++) erase[m] = randomUniform(SEED, 11, m);
    const add = seeded(kernels, M, 12);
    await t.step("writeForward() writes the memory after", () => {
      const after = kernels.allocate(N * M), expected = new Float32Array(N * M);
      plain.writeForward(memory, w, erase, add, N, M, expected);
      kernels.writeForward(memory, w, erase, add, N, M, after);
      assertClose(after, expected, SUMS, "after");
    });
    await t.step("writeBackward() replaces dMemory and adds to dw, dErase and dAdd", () => {
      const dMemory = seeded(kernels, N * M, 13), dw = seeded(kernels, N, 14);
      const dErase = seeded(kernels, M, 15), dAdd = seeded(kernels, M, 16);
      const expected = [dMemory, dw, dErase, dAdd].map(plainCopy);
      plain.writeBackward(
        memory,
        w,
        erase,
        add,
        N,
        M,
        ...expected as [
          Floats,
          Floats,
          Floats,
          Floats,
        ],
      );
      kernels.writeBackward(memory, w, erase, add, N, M, dMemory, dw, dErase, dAdd);
      assertClose(dMemory, expected[0], SUMS, "dMemory");
      assertClose(dw, expected[1], SUMS, "dw");
      assertClose(dErase, expected[2], SUMS, "dErase");
      assertClose(dAdd, expected[3], SUMS, "dAdd");
    });
  });
}

for (const { H, B } of [{ H: 100, B: 1 }, { H: 7, B: 3 }]) {
  Deno.test(`WasmKernels.lstmCellForward() matches lstmCellForward() on H ${H}, B ${B}`, () => {
    const kernels = new WasmKernels(1 << 16);
    // Pre-activations in [-12, 12), so both tails of sigmoid and tanh are covered.
    const gates = seeded(kernels, B * 4 * H, 1, 12), cPrev = seeded(kernels, B * H, 2, 3);
    const [c, tanhC, h] = [0, 1, 2].map(() => kernels.allocate(B * H));
    const expectedGates = plainCopy(gates);
    const expected = [0, 1, 2].map(() => new Float32Array(B * H));
    lstmCellForward(expectedGates, cPrev, H, B, expected[0], expected[1], expected[2]);
    kernels.lstmCellForward(gates, cPrev, H, B, c, tanhC, h);
    const tolerance = { atol: 1e-6, rtol: 1e-6 };
    assertClose(gates, expectedGates, tolerance, "gates");
    assertClose(c, expected[0], tolerance, "c");
    assertClose(tanhC, expected[1], tolerance, "tanhC");
    assertClose(h, expected[2], tolerance, "h");
  });
}

Deno.test("WasmKernels.rmspropStep() matches rmspropStep() on 63 parameters", () => {
  const kernels = new WasmKernels(1 << 16), count = 63;
  const settings = referenceRmsprop(1e-3);
  const params = seeded(kernels, count, 1), grads = seeded(kernels, count, 2, 20);
  const state = {
    squareAverage: kernels.allocate(count),
    momentumBuffer: seeded(kernels, count, 3),
  };
  for (let i = 0; i < count; i++) state.squareAverage[i] = randomUniform(SEED, 4, i);
  const expectedParams = plainCopy(params);
  const expectedState = {
    squareAverage: plainCopy(state.squareAverage),
    momentumBuffer: plainCopy(state.momentumBuffer),
  };
  rmspropStep(settings, expectedParams, grads, expectedState, count);
  kernels.rmspropStep(settings, params, grads, state, count);
  const tolerance = { atol: 1e-6, rtol: 1e-6 };
  assertClose(params, expectedParams, tolerance, "params");
  assertClose(state.squareAverage, expectedState.squareAverage, tolerance, "squareAverage");
  assertClose(state.momentumBuffer, expectedState.momentumBuffer, tolerance, "momentumBuffer");
});

Deno.test("WasmKernels refuses arrays outside its memory and shapes longer than an array", () => {
  const kernels = new WasmKernels(1 << 16);
  const inside = kernels.allocate(12);
  assert.throws(
    () => kernels.matVecAdd(inside, new Float32Array(12), inside, 3, 4, 1),
    /Cannot run matVecAdd: "W" is not a Float32Array in the Wasm kernels' memory/,
  );
  assert.throws(
    () => kernels.outerAdd(inside, inside, inside, 4, 4, 1),
    /Cannot run outerAdd: "dW" holds 12 floats, the shape needs 16/,
  );
});

Deno.test("FloatArena hands out aligned zeroed views and refuses to overflow", () => {
  const build = (allocate: (length: number) => Float32Array) => [allocate(3), allocate(5)];
  const bytes = measureArena(build);
  assert.equal(bytes, 16 + 32);
  const arena = new FloatArena(bytes);
  const [first, second] = build(arena.allocate);
  assert.equal(first.byteOffset, 0);
  assert.equal(second.byteOffset, 16);
  assert.deepEqual([...second], [0, 0, 0, 0, 0]);
  assert.throws(
    () => arena.allocate(65536 / 4),
    /Cannot allocate 16384 floats: the Wasm arena holds 65536 bytes and 48 are used/,
  );
});

const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"];

for (const name of FIXTURES) {
  Deno.test(`CpuNtm with WasmKernels reproduces fixture ${name} (steps: up to RMSprop's amplification)`, async () => {
    const fixture = await loadFixture(
      new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname,
    );
    const kernels = new WasmKernels(1 << 24);
    const run = runFixtureCpu(fixture, "float32", {
      kernels,
      allocate: kernels.allocate,
    });
    assertFixtureAgreement(compareFixture(fixture, run), name);
  });
}

Deno.test("CpuBackend with Wasm kernels trains like the plain one and says so", async () => {
  const config: NTMConfig = {
    inputs: 5,
    outputs: 4,
    controllerSize: 12,
    controllerLayers: 1,
    memoryN: 10,
    memoryM: 6,
    heads: headPairs(1),
    batchSize: 2,
  };
  const layout = paramLayout(config);
  const T = 3;
  const setup = {
    layout,
    optimizer: referenceRmsprop(1e-4),
    capacity: 2 * T + 1,
    seed: SEED,
    batch: (n: number) => ({
      input: Float32Array.from({ length: (T + 1) * 2 * 5 }, (_, i) => randomBit(SEED, n, i)),
      target: Float32Array.from({ length: T * 2 * 4 }, (_, i) => randomBit(SEED, n, 1000 + i)),
      inputSteps: T + 1,
      outputSteps: T,
      outputStart: T + 1,
      length: T,
    }),
    initial: freshState(layout, initParams(layout, SEED)),
  };
  const wasm = new CpuBackend(setup, { kernels: "wasm" });
  const plain = new CpuBackend(setup, { kernels: "plain" });
  assert.match(wasm.description, /WebAssembly SIMD/);
  assert.match(plain.description, /plain TypeScript/);
  assert.match(new CpuBackend(setup).description, /WebAssembly SIMD/);
  const losses = async (backend: CpuBackend) =>
    (await backend.train(1, 5)).map((record) => record.loss);
  assertClose(await losses(wasm), await losses(plain), { atol: 1e-5, rtol: 0 }, "losses");
  const [wasmState, plainState] = [await wasm.readState(), await plain.readState()];
  assertClose(wasmState.params, plainState.params, { atol: 1e-5, rtol: 0 }, "params");
});
