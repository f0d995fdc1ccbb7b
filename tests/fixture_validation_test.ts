import assert from "node:assert/strict";
import { UsageError } from "../lib/config.ts";
import {
  encodeSafetensors,
  readSafetensors,
  type Safetensors,
  type Tensor,
} from "../lib/io/safetensors.ts";
import { fixtureFromSafetensors } from "../lib/verify/fixture.ts";
import { runScript } from "./helpers/run_deno.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const FIXTURE = new URL("./fixtures/repeat_copy_shape.safetensors", import.meta.url).pathname;
const VERIFY = new URL("../lib/cli/verify_reference.ts", import.meta.url).pathname;

/** The fixture with its config changed by `edit` and its tensors by `tensors`. */
function damaged(
  file: Safetensors,
  edit: (config: Record<string, unknown>) => unknown,
  tensors: (map: Map<string, Tensor>) => void = () => {},
): Safetensors {
  const config = JSON.parse(file.metadata.config);
  const edited = edit(config);
  const map = new Map(file.tensors);
  tensors(map);
  return {
    tensors: map,
    metadata: { ...file.metadata, config: JSON.stringify(edited === undefined ? config : edited) },
  };
}

const drop = (name: string) => (map: Map<string, Tensor>) => map.delete(name);
const reshape = (name: string, shape: number[]) => (map: Map<string, Tensor>) =>
  map.set(name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
const keepConfig = () => {};

Deno.test("fixtureFromSafetensors() names each malformed config field and tensor", async (t) => {
  const file = await readSafetensors(FIXTURE);
  const source = "bad.safetensors";
  const prefix = "^Cannot load fixture bad\\.safetensors: ";
  const cases: [string, Safetensors, string][] = [
    [
      "config null",
      damaged(file, () => null),
      "config is null, not a JSON object$",
    ],
    [
      "heads not a list",
      damaged(file, (config) => {
        config.heads = "read,write";
      }),
      'config "heads" is "read,write", not a list of "read" and "write"$',
    ],
    [
      "heads with another kind",
      damaged(file, (config) => {
        config.heads = ["read", "erase"];
      }),
      'config "heads" is \\["read","erase"\\], not a list',
    ],
    [
      "missing T_in",
      damaged(file, (config) => {
        delete config.T_in;
      }),
      'config "T_in" is missing, not an integer ≥ 1$',
    ],
    [
      "T_out not an integer",
      damaged(file, (config) => {
        config.T_out = 2.5;
      }),
      'config "T_out" is 2\\.5, not an integer ≥ 1$',
    ],
    [
      "memory_n a string",
      damaged(file, (config) => {
        config.memory_n = "64";
      }),
      'config "memory_n" is "64", not an integer ≥ 3$',
    ],
    [
      "rmsprop without eps",
      damaged(file, (config) => {
        delete (config.rmsprop as Record<string, unknown>).eps;
      }),
      'config "rmsprop\\.eps" is missing, not a number$',
    ],
    [
      "T_in not matching the input",
      damaged(file, (config) => {
        config.T_in = 4;
      }),
      'tensor "input" has shape \\[5,2,10\\], the config needs \\[4,2,10\\]$',
    ],
    [
      "T_out not matching the target",
      damaged(file, (config) => {
        config.T_out = 6;
      }),
      'tensor "target" has shape \\[7,2,9\\], the config needs \\[6,2,9\\]$',
    ],
    ["missing output", damaged(file, keepConfig, drop("output")), 'tensor "output" is missing$'],
    ["missing loss", damaged(file, keepConfig, drop("loss")), 'tensor "loss" is missing$'],
    ["missing w.1", damaged(file, keepConfig, drop("w.1")), 'tensor "w\\.1" is missing$'],
    [
      "w.0 of the wrong shape",
      damaged(file, keepConfig, reshape("w.0", [12, 2, 63])),
      'tensor "w\\.0" has shape \\[12,2,63\\], the config needs \\[12,2,64\\]$',
    ],
    [
      "missing memory_final",
      damaged(file, keepConfig, drop("memory_final")),
      'tensor "memory_final" is missing$',
    ],
    [
      "missing grad",
      damaged(file, keepConfig, drop("grad.fc.bias")),
      'tensor "grad\\.fc\\.bias" is missing$',
    ],
    [
      "missing step1",
      damaged(file, keepConfig, drop("step1.heads.1.fc_write.weight")),
      'tensor "step1\\.heads\\.1\\.fc_write\\.weight" is missing$',
    ],
    [
      "step2 of the wrong shape",
      damaged(file, keepConfig, reshape("step2.fc.weight", [9, 79])),
      'tensor "step2\\.fc\\.weight" has shape \\[9,79\\], the config needs \\[9,80\\]$',
    ],
    [
      "missing param",
      damaged(file, keepConfig, drop("param.memory.mem_bias")),
      'tensor "param\\.memory\\.mem_bias" is missing$',
    ],
  ];
  for (const [what, fixture, message] of cases) {
    await t.step(what, () => {
      assert.throws(
        () => fixtureFromSafetensors(fixture, source),
        (error: Error) => {
          assert.ok(error instanceof UsageError, `UsageError, got ${error}`);
          assert.match(error.message, new RegExp(prefix + message));
          return true;
        },
      );
    });
  }
  await t.step("the undamaged fixture loads", () => {
    const fixture = fixtureFromSafetensors(file, source);
    assert.deepEqual([fixture.inputSteps, fixture.outputSteps], [5, 7]);
  });
});

Deno.test("verify-reference exits 2 with one line on a fixture without its grad tensors", async () => {
  await withTempDir(async (dir) => {
    const file = await readSafetensors(FIXTURE);
    const kept = [...file.tensors].filter(([name]) => !name.startsWith("grad."));
    await Deno.writeFile(`${dir}/no_grads.safetensors`, encodeSafetensors(kept, file.metadata));
    const run = await runScript(VERIFY, ["no_grads.safetensors"], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      "error: Cannot load fixture no_grads.safetensors: tensor " +
        '"grad.controller.lstm_h_bias" is missing\n',
    );
    assert.equal(run.stdout, "");
  });
});
