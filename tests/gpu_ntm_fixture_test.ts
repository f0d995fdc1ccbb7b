import { runFixtureWebgpu } from "../lib/gpu/ntm/run_fixture.ts";
import { compareFixture, loadFixture } from "../lib/verify/fixture.ts";
import { assertFixtureAgreement } from "./helpers/fixture_agreement.ts";
import { createTestContext } from "./helpers/gpu_context.ts";

const context = await createTestContext();
const ignore = context === null;

const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"];
const fixturePath = (name: string) =>
  new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname;

for (const name of FIXTURES) {
  Deno.test({
    name: `runFixtureWebgpu() reproduces fixture ${name} (steps: up to RMSprop's amplification)`,
    ignore,
    async fn() {
      const fixture = await loadFixture(fixturePath(name));
      const rows = compareFixture(fixture, await runFixtureWebgpu(context!, fixture));
      assertFixtureAgreement(rows, name);
    },
  });
}
