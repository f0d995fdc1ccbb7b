/**
 * Copy-task loss histories of the WebGPU backend against the CPU backend at the task's default size
 * (H 100, N 128, M 20, one head pair, lengths 1–20), where the tests use small shapes: the same
 * seed must give losses within 1e-4 over the first 100 batches. Prints one row per batch size and
 * lanes per batch row (`--lanes 8,128`: by default the adapter's own choice), exits 1 past 1e-4.
 *
 * Run: `deno run -A bench/device/loss_agreement.ts [--sizes 1,32] [--batches 100] [--lanes 8,128]`.
 *
 * @module
 */

import { resolveParams } from "../../lib/cli/params.ts";
import { CpuBackend } from "../../lib/cpu/backend.ts";
import { GpuBackend } from "../../lib/gpu/backend.ts";
import { createGpuContext } from "../../lib/gpu/context.ts";
import { trainingSetup } from "../../lib/train/task.ts";
import { copyTask } from "../../tasks/copy.ts";
import { benchOptions } from "../options.ts";

const TOLERANCE = 1e-4;
const values = benchOptions(
  "Copy-task loss histories of the WebGPU backend against the CPU backend at the default size.",
  {
    sizes: { kind: "integers", default: "1,32", help: "batch sizes" },
    batches: { kind: "integer", default: "100", help: "batches compared per size" },
    lanes: { kind: "integers", help: "lanes per batch row to try (default: the adapter's choice)" },
    seed: { kind: "integer", min: 0, default: "10", help: "seed of the weights and the data" },
  },
);
const { batches, seed } = values;
const laneChoices = values.lanes ?? [undefined];

const context = await createGpuContext();
console.log(`adapter: ${context.adapterName}; seed ${seed}, ${batches} batches`);
console.log("| batch | lanes | max abs loss difference | loss at the last batch | within 1e-4 |");
console.log("| ----: | ----: | ----------------------: | ---------------------: | :---------: |");
let failures = 0;
for (const size of values.sizes) {
  const setup = trainingSetup(
    copyTask,
    resolveParams(copyTask.params, [`batch_size=${size}`]),
    seed,
  );
  const cpu = new CpuBackend(setup);
  const expected = await cpu.train(1, batches);
  cpu.dispose();
  for (const lanes of laneChoices) {
    const gpu = await GpuBackend.create(context, setup, { workgroupSize: lanes });
    const actual = await gpu.train(1, batches);
    gpu.dispose();
    const worst = Math.max(...actual.map((record, i) => Math.abs(record.loss - expected[i].loss)));
    const ok = worst <= TOLERANCE;
    if (!ok) failures++;
    console.log(
      `| ${size} | ${lanes ?? "default"} | ${worst.toExponential(2)} | ` +
        `${actual[batches - 1].loss.toFixed(6)} | ${ok ? "yes" : "NO"} |`,
    );
  }
}
context.device.destroy();
Deno.exit(failures === 0 ? 0 : 1);
