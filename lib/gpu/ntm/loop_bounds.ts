/**
 * Upper bounds of the loop iterations one invocation of each NTM kernel runs, for the loop limit
 * of software adapters (lib/gpu/context.ts `loopIterationLimit`: llvmpipe silently ends every
 * loop of an invocation after 65535 iterations in all). Each function mirrors the loops of one
 * WGSL function or file, named after it, under the counting rule of context.ts: a loop costs its
 * trips + 1, a lane-strided loop the trips of its busiest lane; a branch that depends on the lane
 * or the data counts both sides in full, one that every lane takes alike (the head's kind, the
 * layer) its taken side in full and one iteration per loop on the other. Whoever adds, removes
 * or resizes a loop in shaders/ntm/*.wgsl updates its mirror here; tests/gpu_ntm_long_test.ts
 * runs the fused kernels with dispatches as long as these bounds allow under the whole limit, so
 * a bound that falls short fails there. (Measured on llvmpipe at the copy task's size with 8
 * lanes, before the split sums, the fused forward fit 41 steps in one invocation and the backward
 * 32, where the bounds said 40.4 and 31.4; they now say 40.3 and 30.5.)
 *
 * @module
 */

import { controllerInputSize, outputInputSize, readCount } from "../../config.ts";
import {
  loopIterations as loop,
  reductionLoopIterations,
  stridedLoopIterations as strided,
} from "../context.ts";
import { padToVec4 } from "./param_layout.ts";
import type { NtmShape } from "./shape.ts";
import type { TwinLoops } from "../../train/task.ts";
import { MAX_LR_SWITCHES } from "../../train/lr_schedule.ts";

/** The loops of a fused kernel that runs a range of steps per dispatch. */
export interface StepLoops {
  /** Iterations of one invocation outside its steps (start and end, the time loop's exit). */
  readonly perDispatch: number;
  /** Iterations of one step, the time loop's own included. */
  readonly perStep: number;
}

/** The sizes the fused kernels' loops run to, in vec4s where the kernels read vec4s. */
function sizes(shape: NtmShape) {
  const { config, workgroupSize: lanes } = shape;
  const { controllerSize: H, memoryM: M } = config;
  return {
    lanes,
    H,
    L: config.controllerLayers,
    N: config.memoryN,
    M,
    I: config.inputs,
    O: config.outputs,
    R: readCount(config),
    Hp: padToVec4(H),
    hiddenVec4s: padToVec4(H) / 4,
    memoryVec4s: padToVec4(M) / 4,
    controllerVec4s: padToVec4(controllerInputSize(config)) / 4,
    outputVec4s: padToVec4(outputInputSize(config)) / 4,
    heads: config.heads.map((kind) => ({
      writes: kind === "write",
      width: kind === "read" ? M + 6 : 3 * M + 6,
    })),
    reduction: reductionLoopIterations(lanes),
  };
}

/** A loop over the heads (or layers), each trip running `body(index)`. */
function loopOver(count: number, body: (index: number) => number): number {
  let total = loop(count);
  for (let index = 0; index < count; index++) total += body(index);
  return total;
}

/**
 * Split sums (shaders/common/reduce.wgsl `split_plan`): `columns` sums of `count` terms shared
 * out between `lanes`. Each round runs the busiest lane's share of the terms (each costing
 * `body`), `sums` calls of `split_sum4` and `epilogue`, the loops that store a column's total.
 * On top of that count, one more iteration per round and per `split_sum4` call: measured on
 * llvmpipe, the backward with many slices (32 lanes over one column quad) ran 3 to 6 iterations
 * per step past the plain count, spread over its split sums, for a cause not pinned down.
 * tests/gpu_ntm_long_test.ts runs that shape with the whole limit as the budget.
 */
function splitSums(
  columns: number,
  count: number,
  lanes: number,
  { body = 0, epilogue = 0, sums = 1 } = {},
): number {
  const perRound = Math.max(Math.min(columns, lanes), 1);
  const slices = Math.floor(lanes / perRound);
  const rounds = Math.ceil(columns / perRound);
  const margin = 1 + sums;
  return loop(rounds) +
    rounds * (loop(Math.ceil(count / slices), body) + sums * loop(slices) + epilogue + margin);
}

/**
 * A branch every lane takes the same way: the side taken costs `taken`, the other side one
 * iteration for each of its `skippedLoops` loops (nested ones included), which run masked off.
 */
function branch(taken: number, skippedLoops: number): number {
  return taken + skippedLoops;
}

/** shaders/ntm/forward.wgsl, function by function. */
export function forwardLoops(shape: NtmShape): StepLoops {
  const s = sizes(shape);
  const { lanes, N, memoryVec4s } = s;
  const initialState = strided(N * memoryVec4s, lanes) + strided(s.L * s.H, lanes) +
    strided(s.R * s.M, lanes);
  const loadState = strided(s.L * s.H, lanes) +
    strided(s.L * s.hiddenVec4s, lanes, loop(4)) + strided(s.R * s.M, lanes);
  const gatherControllerInput = strided(s.controllerVec4s, lanes, loop(4));
  // Layer 0 reads the controller input, the others the layer below; then W_hh.
  const lstmLayer = (layer: number) =>
    strided(
      s.H,
      lanes,
      branch(loop(layer === 0 ? s.controllerVec4s : s.hiddenVec4s), 1) + loop(s.hiddenVec4s),
    );
  const packHidden = strided(s.hiddenVec4s, lanes);
  const headStep = ({ writes, width }: { writes: boolean; width: number }) =>
    strided(width, lanes, loop(s.hiddenVec4s)) + // the head's layer
    strided(memoryVec4s, lanes, loop(4)) + // key, erase and add quads
    loop(memoryVec4s) + // |k|²
    strided(N, lanes, loop(memoryVec4s)) + s.reduction + // similarities, their largest
    strided(N, lanes) + s.reduction + // exp, their sum
    strided(N, lanes) + // interpolation
    strided(N, lanes) + s.reduction + // shift, sharpening's sum
    strided(N, lanes) + // sharpening
    (writes
      ? branch(strided(N, lanes, loop(memoryVec4s)), 4) // the write (rows, quads)
      : branch(splitSums(memoryVec4s, N, lanes, { epilogue: loop(4) }), 2)); // the read
  const outputStep = strided(s.outputVec4s, lanes, loop(4)) +
    strided(s.O, lanes, loop(s.outputVec4s));
  const step = 1 + gatherControllerInput +
    loopOver(s.L, (layer) => lstmLayer(layer) + packHidden) +
    loopOver(s.heads.length, (k) => headStep(s.heads[k])) + outputStep;
  return { perDispatch: initialState + loadState + 1, perStep: step };
}

/** shaders/ntm/backward.wgsl, function by function. */
export function backwardLoops(shape: NtmShape): StepLoops {
  const s = sizes(shape);
  const { lanes, N, memoryVec4s } = s;
  const clearCarried = strided(2 * s.L * s.Hp, lanes) + strided(s.R * s.M, lanes) +
    strided(N * memoryVec4s, lanes) + strided(s.heads.length * N, lanes);
  // load_carried and save_carried run the same loops.
  const carried = strided(s.L * s.Hp, lanes) + strided(s.L * s.H, lanes) +
    strided(s.R * s.M, lanes);
  const outputBackward = strided(s.O, lanes) +
    strided(s.outputVec4s, lanes, loop(s.O) + loop(4));
  // Rows whose columns loop on the side of the head's kind.
  const rowsByKind = strided(N, lanes, branch(loop(memoryVec4s), 1));
  const headBackward = ({ writes, width }: { writes: boolean; width: number }) =>
    strided(width, lanes) + // activated values
    strided(memoryVec4s, lanes, loop(4)) + // key, erase and add (or dr) quads
    loop(memoryVec4s) + // |k|²
    rowsByKind + // dw
    (writes ? splitSums(memoryVec4s, N, lanes, { epilogue: loop(4), sums: 2 }) : 5) + // de, da
    s.reduction +
    strided(N, lanes) + // sharpening
    strided(N, lanes) + s.reduction + // shift and interpolation
    rowsByKind + 2 * s.reduction + // content
    splitSums(memoryVec4s, N, lanes, { epilogue: loop(4) }) + // the key's gradient
    strided(width, lanes) + // dRaw
    splitSums(s.hiddenVec4s, width, lanes, { epilogue: loop(4) }); // into h
  const columns = (layer: number) =>
    layer === 0 ? s.controllerVec4s - Math.floor(s.I / 4) + s.hiddenVec4s : 2 * s.hiddenVec4s;
  const lstmBackward = (layer: number) =>
    strided(s.H, lanes) + splitSums(columns(layer), s.H, lanes, { epilogue: loop(4) });
  const step = 1 + outputBackward +
    loopOver(s.heads.length, (k) => headBackward(s.heads[k])) +
    loopOver(s.L, lstmBackward);
  return { perDispatch: clearCarried + 2 * carried + 1, perStep: step };
}

/** Lanes of the loss kernel (shaders/ntm/loss.wgsl, one workgroup). */
export const LOSS_LANES = 64;

/** shaders/ntm/loss.wgsl: a strided loop over the outputs of a sequence, then a reduction. */
export function lossLoops(shape: NtmShape): number {
  const { batchSize: B, outputs: O } = shape.config;
  return strided(shape.capacity * B * O, LOSS_LANES) + reductionLoopIterations(LOSS_LANES);
}

/** Lanes of the data kernel (shaders/ntm/task_data.wgsl, one workgroup). */
export const DATA_LANES = 64;

/**
 * shaders/ntm/task_data.wgsl: strided loops over a batch's inputs and targets, each element
 * calling the task's twin (shaders/tasks/*.wgsl), whose own loops `twin` counts.
 */
export function dataLoops(shape: NtmShape, twin: TwinLoops): number {
  const { batchSize: B, inputs: I, outputs: O } = shape.config;
  return strided(shape.capacity * B * I, DATA_LANES, twin.input) +
    strided(shape.capacity * B * O, DATA_LANES, twin.target);
}

/**
 * shaders/ntm/weight_gradients.wgsl: the search of the job table, the learning-rate schedule's
 * switches (shaders/ntm/rmsprop.wgsl `settings_at`), the loop over the rows (steps ×
 * batch) of a weight's or a bias's product, and the epilogue's loops over a lane's block.
 */
export function updateLoops(shape: NtmShape, jobs: number): number {
  const rows = loop(shape.capacity * shape.config.batchSize);
  return loop(jobs - 1) + loop(MAX_LR_SWITCHES) + rows + loop(4) + rows + loop(4, loop(4));
}

/**
 * The steps one dispatch of a kernel with `loops` may run within `budget` iterations: all of
 * `capacity` when the budget allows (always, on a GPU), 0 when not even one step fits.
 */
export function stepsWithin(loops: StepLoops, budget: number, capacity: number): number {
  return Math.max(0, Math.min(capacity, Math.floor((budget - loops.perDispatch) / loops.perStep)));
}
