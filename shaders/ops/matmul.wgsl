// C[m, n] (+)= Σ_k op(A)[m, k]·op(B)[k, n], row-major, op = transpose where asked.
// A is [m, k] (or [k, m] with TRANSPOSE_A), B is [k, n] (or [n, k] with TRANSPOSE_B).
//
// Each workgroup of 8×8 lanes computes a (8·ROWS_PER_LANE)×64 tile of C; each lane keeps
// ROWS_PER_LANE rows × 8 columns of sums in registers (rows first_row + 8r, columns
// first_column + 8s), so neighbouring lanes read neighbouring columns of B and the same element
// of A. With 8 rows per lane a step of k loads 16 values for 64 multiply-adds; the launcher takes
// fewer rows per lane where that wastes less of the last tile (lib/gpu/ops/matmul.ts). Loads past the edges are clamped to the last row/column (their sums are
// dropped at the store), so the inner loop has no branches.

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override ACCUMULATE: bool = false;

// Rows of C per lane, 1 to MAX_ROWS_PER_LANE.
override ROWS_PER_LANE: u32 = 8u;

const LANES: u32 = 8u;
const MAX_ROWS_PER_LANE: u32 = 8u;
const COLUMNS_PER_LANE: u32 = 8u;

struct MatmulShape {
  m: u32,
  n: u32,
  k: u32,
  a_offset: u32,
  b_offset: u32,
  c_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: MatmulShape;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// op(A)[row, depth].
fn load_a(row: u32, depth: u32) -> f32 {
  if (TRANSPOSE_A) {
    return a[shape.a_offset + depth * shape.m + row];
  }
  return a[shape.a_offset + row * shape.k + depth];
}

// op(B)[depth, column].
fn load_b(depth: u32, column: u32) -> f32 {
  if (TRANSPOSE_B) {
    return b[shape.b_offset + column * shape.k + depth];
  }
  return b[shape.b_offset + depth * shape.n + column];
}

fn store_c(row: u32, column: u32, value: f32) {
  if (row < shape.m && column < shape.n) {
    let index = shape.c_offset + row * shape.n + column;
    if (ACCUMULATE) {
      c[index] += value;
    } else {
      c[index] = value;
    }
  }
}

@compute @workgroup_size(LANES, LANES)
fn main(
  @builtin(workgroup_id) tile: vec3<u32>,
  @builtin(local_invocation_id) lane: vec3<u32>,
) {
  let first_row = tile.y * ROWS_PER_LANE * LANES + lane.y;
  let first_column = tile.x * COLUMNS_PER_LANE * LANES + lane.x;
  var rows: array<u32, MAX_ROWS_PER_LANE>;
  for (var r = 0u; r < ROWS_PER_LANE; r++) {
    rows[r] = min(first_row + r * LANES, shape.m - 1u);
  }
  var columns: array<u32, COLUMNS_PER_LANE>;
  for (var s = 0u; s < COLUMNS_PER_LANE; s++) {
    columns[s] = min(first_column + s * LANES, shape.n - 1u);
  }
  // sums[r][h][q]: row r, column 4h + q.
  var sums: array<array<vec4<f32>, 2>, MAX_ROWS_PER_LANE>;
  for (var depth = 0u; depth < shape.k; depth++) {
    let low = vec4<f32>(
      load_b(depth, columns[0]),
      load_b(depth, columns[1]),
      load_b(depth, columns[2]),
      load_b(depth, columns[3]),
    );
    let high = vec4<f32>(
      load_b(depth, columns[4]),
      load_b(depth, columns[5]),
      load_b(depth, columns[6]),
      load_b(depth, columns[7]),
    );
    for (var r = 0u; r < ROWS_PER_LANE; r++) {
      let value = load_a(rows[r], depth);
      sums[r][0] += value * low;
      sums[r][1] += value * high;
    }
  }
  for (var r = 0u; r < ROWS_PER_LANE; r++) {
    for (var s = 0u; s < COLUMNS_PER_LANE; s++) {
      store_c(first_row + r * LANES, first_column + s * LANES, sums[r][s / 4u][s % 4u]);
    }
  }
}
