// Backward of the circular 3-tap shift, one workgroup per batch row: from dws [B, N] adds
// dwg[b, i] += s0·dws[b, i+1] + s1·dws[b, i] + s2·dws[b, i-1] and
// d_shift[b, :] += Σ_i dws[b, i]·(wg[b, i-1], wg[b, i], wg[b, i+1]).
// Links: common/reduce.wgsl, common/addressing.wgsl, common/grid.wgsl.

struct ShiftBackwardShape {
  batch: u32,
  n: u32,
  weights_offset: u32,
  shift_offset: u32,
  d_shifted_offset: u32,
  d_weights_offset: u32,
  d_shift_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: ShiftBackwardShape;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> shift: array<f32>;
@group(0) @binding(3) var<storage, read> d_shifted: array<f32>;
@group(0) @binding(4) var<storage, read_write> d_weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> d_shift: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let b = flat_workgroup(workgroup_id, num_workgroups);
  if (b >= shape.batch) {
    return;
  }
  let n = shape.n;
  let weights_start = shape.weights_offset + b * n;
  let d_shifted_start = shape.d_shifted_offset + b * n;
  let s = shape.shift_offset + 3u * b;
  let taps = vec3<f32>(shift[s], shift[s + 1u], shift[s + 2u]);
  var taps_gradient = vec3<f32>();
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    let above = row_above(i, n);
    let below = row_below(i, n);
    taps_gradient += shift_weight_gradient(
      d_shifted[d_shifted_start + i],
      weights[weights_start + above],
      weights[weights_start + i],
      weights[weights_start + below],
    );
    d_weights[shape.d_weights_offset + b * n + i] += shift_transpose_element(
      taps,
      d_shifted[d_shifted_start + above],
      d_shifted[d_shifted_start + i],
      d_shifted[d_shifted_start + below],
    );
  }
  let total = workgroup_sum4(vec4<f32>(taps_gradient, 0.0), lane, WORKGROUP_SIZE);
  if (lane == 0u) {
    let d = shape.d_shift_offset + 3u * b;
    d_shift[d] += total.x;
    d_shift[d + 1u] += total.y;
    d_shift[d + 2u] += total.z;
  }
}
