import assert from "node:assert/strict";
import type { NTMConfig } from "../lib/config.ts";
import { gpuParamLayout, packStore, unpackStore } from "../lib/gpu/ntm/param_layout.ts";
import { ntmShape } from "../lib/gpu/ntm/shape.ts";
import { weightGradientJobs } from "../lib/gpu/ntm/weight_gradients.ts";
import { paramLayout } from "../lib/params.ts";

/** Odd controller sizes put layer boundaries inside quads unless each layer is padded. */
const CONFIGS: NTMConfig[] = [
  [7, 2, ["read", "write"]],
  [9, 3, ["write", "read", "read"]],
  [5, 2, ["read"]],
  [100, 1, ["read", "write"]],
  [6, 2, ["read", "write", "write"]],
].map(([controllerSize, controllerLayers, heads]) => ({
  inputs: 5,
  outputs: 3,
  controllerSize: controllerSize as number,
  controllerLayers: controllerLayers as number,
  memoryN: 8,
  memoryM: 5,
  heads: heads as NTMConfig["heads"],
  batchSize: 2,
}));

const describe = (config: NTMConfig) =>
  `H ${config.controllerSize}, L ${config.controllerLayers}, heads ${config.heads}`;

Deno.test("the update kernel's jobs own whole quads of the store, and every trainable float", () => {
  // Lanes and workgroups of shaders/ntm/weight_gradients.wgsl store into the vec4 view of the
  // gradient, parameter and optimizer stores. WGSL lets a store to one component touch the whole
  // vector, so two invocations must never store into one quad: each column-sum job must start on
  // a quad (a lane stores the 4 floats from its first) and no quad may belong to two jobs.
  for (const config of CONFIGS) {
    const shape = ntmShape(paramLayout(config), 4, 8);
    const owner = new Map<number, string>();
    const written = new Set<number>();
    for (const job of weightGradientJobs(shape)) {
      const quads = new Set<number>();
      if (job.columnSum) {
        assert.equal(job.cOffset % 4, 0, `${describe(config)}: ${job.name} starts inside a quad`);
        for (let i = 0; i < job.m; i++) {
          quads.add(Math.floor((job.cOffset + i) / 4));
          written.add(job.cOffset + i);
        }
      } else {
        assert.equal(job.cStride % 4, 0, `${describe(config)}: ${job.name} has unaligned rows`);
        for (let row = 0; row < job.m; row++) {
          for (let col = 0; col < job.n; col++) {
            quads.add(Math.floor((job.cOffset + row * job.cStride + col) / 4));
            written.add(job.cOffset + row * job.cStride + col);
          }
        }
      }
      for (const quad of quads) {
        const other = owner.get(quad);
        assert.ok(
          other === undefined,
          `${describe(config)}: quad ${quad} belongs to ${other} and ${job.name}`,
        );
        owner.set(quad, job.name);
      }
    }
    // Every trainable float of the reference layout, found through the padded layout.
    const layout = paramLayout(config);
    const positions = new Float32Array(layout.trainableSize).map((_, i) => i + 1);
    const packed = packStore(shape.params, positions, true);
    const covered = [...written].map((index) => packed[index]).filter((value) => value > 0);
    assert.equal(covered.length, layout.trainableSize, describe(config));
    assert.equal(new Set(covered).size, layout.trainableSize, describe(config));
  }
});

Deno.test("gpuParamLayout pads the rows of trainable tensors of 2 or more dimensions to whole quads; packStore round-trips", () => {
  for (const config of CONFIGS) {
    const layout = paramLayout(config);
    const gpu = gpuParamLayout(layout);
    for (const tensor of gpu.tensors) {
      assert.equal(tensor.offset % 4, 0, `${tensor.entry.name} starts on a quad`);
      assert.equal(tensor.rows * tensor.cols, tensor.entry.size, tensor.entry.name);
      assert.equal(tensor.size % 4, 0, `${tensor.entry.name} ends on a quad`);
      if (tensor.entry.trainable && tensor.entry.shape.length > 1) {
        assert.equal(tensor.stride % 4, 0, `${describe(config)}: ${tensor.entry.name}'s rows`);
      }
    }
    const store = new Float32Array(layout.size).map((_, i) => i + 0.5);
    assert.deepEqual(unpackStore(gpu, packStore(gpu, store)), store);
  }
});
