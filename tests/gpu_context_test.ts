import assert from "node:assert/strict";
import {
  createGpuContext,
  GpuKernelError,
  runKernels,
  storageBuffer,
  uniformBuffer,
} from "../lib/gpu/context.ts";
import { shift } from "../lib/gpu/ops/shift.ts";
import { createTestContext } from "./helpers/gpu_context.ts";

const context = await createTestContext();
const ignore = context === null;

Deno.test({
  name: "A binding WebGPU rejects raises a GpuKernelError naming the op and the cause",
  ignore,
  async fn() {
    const gpu = context!;
    // A uniform buffer where the shift binds a storage buffer: createBindGroup's validation fails.
    const weights = { buffer: uniformBuffer(gpu, "uniform weights", new Float32Array(4)) };
    const taps = { buffer: storageBuffer(gpu, "taps", 4 * 3) };
    const shifted = { buffer: storageBuffer(gpu, "shifted", 4 * 4) };
    await assert.rejects(
      shift(gpu, { weights, shift: taps, shifted }, { batch: 1, n: 4 }),
      (error: Error) =>
        error instanceof GpuKernelError &&
        error.message.startsWith('WebGPU kernel "shift" failed: ') &&
        /uniform weights|usage|STORAGE/i.test(error.message),
    );
  },
});

Deno.test({
  name: "A lost device is reported naming the work submitted last",
  ignore,
  async fn() {
    // A context of its own: losing the shared one would fail the other tests of this file.
    const gpu = await createGpuContext();
    const weights = { buffer: storageBuffer(gpu, "weights", 4 * 4) };
    const taps = { buffer: storageBuffer(gpu, "taps", 4 * 3) };
    const shifted = { buffer: storageBuffer(gpu, "shifted", 4 * 4) };
    await runKernels(gpu, [
      await shift(gpu, { weights, shift: taps, shifted }, { batch: 1, n: 4 }),
    ]);
    gpu.device.destroy();
    await gpu.device.lost;
    assert.ok(gpu.lost instanceof GpuKernelError);
    assert.match(gpu.lost.message, /^WebGPU kernel "shift" failed: device lost \(destroyed\)/);
    await assert.rejects(
      runKernels(gpu, []),
      (error: Error) => error === gpu.lost,
    );
  },
});
