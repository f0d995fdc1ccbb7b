import assert from "node:assert/strict";

const SCRIPT = new URL("../lib/cli/verify_reference.ts", import.meta.url).pathname;
const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"].map((name) =>
  new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname
);

async function verify(args: string[], cwd?: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function tableRows(stdout: string): string[][] {
  return stdout.split("\n").filter((line) => /^ {2}\S+ +\d\.\d{3}e[-+]\d+ /.test(line))
    .map((line) => line.trim().split(/\s+/));
}

Deno.test("verify-reference --backend cpu passes every tensor of the three fixtures", async () => {
  const run = await verify(["--backend", "cpu", ...FIXTURES]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const rows = tableRows(run.stdout);
  const names = rows.map((row) => row[0]);
  for (const name of ["output", "loss", "w.0", "w.1", "w.3", "memory_final", "grad.fc.weight"]) {
    assert.ok(names.includes(name), `row ${name}`);
  }
  assert.equal(names.filter((name) => name === "output").length, 3, "one table per fixture");
  assert.deepEqual(rows.filter((row) => row[5] !== "ok").map((row) => row[0]), []);
  assert.match(run.stdout, /^verify-reference: all \d+ rows of 3 fixture\(s\) pass$/m);
});

Deno.test("verify-reference --backend cpu-float32 passes every row but the amplified step rows", async () => {
  const run = await verify(["--backend", "cpu-float32", ...FIXTURES]);
  // RMSprop's first steps amplify float32 gradient noise by up to lr/eps on elements with tiny
  // gradients, so some step rows of the lr 3e-4 and 1e-3 fixtures miss 1e-6 in float32.
  assert.ok(run.code === 0 || run.code === 1, `exit status ${run.code}: ${run.stderr}`);
  const rows = tableRows(run.stdout);
  const failing = rows.filter((row) => row[5] !== "ok").map((row) => row[0]);
  assert.deepEqual(failing.filter((name) => !name.startsWith("step")), []);
  assert.equal(run.code === 0, failing.length === 0);
});

Deno.test("verify-reference rejects bad input with status 2 and one line", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
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
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
