import assert from "node:assert/strict";
import { headLayout } from "../lib/config.ts";
import { activateHead, activateHeadBackward } from "../lib/cpu/head_activations.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { headActivations, headActivationsBackward } from "../lib/gpu/ops/head_activations.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-6, rtol: 1e-5 };

/** A GPU buffer holding `values` after `pad` elements of padding, and its region. */
function region(label: string, values: Float32Array, pad = 0) {
  const data = new Float32Array(pad + values.length).fill(-7);
  data.set(values, pad);
  return { buffer: storageBuffer(context!, label, data), offset: pad };
}

Deno.test({
  name: "headActivations() and headActivationsBackward() match activateHead and its backward",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const kind of ["read", "write"] as const) {
      for (const [batch, m] of [[1, 1], [3, 20], [2, 33]]) {
        await t.step(`${kind} ${batch}x${m}`, async () => {
          const layout = headLayout(kind, m);
          const width = layout.width, count = batch * width;
          const raw = randomFloats(47, count, count, -25, 25);
          const dAct = randomFloats(48, count, count);
          const act = new Float32Array(count), dRaw = new Float32Array(count);
          for (let b = 0; b < batch; b++) {
            const row = (values: Float32Array) => values.subarray(b * width, (b + 1) * width);
            activateHead(layout, m, row(raw), row(act));
            activateHeadBackward(layout, m, row(raw), row(act), row(dAct), row(dRaw));
          }
          const rawRegion = region("raw", raw, 1);
          const actRegion = region("act", new Float32Array(count), 2);
          const gotAct = await runAndRead(
            gpu,
            [
              await headActivations(gpu, { raw: rawRegion, act: actRegion }, { kind, batch, m }),
            ],
            actRegion.buffer,
            2,
            count,
          );
          assertClose(gotAct, act, tolerance, `headActivations ${kind}`);
          const dRawRegion = region("dRaw", new Float32Array(count), 3);
          const gotDRaw = await runAndRead(
            gpu,
            [
              await headActivationsBackward(gpu, {
                raw: rawRegion,
                act: region("saved act", act),
                dAct: region("dAct", dAct, 1),
                dRaw: dRawRegion,
              }, { kind, batch, m }),
            ],
            dRawRegion.buffer,
            3,
            count,
          );
          assertClose(gotDRaw, dRaw, tolerance, `headActivationsBackward ${kind}`);
        });
      }
    }
  },
});

Deno.test({
  name: "headActivations() rejects an unknown kind and a raw region shorter than the head",
  ignore,
  async fn() {
    const gpu = context!;
    const raw = storageBuffer(gpu, "raw", 4 * 25);
    const act = storageBuffer(gpu, "act", 4 * 100);
    await assert.rejects(
      headActivations(gpu, { raw: { buffer: raw }, act: { buffer: act } }, {
        kind: "erase" as "read",
        batch: 1,
        m: 20,
      }),
      { name: "RangeError", message: /kind must be "read" or "write", got "erase"/ },
    );
    await assert.rejects(
      headActivations(gpu, { raw: { buffer: raw }, act: { buffer: act } }, {
        kind: "read",
        batch: 1,
        m: 20,
      }),
      { name: "RangeError", message: /headActivations: raw \[1, 26\] needs 26 elements/ },
    );
  },
});
