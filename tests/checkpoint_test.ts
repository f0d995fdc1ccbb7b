import assert from "node:assert/strict";
import { type NTMConfig, UsageError } from "../lib/config.ts";
import {
  CHECKPOINT_FORMAT,
  checkpointState,
  readCheckpoint,
  readCheckpointFile,
  writeCheckpoint,
} from "../lib/io/checkpoint.ts";
import { removeTemporaryFiles, temporaryPath, writeFilesAtomic } from "../lib/io/atomic_write.ts";
import { readSafetensors, writeSafetensors } from "../lib/io/safetensors.ts";
import { fromReferenceTensors, initParams, paramLayout } from "../lib/params.ts";
import type { TrainingState } from "../lib/train/backend.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const config: NTMConfig = {
  inputs: 4,
  outputs: 3,
  controllerSize: 5,
  controllerLayers: 2,
  memoryN: 6,
  memoryM: 3,
  heads: ["write", "read", "read"],
  batchSize: 2,
};
const layout = paramLayout(config);

function sampleState(): TrainingState {
  const squareAverage = new Float32Array(layout.trainableSize);
  const momentumBuffer = new Float32Array(layout.trainableSize);
  for (let i = 0; i < layout.trainableSize; i++) {
    squareAverage[i] = i * 1e-3;
    momentumBuffer[i] = -i * 1e-4;
  }
  return { params: initParams(layout, 9), squareAverage, momentumBuffer };
}

const history = { loss: [0.7, NaN, 0.6], cost: [3, 2.5, 2], seq_lengths: [4, 1, 20] };

Deno.test("writeCheckpoint() and readCheckpoint() round-trip params, optimizer state, metadata and history", async () => {
  await withTempDir(async (dir) => {
    const state = sampleState();
    const params = { controller_size: 5, heads: "write,read,read", rmsprop_lr: 1e-4 };
    const path = await writeCheckpoint(dir, layout, {
      task: "copy-task",
      params,
      seed: 77,
      batch: 3,
      backend: "cpu",
      state,
      history,
    });
    assert.equal(path, `${dir}/copy-task-77-batch-3.safetensors`);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((entry) => entry.name).sort(),
      ["copy-task-77-batch-3.json", "copy-task-77-batch-3.safetensors"],
    );
    const loaded = await readCheckpoint(`${dir}/copy-task-77-batch-3`);
    assert.deepEqual(
      [loaded.task, loaded.seed, loaded.batch, loaded.nextBatch, loaded.backend, loaded.params],
      ["copy-task", 77, 3, 4, "cpu", params],
    );
    assert.deepEqual(loaded.history, history);
    const byHistoryPath = await readCheckpoint(`${dir}/copy-task-77-batch-3.json`);
    assert.equal(byHistoryPath.path, path, "the history's path names the checkpoint too");
    const restored = checkpointState(layout, loaded);
    assert.deepEqual(restored, state);

    const file = await readSafetensors(path);
    assert.equal(file.metadata.format, CHECKPOINT_FORMAT);
    assert.equal(file.metadata.format_version, "1");
    assert.equal(file.metadata.next_batch, "4", "the RNG position");
    assert.deepEqual(JSON.parse(file.metadata.config), {
      num_inputs: 4,
      num_outputs: 3,
      controller_size: 5,
      controller_layers: 2,
      memory_n: 6,
      memory_m: 3,
      heads: ["write", "read", "read"],
      batch_size: 2,
    });
    // The reference's state dict, aliases included, loads on its own.
    assert.deepEqual(fromReferenceTensors(layout, file.tensors), state.params);
    for (const k of [0, 1, 2]) assert.ok(file.tensors.has(`heads.${k}.memory.mem_bias`));
    for (const entry of layout.entries) {
      const optimizerNames = [
        `optimizer.square_avg.${entry.name}`,
        `optimizer.momentum_buffer.${entry.name}`,
      ];
      for (const name of optimizerNames) {
        assert.equal(file.tensors.has(name), entry.trainable, name);
        if (entry.trainable) assert.deepEqual(file.tensors.get(name)!.shape, entry.shape);
      }
    }
    const historyJson = JSON.parse(await Deno.readTextFile(`${dir}/copy-task-77-batch-3.json`));
    assert.deepEqual(Object.keys(historyJson), ["loss", "cost", "seq_lengths"]);
    assert.deepEqual(historyJson.loss, [0.7, null, 0.6], "NaN is stored as null");
  });
});

Deno.test("checkpointState() rejects tensors whose shapes do not fit the config", async () => {
  await withTempDir(async (dir) => {
    await writeCheckpoint(dir, layout, {
      task: "copy-task",
      params: {},
      seed: 1,
      batch: 3,
      backend: "cpu",
      state: sampleState(),
      history,
    });
    const loaded = await readCheckpoint(`${dir}/copy-task-1-batch-3.safetensors`);
    const wider = paramLayout({ ...config, memoryM: 4 });
    assert.throws(
      () => checkpointState(wider, loaded),
      (error: Error) =>
        error instanceof UsageError &&
        /^Cannot load checkpoint .*: tensor "controller\.lstm\.weight_ih_l0" has shape \[20,10\], the config needs \[20,12\]$/
          .test(error.message),
    );
    loaded.tensors.delete("optimizer.momentum_buffer.fc.bias");
    assert.throws(
      () => checkpointState(layout, loaded),
      /tensor "optimizer\.momentum_buffer\.fc\.bias" is missing/,
    );
  });
});

Deno.test("readCheckpoint() rejects files that are not complete checkpoints", async () => {
  await withTempDir(async (dir) => {
    const path = await writeCheckpoint(dir, layout, {
      task: "copy-task",
      params: {},
      seed: 1,
      batch: 3,
      backend: "cpu",
      state: sampleState(),
      history,
    });
    const bytes = await Deno.readFile(path);
    const cases: [string, () => Promise<void>, RegExp][] = [
      ["truncated", () => Deno.writeFile(path, bytes.subarray(0, bytes.length - 10)), /truncated/],
      ["corrupt", () => Deno.writeFile(path, new Uint8Array(64).fill(7)), /header claims/],
      [
        "null metadata",
        () => {
          const header = new TextEncoder().encode('{"__metadata__": null}');
          const file = new Uint8Array(8 + header.length);
          new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
          file.set(header, 8);
          return Deno.writeFile(path, file);
        },
        /: "__metadata__" is null, not an object of strings$/,
      ],
      [
        "plain safetensors",
        () => writeSafetensors(path, [], { config: "{}" }),
        /is not a training checkpoint/,
      ],
      [
        "short history",
        async () => {
          await Deno.writeFile(path, bytes);
          await Deno.writeTextFile(
            `${dir}/copy-task-1-batch-3.json`,
            '{"loss":[1],"cost":[1],"seq_lengths":[1]}',
          );
        },
        /"loss" holds 1 entries, the checkpoint reached batch 3/,
      ],
      [
        "missing history",
        () => Deno.remove(`${dir}/copy-task-1-batch-3.json`),
        /history .*copy-task-1-batch-3\.json cannot be read/,
      ],
    ];
    for (const [what, damage, message] of cases) {
      await damage();
      await assert.rejects(() => readCheckpoint(path), (error: Error) => {
        assert.ok(error instanceof UsageError, `${what}: ${error.message}`);
        assert.match(error.message, message, what);
        return true;
      });
    }
    // Without its history the weights file still reads, for evaluation.
    const file = await readCheckpointFile(path);
    assert.equal(file.batch, 3);
    assert.equal("history" in file, false);
  });
});

Deno.test("readCheckpoint() takes next_batch as the RNG position, batch + 1 in files without it", async () => {
  await withTempDir(async (dir) => {
    const path = await writeCheckpoint(dir, layout, {
      task: "copy-task",
      params: {},
      seed: 1,
      batch: 3,
      backend: "cpu",
      state: sampleState(),
      history,
    });
    const file = await readSafetensors(path);
    const rewrite = (metadata: Record<string, string>) =>
      writeSafetensors(path, file.tensors, metadata);
    const { next_batch: _, ...older } = file.metadata;
    await rewrite(older);
    assert.equal((await readCheckpoint(path)).nextBatch, 4);
    for (const nextBatch of ["5", "three"]) {
      await rewrite({ ...file.metadata, next_batch: nextBatch });
      await assert.rejects(() => readCheckpoint(path), (error: Error) => {
        assert.ok(error instanceof UsageError, error.message);
        assert.match(error.message, /^Cannot read checkpoint .*: metadata "next_batch" is /);
        return true;
      });
    }
  });
});

Deno.test("writeCheckpoint() is deterministic and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    const state = sampleState();
    const one = await writeCheckpoint(dir, layout, {
      task: "t",
      params: {},
      seed: 1,
      batch: 1,
      backend: "cpu",
      state,
      history: { loss: [1], cost: [1], seq_lengths: [1] },
    });
    const two = await writeCheckpoint(dir, layout, {
      task: "t",
      params: {},
      seed: 1,
      batch: 1,
      backend: "cpu",
      state,
      history: { loss: [1], cost: [1], seq_lengths: [1] },
    });
    assert.equal(one, two);
    assert.deepEqual(
      await Deno.readFile(one),
      await Deno.readFile(two),
      "writing is deterministic",
    );
    assert.equal(
      [...Deno.readDirSync(dir)].filter((entry) => entry.name.endsWith(".tmp")).length,
      0,
    );
  });
});

Deno.test("writeFilesAtomic() renames only once every file is written, and removeTemporaryFiles() drops this process's", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      () =>
        writeFilesAtomic([
          [`${dir}/first.json`, "{}"],
          [`${dir}/missing/second.bin`, new Uint8Array(4)],
        ]),
      Deno.errors.NotFound,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no file, temporary or final, is left");

    await writeFilesAtomic([[`${dir}/a.json`, "{}"], [`${dir}/b.bin`, new Uint8Array(4)]]);
    await Deno.writeTextFile(temporaryPath(`${dir}/c.safetensors`), "cut short");
    const otherProcess = `other-process.safetensors.${Deno.pid + 1}.tmp`;
    await Deno.writeTextFile(`${dir}/${otherProcess}`, "not ours");
    assert.deepEqual(removeTemporaryFiles(dir), [temporaryPath(`${dir}/c.safetensors`)]);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((entry) => entry.name).sort(),
      ["a.json", "b.bin", otherProcess],
    );
    assert.deepEqual(removeTemporaryFiles(`${dir}/missing`), []);
  });
});
