// Every weight and bias gradient of a sequence in one dispatch: a grouped matrix product
// `C[m, n] = Σ_rows A[row, m]·X[row, n]` over a table of jobs (lib/gpu/ntm/weight_gradients.ts),
// one per tensor: `dW = dYᵀ·X` with the gradient tape's dY (dGates, dRaw, dLogits) and the forward
// tape's X (controller inputs, hidden states, output-layer inputs), and biases as column sums
// (X = ones). The rows are the sequence's steps × batch rows, counted from the step record, so
// the product covers exactly the steps that ran.
//
// Each workgroup of 64 lanes computes one 32×32 tile of one job's C; each lane a 4×4 block, with
// one vec4 load of A and one of X per row for 16 multiply-adds (rows of both tapes are padded
// to whole vec4s). No workgroup memory and no barriers: neighbouring lanes share loads through
// the cache. The copy task at batch 1 (S = 22 steps) runs ~125 tiles for ~2.8 MFLOP, reading
// ~0.6 MB of tape.
//
// Linked after shaders/ntm/shape.wgsl (for StepRecord).

struct GemmJob {
  // A: rows of `a_stride` floats in the gradient tape.
  a_offset: u32,
  a_stride: u32,
  // X: rows of `x_stride` floats in the forward tape (unused for column sums).
  x_offset: u32,
  x_stride: u32,
  // C: rows of `c_stride` floats in the gradient store.
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

@group(0) @binding(0) var<storage, read> jobs: array<GemmJob>;
@group(0) @binding(1) var<storage, read> steps: StepRecord;
@group(0) @binding(2) var<storage, read> tape4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> grad4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> gradients: array<f32>;

override JOB_COUNT: u32;

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
  let first_m = (local_tile / job.tiles_n) * TILE + 4u * (lane / LANES_N);
  let first_n = (local_tile % job.tiles_n) * TILE + 4u * (lane % LANES_N);

  var row_begin = 0u;
  var row_end = BATCH;
  if (job.rows == ROWS_ALL_STEPS) {
    row_end = (steps.input_steps + steps.output_steps) * BATCH;
  } else if (job.rows == ROWS_OUTPUT_STEPS) {
    row_begin = steps.input_steps * BATCH;
    row_end = (steps.input_steps + steps.output_steps) * BATCH;
  }

  // Lanes past the edge of C read a valid vec4 (clamped) and drop their sums at the store.
  let a_column = min(first_m, job.a_stride - 4u) / 4u;
  let x_column = min(first_n, job.x_stride - 4u) / 4u;
  var sums: array<vec4<f32>, 4>;
  for (var row = row_begin; row < row_end; row++) {
    let a = grad4[(job.a_offset + row * job.a_stride) / 4u + a_column];
    var x = vec4<f32>(1.0);
    if (job.column_sum == 0u) {
      x = tape4[(job.x_offset + row * job.x_stride) / 4u + x_column];
    }
    sums[0] += a.x * x;
    sums[1] += a.y * x;
    sums[2] += a.z * x;
    sums[3] += a.w * x;
  }
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) {
      let m = first_m + r;
      let n = first_n + c;
      if (m < job.m && n < job.n) {
        gradients[job.c_offset + m * job.c_stride + n] = sums[r][c];
      }
    }
  }
}
