/**
 * Copy-task training throughput of the WebGPU backend: default params (H 100, N 128, M 20, one
 * head pair, lengths 1–20) at batch 1, 8 and 32, after a warm-up that compiles the kernels.
 * Prints ms per sequence and sequences per second; `--batches N` sets the measured batches per
 * size (default: 300 sequences' worth, at least 20 batches; sequence lengths are random, so short
 * runs drift from the mean length 10.5), `--sizes 1,8,32` the batch sizes, `--workgroup-size W`
 * the fused kernels' lanes per batch row (default: 8 on a software adapter, 128 on a GPU, more
 * where one step would pass a software adapter's loop limit), `--params 'memory_n=16 …'` other
 * copy-task params (to see which part of the model the time goes to).
 *
 * Run: `deno run -A bench/gpu_throughput.ts`.
 *
 * @module
 */

import { resolveParams } from "../lib/cli/params.ts";
import { GpuBackend } from "../lib/gpu/backend.ts";
import { createGpuContext } from "../lib/gpu/context.ts";
import { type ParamValues, trainingSetup } from "../lib/train/task.ts";
import { type CopyParamSpecs, copyTask } from "../tasks/copy.ts";
import { benchOptions } from "./options.ts";

const values = benchOptions(
  "Copy-task training throughput of the WebGPU backend at the default params, per batch size.",
  {
    batches: {
      kind: "integer",
      help: "measured batches per size (default: 300 sequences' worth, at least 20)",
    },
    sizes: { kind: "integers", default: "1,8,32", help: "batch sizes" },
    "workgroup-size": {
      kind: "integer",
      help: "lanes per batch row (default: the adapter's choice)",
    },
    warmup: { kind: "integer", min: 0, default: "10", help: "untimed batches per size first" },
    params: {
      kind: "params",
      schema: copyTask.params,
      check: (params) => copyTask.check(params as ParamValues<CopyParamSpecs>),
      setElsewhere: { batch_size: "--sizes" },
      default: "",
      help: "copy-task params other than the defaults, e.g. 'memory_n=16 controller_size=20'",
    },
  },
);
const { warmup } = values;
const context = await createGpuContext();
console.log(`adapter: ${context.adapterName}; params: ${values.params.join(" ") || "defaults"}`);
console.log("| batch | ms per batch | ms per sequence | sequences/s | mean length |");
console.log("| ----: | -----------: | --------------: | ----------: | ----------: |");
for (const size of values.sizes) {
  const seed = 1000;
  const params = resolveParams(copyTask.params, [...values.params, `batch_size=${size}`]);
  const backend = await GpuBackend.create(context, trainingSetup(copyTask, params, seed), {
    workgroupSize: values["workgroup-size"],
  });
  const measured = values.batches ?? Math.max(20, Math.round(300 / size));
  await backend.train(1, warmup);
  const start = performance.now();
  const records = await backend.train(warmup + 1, measured);
  const elapsed = performance.now() - start;
  backend.dispose();
  const meanLength = records.reduce((sum, record) => sum + record.length, 0) / records.length;
  const perBatch = elapsed / measured;
  console.log(
    `| ${size} | ${perBatch.toFixed(2)} | ${(perBatch / size).toFixed(3)} | ` +
      `${(1000 * measured * size / elapsed).toFixed(0)} | ${meanLength.toFixed(1)} |`,
  );
}
