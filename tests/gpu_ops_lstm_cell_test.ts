import assert from "node:assert/strict";
import { plainCpuKernels } from "../lib/cpu/kernels.ts";
import { lstmBackward, lstmForward, type LstmWeights } from "../lib/cpu/lstm.ts";
import { storageBuffer } from "../lib/gpu/context.ts";
import { lstmCell, lstmCellBackward } from "../lib/gpu/ops/lstm_cell.ts";
import { assertClose } from "./helpers/assert_close.ts";
import { createTestContext, runAndRead } from "./helpers/gpu_context.ts";
import { randomFloats } from "./helpers/random_floats.ts";

const context = await createTestContext();
const ignore = context === null;
const tolerance = { atol: 1e-6, rtol: 1e-5 };

/**
 * Weights that make lstm.ts's pre-activations equal its input: `W_ih` the 4H identity, the rest
 * zero; so `lstmForward`/`lstmBackward` are the twins of the pointwise cell.
 */
function passThroughWeights(hidden: number): LstmWeights {
  const gates = 4 * hidden;
  const weightIh = new Float32Array(gates * gates);
  for (let j = 0; j < gates; j++) weightIh[j * gates + j] = 1;
  return {
    weightIh,
    weightHh: new Float32Array(gates * hidden),
    biasIh: new Float32Array(gates),
    biasHh: new Float32Array(gates),
  };
}

/** A GPU buffer holding `values` after `pad` elements of padding, and its region. */
function region(label: string, values: Float32Array | number, pad = 0) {
  const length = typeof values === "number" ? values : values.length;
  const data = new Float32Array(pad + length).fill(-7);
  if (typeof values !== "number") data.set(values, pad);
  return { buffer: storageBuffer(context!, label, data), offset: pad };
}

Deno.test({
  name: "lstmCell() and lstmCellBackward() match lstm.ts's pointwise cell",
  ignore,
  async fn(t) {
    const gpu = context!;
    for (const [batch, hidden] of [[1, 1], [2, 5], [3, 33], [1, 100]]) {
      await t.step(`${batch}x${hidden}`, async () => {
        const cells = batch * hidden, gateCount = 4 * cells;
        const preActivations = randomFloats(21, hidden, gateCount, -6, 6);
        const cPrev = randomFloats(22, hidden, cells, -2, 2);
        const dh = randomFloats(23, hidden, cells);
        const dcIn = randomFloats(24, hidden, cells);
        const weights = passThroughWeights(hidden);
        const shape = { hidden, inputs: 4 * hidden, batch };
        const gates = new Float32Array(gateCount), c = new Float32Array(cells);
        const tanhC = new Float32Array(cells), h = new Float32Array(cells);
        lstmForward(
          plainCpuKernels,
          weights,
          shape,
          preActivations,
          new Float32Array(cells),
          cPrev,
          gates,
          c,
          tanhC,
          h,
        );
        const dGates = new Float32Array(gateCount), dcPrev = dcIn.slice();
        lstmBackward(
          plainCpuKernels,
          weights,
          shape,
          gates,
          cPrev,
          tanhC,
          dh,
          dcPrev,
          dGates,
          new Float32Array(gateCount),
          new Float32Array(cells),
        );
        const cPrevRegion = region("cPrev", cPrev, 1);
        const gatesRegion = region("gates", gateCount, 2);
        const cRegion = region("c", cells, 1);
        const hRegion = region("h", cells, 3);
        await runAndRead(gpu, [
          await lstmCell(gpu, {
            preActivations: region("preActivations", preActivations, 5),
            cPrev: cPrevRegion,
            gates: gatesRegion,
            c: cRegion,
            h: hRegion,
          }, { batch, hidden }),
        ], hRegion.buffer);
        const read = (where: { buffer: GPUBuffer; offset: number }, count: number) =>
          runAndRead(gpu, [], where.buffer, where.offset, count);
        assertClose(await read(gatesRegion, gateCount), gates, tolerance, "lstmCell gates");
        assertClose(await read(cRegion, cells), c, tolerance, "lstmCell c");
        assertClose(await read(hRegion, cells), h, tolerance, "lstmCell h");
        const dPreRegion = region("dPreActivations", gateCount, 1);
        const dcPrevRegion = region("dcPrev", cells, 2);
        await runAndRead(gpu, [
          await lstmCellBackward(gpu, {
            gates: region("saved gates", gates, 2),
            cPrev: cPrevRegion,
            c: region("saved c", c, 1),
            dh: region("dh", dh, 4),
            dc: region("dc", dcIn),
            dPreActivations: dPreRegion,
            dcPrev: dcPrevRegion,
          }, { batch, hidden }),
        ], dPreRegion.buffer);
        assertClose(await read(dPreRegion, gateCount), dGates, tolerance, "lstmCellBackward dPre");
        assertClose(await read(dcPrevRegion, cells), dcPrev, tolerance, "lstmCellBackward dcPrev");
      });
    }
  },
});

Deno.test({
  name: "lstmCell() rejects pre-activations shorter than [batch, 4H] and a shared output",
  ignore,
  async fn() {
    const gpu = context!;
    const small = storageBuffer(gpu, "small", 4 * 7);
    const big = storageBuffer(gpu, "big", 4 * 100);
    const out = storageBuffer(gpu, "out", 4 * 100);
    await assert.rejects(
      lstmCell(gpu, {
        preActivations: { buffer: small },
        cPrev: { buffer: big },
        gates: { buffer: out },
        c: { buffer: out, offset: 8 },
        h: { buffer: out, offset: 10 },
      }, { batch: 1, hidden: 2 }),
      { name: "RangeError", message: /lstmCell: preActivations \[1, 8\] needs 8 elements/ },
    );
    await assert.rejects(
      lstmCell(gpu, {
        preActivations: { buffer: big },
        cPrev: { buffer: big, offset: 8 },
        gates: { buffer: out },
        c: { buffer: out, offset: 8 },
        h: { buffer: out, offset: 10 },
      }, { batch: 1, hidden: 2 }),
      { name: "RangeError", message: /gates shares buffer "out" with c/ },
    );
  },
});
