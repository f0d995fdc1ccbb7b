import assert from "node:assert/strict";
import { runScript } from "./helpers/run_deno.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/io/safetensors.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const SCRIPT = new URL("../lib/cli/verify_reference.ts", import.meta.url).pathname;
const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"].map((name) =>
  new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname
);

function verify(args: string[], cwd?: string) {
  return runScript(SCRIPT, args, cwd);
}

function tableRows(stdout: string): string[][] {
  return stdout.split("\n").filter((line) => /^ {2}\S+ +\d\.\d{3}e[-+]\d+ /.test(line))
    .map((line) => line.trim().split(/\s+/));
}

for (const backend of ["cpu", "cpu-float64"]) {
  Deno.test(`verify-reference --backend ${backend} fails only step elements RMSprop amplifies`, async () => {
    const run = await verify(["--backend", backend, ...FIXTURES]);
    const rows = tableRows(run.stdout);
    const names = rows.map((row) => row[0]);
    for (const name of ["output", "loss", "w.0", "w.3", "memory_final", "grad.fc.weight"]) {
      assert.ok(names.includes(name), `row ${name}`);
    }
    assert.equal(names.filter((name) => name === "output").length, 3, "one table per fixture");
    // From a zero state RMSprop's first update multiplies gradient differences by up to lr/eps
    // (1e5 at lr 1e-3): the PyTorch gradients' own float32 noise moves a few steps by more than
    // 1e-6. Every failing element must be such an element, and on step1 the gradient
    // difference must explain it.
    const failing = run.stdout.split("\n").filter((line) => /\bFAIL \(/.test(line));
    assert.ok(failing.length > 0, "the lr 1e-3 fixture misses some amplified step elements");
    for (const line of failing) {
      const match = line.match(
        /^ {2}(step[12]\.\S+) .* FAIL \((\d+) elements?: (\d+) where RMSprop amplifies the gradient difference(?:, (\d+) explained by it)?\)$/,
      );
      assert.ok(match, `an amplified step row: ${line}`);
      assert.equal(match[3], match[2], line);
      if (match[1].startsWith("step1.")) assert.equal(match[4], match[2], line);
    }
    assert.equal(run.code, 1, "the exit status reports the strict NTM-SPEC comparison");
  });
}

Deno.test("verify-reference exits 1 naming a perturbed output and a perturbed step", async () => {
  await withTempDir(async (dir) => {
    const file = decodeSafetensors(await Deno.readFile(FIXTURES[0]));
    file.tensors.get("output")!.data[3] += 1e-4;
    // fc.bias has gradients far from zero: its step is not amplified, so 1e-5 is a real miss.
    file.tensors.get("step1.fc.bias")!.data[0] += 1e-5;
    const path = `${dir}/perturbed.safetensors`;
    await Deno.writeFile(path, encodeSafetensors(file.tensors, file.metadata));
    const run = await verify(["--backend", "cpu-float64", path]);
    assert.equal(run.code, 1);
    const failing = tableRows(run.stdout).filter((row) => row[5] === "FAIL");
    assert.deepEqual(failing.map((row) => row[0]), ["output", "step1.fc.bias"]);
    assert.match(run.stdout, /step1\.fc\.bias .* FAIL \(1 element: 0 where RMSprop amplifies/);
  });
});

Deno.test("verify-reference rejects bad input with status 2 and one line", async (t) => {
  await withTempDir(async (dir) => {
    const bytes = await Deno.readFile(FIXTURES[0]);
    await Deno.writeFile(`${dir}/truncated.safetensors`, bytes.subarray(0, bytes.length / 2));
    await Deno.writeFile(`${dir}/garbage.safetensors`, new Uint8Array(100).fill(0xff));
    const cases: [string, string[], RegExp][] = [
      ["no files", [], /Cannot verify: no fixture files given/],
      ["missing file", ["missing.safetensors"], /Cannot read missing\.safetensors: /],
      ["truncated file", ["truncated.safetensors"], /truncated file\?/],
      ["corrupt file", ["garbage.safetensors"], /Cannot read garbage\.safetensors: header claims/],
      [
        "unknown backend",
        ["--backend", "tpu", FIXTURES[0]],
        /Cannot use backend "tpu": valid backends are cpu/,
      ],
      ["unknown option", ["--fast"], /Cannot parse arguments: Unknown option '--fast'/],
    ];
    for (const [what, args, message] of cases) {
      await t.step(what, async () => {
        const run = await verify(args, dir);
        assert.equal(run.code, 2, run.stderr);
        assert.ok(!run.stderr.trimEnd().includes("\n"), run.stderr);
        assert.match(run.stderr, message);
        assert.equal(run.stdout, "", "nothing runs before every file is loaded");
      });
    }
  });
});
