import assert from "node:assert/strict";
import { sigmoid, softplus, softplusGrad } from "../lib/cpu/activations.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { activation, activationBackward, type ActivationName } from "../lib/gpu/ops/activation.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-6, rtol: 1e-5 };

/** The CPU twins: f, and f' written in the value the GPU op saves (y or x). */
const reference: Record<
  ActivationName,
  { forward: (x: number) => number; derivative: (x: number, y: number) => number }
> = {
  sigmoid: { forward: sigmoid, derivative: (_x, y) => y * (1 - y) },
  tanh: { forward: Math.tanh, derivative: (_x, y) => 1 - y * y },
  softplus: { forward: softplus, derivative: (x) => softplusGrad(x) },
};

Deno.test({
  name: "activation() and activationBackward() match the CPU activations on ±25",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const name of ["sigmoid", "tanh", "softplus"] as const) {
      for (const count of [1, 63, 65, 1000]) {
        await t.step(`${name} over ${count}`, async () => {
          const x = randomFloats(2, count, count, -25, 25);
          x[0] = 20; // softplus's threshold
          const dy = randomFloats(3, count, count);
          const { forward, derivative } = reference[name];
          const y = x.map(forward);
          const dx = x.map((value, i) => dy[i] * derivative(value, y[i]));
          const xBuffer = storageBuffer(gpu, "x", x);
          const yBuffer = storageBuffer(gpu, "y", count * 4);
          const gotY = await runAndRead(gpu, [
            await activation(gpu, name, { x: { buffer: xBuffer }, y: { buffer: yBuffer } }, count),
          ], yBuffer);
          assertClose(gotY, y, tolerance, `${name} forward`);
          const saved = storageBuffer(gpu, "saved", name === "softplus" ? x : y);
          const dyBuffer = storageBuffer(gpu, "dy", new Float32Array([7, ...dy]));
          const dxBuffer = storageBuffer(gpu, "dx", count * 4);
          const gotDx = await runAndRead(gpu, [
            await activationBackward(gpu, name, {
              saved: { buffer: saved },
              dy: { buffer: dyBuffer, offset: 1 },
              dx: { buffer: dxBuffer },
            }, count),
          ], dxBuffer);
          assertClose(gotDx, dx, tolerance, `${name} backward`);
        });
      }
    }
  },
});

Deno.test({
  name: "activation() rejects an unknown function, a short region and an aliased output",
  ignore,
  async fn() {
    const gpu = context!;
    const buffer = storageBuffer(gpu, "values", 40);
    const other = storageBuffer(gpu, "other", 40);
    await assert.rejects(
      activation(gpu, "relu" as ActivationName, { x: { buffer }, y: { buffer: other } }, 4),
      {
        name: "RangeError",
        message: /unknown activation "relu"; valid are sigmoid, tanh, softplus/,
      },
    );
    await assert.rejects(
      activation(gpu, "tanh", { x: { buffer }, y: { buffer: other, offset: 8 } }, 4),
      { name: "RangeError", message: /activation tanh: y \[4\] needs 4 elements from offset 8/ },
    );
    await assert.rejects(
      activationBackward(gpu, "tanh", {
        saved: { buffer },
        dy: { buffer: other },
        dx: { buffer: other, offset: 5 },
      }, 4),
      { name: "RangeError", message: /dx shares buffer "other" with dy/ },
    );
  },
});
