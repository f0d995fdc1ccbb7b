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
