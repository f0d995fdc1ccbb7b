import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

Deno.test("README's fresh-machine commands use the Deno version pinned in .dvmrc", async () => {
  const pinned = (await read(".dvmrc")).trim();
  const readme = await read("README.md");
  const versions = [...readme.matchAll(/npx -y deno@(\S+) task (\S+)/g)];
  assert.deepEqual(versions.map((match) => match[2]).sort(), ["copy", "test"]);
  for (const match of versions) assert.equal(match[1], pinned, match[0]);
});

Deno.test(".ci/run runs the README's test command with the pinned version", async () => {
  const script = await read(".ci/run");
  assert.match(script, /\.dvmrc/);
  assert.match(script, /npx -y "deno@\$version"/);
  assert.match(script, /task test/);
  const tasks = JSON.parse(await read("deno.json")).tasks;
  for (const name of ["copy", "repeat-copy", "test", "bench", "ok", "verify-reference"]) {
    assert.ok(tasks[name], `deno.json has task ${name}`);
  }
});

/**
 * Runs .ci/run with a stand-in `deno` on PATH that prints `summaries[i]` on its i-th run and
 * exits with `codes[i]`.
 */
async function runCiWithFakeDeno(summaries: string[], codes: number[]) {
  const bin = await Deno.makeTempDir();
  try {
    const pinned = (await read(".dvmrc")).trim();
    const fake = `#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "deno ${pinned} (stable)"; exit 0; fi
run=$(cat "${bin}/runs" 2>/dev/null || echo 0); echo $((run + 1)) > "${bin}/runs"
summaries=(${summaries.map((line) => `"${line}"`).join(" ")}); codes=(${codes.join(" ")})
echo "\${summaries[$run]}"; exit "\${codes[$run]}"
`;
    await Deno.writeTextFile(`${bin}/deno`, fake, { mode: 0o755 });
    const output = await new Deno.Command("bash", {
      args: [new URL(".ci/run", root).pathname],
      env: { PATH: `${bin}:${Deno.env.get("PATH")}` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
    return { code: output.code, lines, runs: Number(await Deno.readTextFile(`${bin}/runs`)) };
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

Deno.test(".ci/run keeps a clean summary when deno aborts at exit, and fails on anything else", async (t) => {
  const passed = "ok | 7 passed (3 steps) | 0 failed | 1 ignored (1s)";
  const failed = "FAILED | 6 passed | 1 failed (1s)";
  await t.step("a clean run", async () => {
    const ci = await runCiWithFakeDeno([passed], [0]);
    assert.equal(ci.code, 0);
    assert.equal(ci.lines.at(-1), "7 passed, 0 failed");
  });
  await t.step("an abort (SIGABRT) after a clean summary passes, saying why", async () => {
    const ci = await runCiWithFakeDeno([passed], [134]);
    assert.equal(ci.runs, 1);
    assert.equal(ci.code, 0);
    assert.ok(
      ci.lines.some((line) => /aborted \(SIGABRT\) at exit after every test passed/.test(line)),
    );
    assert.equal(ci.lines.at(-1), "7 passed, 0 failed");
  });
  await t.step("another signal after a clean summary fails", async () => {
    const ci = await runCiWithFakeDeno([passed], [139]);
    assert.equal(ci.code, 139);
    assert.equal(ci.lines.at(-1), "7 passed, 0 failed");
  });
  await t.step("an abort after a failing summary fails", async () => {
    const ci = await runCiWithFakeDeno([failed], [134]);
    assert.equal(ci.code, 134);
    assert.equal(ci.lines.at(-1), "6 passed, 1 failed");
  });
  await t.step("a failing run fails", async () => {
    const ci = await runCiWithFakeDeno([failed], [1]);
    assert.equal(ci.code, 1);
    assert.equal(ci.lines.at(-1), "6 passed, 1 failed");
  });
  await t.step("a run that dies before its summary counts as one failure", async () => {
    const ci = await runCiWithFakeDeno(["error: Module not found"], [1]);
    assert.equal(ci.code, 1);
    assert.equal(ci.lines.at(-1), "0 passed, 1 failed");
  });
});

const shared = new URL("../../shared/fixtures/", import.meta.url);
const sharedPresent = await Deno.stat(shared).then(() => true, () => false);

Deno.test({
  name: "tests/fixtures are byte-identical copies of ../shared/fixtures",
  ignore: !sharedPresent,
  async fn() {
    for await (const entry of Deno.readDir(shared)) {
      const ours = await Deno.readFile(new URL(`tests/fixtures/${entry.name}`, root));
      const theirs = await Deno.readFile(new URL(entry.name, shared));
      assert.deepEqual(ours, theirs, entry.name);
    }
  },
});
