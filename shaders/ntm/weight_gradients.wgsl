// Every weight and bias gradient of a sequence, and the optimizer step, in one dispatch: a
// grouped matrix product `C[m, n] = Σ_rows A[row, m]·X[row, n]` over a table of jobs
// (lib/gpu/ntm/weight_gradients.ts), one per tensor: `dW = dYᵀ·X` with the gradient tape's dY
// (dGates, dRaw, dLogits) and the forward tape's X (controller inputs, hidden states, output
// layer inputs), and biases as column sums (X = ones). The rows are the sequence's steps × batch
// rows, counted from the step record, so the product covers exactly the steps that ran. Each
// finished gradient is stored, clamped and applied with RMSprop (shaders/ntm/rmsprop.wgsl) at
// once: every trainable float belongs to exactly one job's C.
//
// Each workgroup of 64 lanes computes one 32×32 tile of one job's C; each lane a 4×4 block,
// with one vec4 load of A and one of X per row for 16 multiply-adds (rows of both tapes are
// padded to whole vec4s; 8×8 blocks ran slower on llvmpipe), then updates its 4 rows with vec4
// loads and stores. A bias tile sums 256 columns of A, 4 per lane. No workgroup memory and no
// barriers: neighbouring lanes share loads through the cache. The copy task at batch 1 (~22
// steps) runs ~110 tiles for ~2.8 MFLOP, reading ~1 MB of tape, and updates 66k parameters
// (~28 bytes each, 4 more for a weight).
//
// Linked after shaders/ntm/shape.wgsl (StepRecord, BATCH) and shaders/ntm/rmsprop.wgsl.
// lib/gpu/ntm/loop_bounds.ts `updateLoops` counts the loops here.

struct GemmJob {
  // A: rows of `a_stride` floats in the gradient tape.
  a_offset: u32,
  a_stride: u32,
  // X: rows of `x_stride` floats in the forward tape (unused for column sums).
  x_offset: u32,
  x_stride: u32,
  // C: rows of `c_stride` floats in the gradient and parameter stores.
  c_offset: u32,
  c_stride: u32,
  m: u32,
  n: u32,
  // Which rows: ROWS_ALL_STEPS, ROWS_OUTPUT_STEPS or ROWS_BATCH.
  rows: u32,
  // 1 when X is a column of ones (bias gradients).
  column_sum: u32,
  // The job's first tile in the dispatch, and its tiles along n.
  first_tile: u32,
  tiles_n: u32,
}

const ROWS_ALL_STEPS: u32 = 0u;
const ROWS_OUTPUT_STEPS: u32 = 1u;
const ROWS_BATCH: u32 = 2u;
const TILE: u32 = 32u;
const LANES_N: u32 = 8u;
const BLOCK: u32 = 4u;

@group(0) @binding(0) var<storage, read> jobs: array<GemmJob>;
@group(0) @binding(1) var<storage, read> steps: StepRecord;
@group(0) @binding(2) var<storage, read> tape4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> grad4: array<vec4<f32>>;
// The stores, as vec4s: a weight row's 4 columns update with one load and store each (and one
// store to the parameter texture: the lane owns the quad, as rows start on vec4 boundaries).
@group(0) @binding(4) var<storage, read_write> gradients4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> params4: array<vec4<f32>>;
// RMSprop's running mean of squared gradients [TRAINABLE], then its momentum buffer.
@group(0) @binding(6) var<storage, read_write> optimizer_state4: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> settings: RmspropSettings;
// The parameter texture (lib/gpu/ntm/param_texture.ts): each updated weight quad goes here too
// (biases are read from the buffer only).
@group(0) @binding(8) var param_texture: texture_storage_2d<rgba32float, write>;

override JOB_COUNT: u32;
// Floats in the trainable prefix of the padded store.
override TRAINABLE: u32;

// The vec4 of a padded row at `first` (clamped to lie within the row).
fn row_block(from_tape: bool, row_start: u32, stride: u32, first: u32) -> vec4<f32> {
  let index = (row_start + min(first, stride - 4u)) / 4u;
  if (from_tape) {
    return tape4[index];
  }
  return grad4[index];
}

// Stores gradient i and applies the optimizer step (with this batch's settings) to parameter i
// (a bias element).
fn update_one(batch_settings: RmspropSettings, i: u32, grad: f32) {
  let q = i / 4u;
  let c = i % 4u;
  let state = TRAINABLE / 4u;
  gradients4[q][c] = grad;
  let updated = rmsprop_update(
    batch_settings,
    params4[q][c],
    grad,
    optimizer_state4[q][c],
    optimizer_state4[state + q][c],
  );
  params4[q][c] = updated.param;
  optimizer_state4[q][c] = updated.square_average;
  optimizer_state4[state + q][c] = updated.momentum_buffer;
}

// Stores the 4 gradients of vec4 q (4 columns of a weight row) and applies the optimizer step
// (with this batch's settings).
fn update_four(batch_settings: RmspropSettings, q: u32, grad: vec4<f32>) {
  let state = TRAINABLE / 4u;
  gradients4[q] = grad;
  let param = params4[q];
  let square_average = optimizer_state4[q];
  let momentum_buffer = optimizer_state4[state + q];
  var updated_param: vec4<f32>;
  var updated_square: vec4<f32>;
  var updated_momentum: vec4<f32>;
  for (var c = 0u; c < 4u; c++) {
    let updated = rmsprop_update(
      batch_settings,
      param[c],
      grad[c],
      square_average[c],
      momentum_buffer[c],
    );
    updated_param[c] = updated.param;
    updated_square[c] = updated.square_average;
    updated_momentum[c] = updated.momentum_buffer;
  }
  params4[q] = updated_param;
  textureStore(param_texture, param_texel(q), updated_param);
  optimizer_state4[q] = updated_square;
  optimizer_state4[state + q] = updated_momentum;
}

@compute @workgroup_size(64)
fn main(
  @builtin(local_invocation_index) lane: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let tile = group.x;
  var index = 0u;
  for (var j = 1u; j < JOB_COUNT; j++) {
    if (tile >= jobs[j].first_tile) {
      index = j;
    }
  }
  let job = jobs[index];
  let local_tile = tile - job.first_tile;
  let batch_settings = settings_at(settings, steps.batch_number);

  var row_begin = 0u;
  var row_end = BATCH;
  if (job.rows == ROWS_ALL_STEPS) {
    row_end = total_steps(steps) * BATCH;
  } else if (job.rows == ROWS_OUTPUT_STEPS) {
    row_begin = steps.output_start * BATCH;
    row_end = total_steps(steps) * BATCH;
  }

  // Lanes past the edge of C read clamped rows and drop their sums at the store. (The branch on
  // the job's kind stays outside the loops: llvmpipe runs both sides of a branch inside a loop.)
  if (job.column_sum == 1u) {
    // A bias: C's column 0 holds A's column sums; each lane sums 4 columns of A, so a tile
    // covers 4·64 of them. C starts on a quad (lib/gpu/ntm/param_layout.ts pads each layer of
    // the initial state), so the lane alone stores into its quad: WGSL lets update_one's store
    // to one component touch the whole vec4.
    let first = local_tile * 4u * 64u + BLOCK * lane;
    var column = vec4<f32>();
    for (var row = row_begin; row < row_end; row++) {
      column += row_block(false, job.a_offset + row * job.a_stride, job.a_stride, first);
    }
    for (var r = 0u; r < BLOCK; r++) {
      if (first + r < job.m) {
        update_one(batch_settings, job.c_offset + first + r, column[r]);
      }
    }
    return;
  }
  let first_m = (local_tile / job.tiles_n) * TILE + BLOCK * (lane / LANES_N);
  let first_n = (local_tile % job.tiles_n) * TILE + BLOCK * (lane % LANES_N);
  var sums: array<vec4<f32>, 4>;
  for (var row = row_begin; row < row_end; row++) {
    let a = row_block(false, job.a_offset + row * job.a_stride, job.a_stride, first_m);
    let x = row_block(true, job.x_offset + row * job.x_stride, job.x_stride, first_n);
    sums[0] += a.x * x;
    sums[1] += a.y * x;
    sums[2] += a.z * x;
    sums[3] += a.w * x;
  }
  // A weight matrix: 4 columns within the padded row (padding columns have zero gradients, so
  // their parameters and state stay zero).
  if (first_n < job.n) {
    for (var r = 0u; r < BLOCK; r++) {
      if (first_m + r < job.m) {
        update_four(
          batch_settings,
          (job.c_offset + (first_m + r) * job.c_stride + first_n) / 4u,
          sums[r],
        );
      }
    }
  }
}


