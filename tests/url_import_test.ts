import assert from "node:assert/strict";
import * as ntm from "../mod.ts";
import { runScript } from "./helpers/run_deno.ts";
import { TASKS, TINY } from "./helpers/task_scripts.ts";
import { withTempDir } from "./helpers/temp_dir.ts";

const root = new URL("../", import.meta.url);

/**
 * Serves the repository's files over HTTP as a raw-file host does (every file as text/plain), runs
 * `body` with the server's address, and stops the server.
 */
async function withRepositoryServer(body: (base: string) => Promise<void>): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const file = new URL(`.${new URL(request.url).pathname}`, root);
    try {
      return new Response(await Deno.readFile(file), {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    await body(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("mod.ts and the task scripts work when imported and run by URL", async (t) => {
  await withRepositoryServer((base) =>
    withTempDir(async (dir) => {
      // A cache of its own, so every run downloads the module graph afresh, and no deno.json.
      const env = { DENO_DIR: `${dir}/deno-cache`, NO_COLOR: "1" };
      await t.step("mod.ts by URL has every export, shaders included", async () => {
        const script = `${dir}/user.ts`;
        await Deno.writeTextFile(
          script,
          `import * as ntm from "${base}/mod.ts";\n` +
            `console.log(JSON.stringify(Object.keys(ntm).sort()));\n`,
        );
        const run = await runScript(script, [], dir, env);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), Object.keys(ntm).sort());
      });
      await t.step("tasks/copy.ts run by URL trains as the local file does", async () => {
        const args = [...TINY, "--seed", "3", "-p", "num_batches=4", "--report-interval", "2"];
        const training = [...args, "--checkpoint-interval", "0"];
        const remote = await runScript(`${base}/tasks/copy.ts`, training, dir, env);
        const local = await runScript(TASKS.copy, training, dir);
        assert.equal(remote.code, 0, remote.stderr);
        assert.equal(local.code, 0, local.stderr);
        const reports = (text: string) =>
          text.split("\n").filter((line) => line.startsWith("Batch ")).map((line) =>
            line.replace(/ Time: .*/, "")
          );
        assert.equal(reports(remote.stdout).length, 2, remote.stdout);
        assert.deepEqual(reports(remote.stdout), reports(local.stdout));
      });
    })
  );
});
