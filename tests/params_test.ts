import assert from "node:assert/strict";
import { headPairs, type NTMConfig, UsageError } from "../lib/config.ts";
import { readSafetensors } from "../lib/io/safetensors.ts";
import { initParams, MAX_STORE_SIZE, paramLayout, toReferenceTensors } from "../lib/params.ts";
import { loadFixture } from "../lib/verify/fixture.ts";

const FIXTURES = ["copy_default", "repeat_copy_shape", "two_head_pairs_two_layers"];
const fixturePath = (name: string) =>
  new URL(`./fixtures/${name}.safetensors`, import.meta.url).pathname;

/** The copy task's default NTM (NTM-SPEC table). */
const COPY_DEFAULT: NTMConfig = {
  inputs: 9,
  outputs: 8,
  controllerSize: 100,
  controllerLayers: 1,
  memoryN: 128,
  memoryM: 20,
  heads: headPairs(1),
  batchSize: 1,
};

for (const name of FIXTURES) {
  Deno.test(`paramLayout() names and shapes match the param.* entries of fixture ${name}`, async () => {
    const file = await readSafetensors(fixturePath(name));
    const config = JSON.parse(file.metadata.config);
    const { layout } = await loadFixture(fixturePath(name));
    const reference = toReferenceTensors(layout, initParams(layout, 1));
    assert.deepEqual(reference.map(([tensorName]) => tensorName), config.param_names);
    for (const [tensorName, tensor] of reference) {
      assert.deepEqual(tensor.shape, file.tensors.get(`param.${tensorName}`)!.shape, tensorName);
    }
    const trainable = layout.entries.filter((entry) => entry.trainable).map((entry) => entry.name);
    assert.deepEqual(trainable, config.trainable);
  });
}

Deno.test("paramLayout() of the copy task's default config has the reference's 62860 trainable parameters", () => {
  assert.equal(paramLayout(COPY_DEFAULT).trainableSize, 62860);
});

Deno.test("initParams() is a pure function of the seed", () => {
  const layout = paramLayout({ ...COPY_DEFAULT, controllerSize: 8, memoryN: 8, memoryM: 4 });
  assert.deepEqual(initParams(layout, 42), initParams(layout, 42));
  assert.notDeepEqual(initParams(layout, 42), initParams(layout, 43));
});

Deno.test("initParams() draws every tensor of the copy default from its NTM-SPEC distribution", async (t) => {
  const layout = paramLayout(COPY_DEFAULT);
  const store = initParams(layout, 10);
  for (const entry of layout.entries) {
    await t.step(`${entry.name} (${entry.size} values, ${entry.init.kind})`, () => {
      const values = store.subarray(entry.offset, entry.offset + entry.size);
      const n = values.length;
      const mean = values.reduce((sum, v) => sum + v, 0) / n;
      const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
      const { init } = entry;
      if (init.kind === "zeros") {
        assert.ok(values.every((v) => v === 0), "all zeros");
        return;
      }
      // Expected variance σ²; the sample mean has standard error σ/√n and the sample variance
      // about σ²·√(κ/n) with κ = 2 for a normal and 0.8 for a uniform. Bounds are 5 standard
      // errors: a correct generator fails one of these checks with probability below 1e-5.
      const sigma2 = init.kind === "uniform" ? init.bound ** 2 / 3 : init.std ** 2;
      const kappa = init.kind === "uniform" ? 0.8 : 2;
      assert.ok(
        Math.abs(mean) <= 5 * Math.sqrt(sigma2 / n),
        `mean ${mean} beyond 5 standard errors (${5 * Math.sqrt(sigma2 / n)})`,
      );
      assert.ok(
        Math.abs(variance - sigma2) <= 5 * sigma2 * Math.sqrt(kappa / n),
        `variance ${variance}, expected ${sigma2} ± ${5 * sigma2 * Math.sqrt(kappa / n)}`,
      );
      if (init.kind === "uniform") {
        const bound = Math.fround(init.bound);
        assert.ok(values.every((v) => Math.abs(v) <= bound), `all within ±${init.bound}`);
        // The extremes come within a few spacings of the bounds.
        const max = values.reduce((m, v) => Math.max(m, v), -Infinity);
        const min = values.reduce((m, v) => Math.min(m, v), Infinity);
        const spacing = 2 * init.bound * 15 / n;
        assert.ok(
          max > init.bound - spacing && min < -init.bound + spacing,
          `range [${min}, ${max}]`,
        );
      }
    });
  }
});

Deno.test("paramLayout() bounds follow NTM-SPEC: LSTM ±5/sqrt(I_ctrl+H), memory ±1/sqrt(N+M), Xavier heads", () => {
  const layout = paramLayout(COPY_DEFAULT);
  const bound = (name: string) => {
    const init = layout.entry(name).init;
    assert.equal(init.kind, "uniform");
    return init.kind === "uniform" ? init.bound : NaN;
  };
  const std = (name: string) => {
    const init = layout.entry(name).init;
    assert.equal(init.kind, "normal");
    return init.kind === "normal" ? init.std : NaN;
  };
  const close = (actual: number, expected: number) =>
    assert.ok(Math.abs(actual - expected) < 1e-12);
  close(bound("controller.lstm.weight_ih_l0"), 5 / Math.sqrt(29 + 100));
  close(bound("controller.lstm.weight_hh_l0"), 5 / Math.sqrt(29 + 100));
  close(bound("memory.mem_bias"), 1 / Math.sqrt(128 + 20));
  close(bound("heads.0.fc_read.weight"), 1.4 * Math.sqrt(6 / (100 + 26)));
  close(bound("heads.1.fc_write.weight"), 1.4 * Math.sqrt(6 / (100 + 66)));
  close(bound("fc.weight"), Math.sqrt(6 / (120 + 8)));
  close(std("controller.lstm_h_bias"), 0.05);
  close(std("controller.lstm_c_bias"), 0.05);
  close(std("read0_bias"), 0.01);
  close(std("heads.0.fc_read.bias"), 0.01);
  close(std("fc.bias"), 0.01);
  assert.equal(layout.entry("controller.lstm.bias_ih_l0").init.kind, "zeros");
  assert.equal(layout.entry("controller.lstm.bias_hh_l0").init.kind, "zeros");
});

Deno.test("paramLayout() refuses a store beyond MAX_STORE_SIZE, naming its size and the limit", () => {
  const fits = paramLayout({ ...COPY_DEFAULT, memoryN: 1000 });
  assert.ok(fits.size < MAX_STORE_SIZE);
  for (const config of [{ controllerSize: 100000 }, { memoryN: 2e9 }, { inputs: 2e9 }]) {
    assert.throws(() => paramLayout({ ...COPY_DEFAULT, ...config }), (error: Error) => {
      assert.ok(error instanceof UsageError, error.message);
      assert.match(
        error.message,
        /^Cannot build the model: its parameters need \d+ floats, more than the 268435456 \(1 GiB\) a store may hold; /,
      );
      return true;
    });
  }
});

Deno.test("ParamLayout.entry() names the unknown tensor and lists the config's tensors", () => {
  const layout = paramLayout(COPY_DEFAULT);
  assert.throws(
    () => layout.entry("fc.weights"),
    /^RangeError: Cannot find parameter "fc\.weights": this config's tensors are controller\.lstm_h_bias, .*, fc\.weight, fc\.bias, read0_bias, memory\.mem_bias$/,
  );
});
