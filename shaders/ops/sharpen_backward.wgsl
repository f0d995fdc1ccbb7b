// Backward of sharpening, one workgroup per batch row: with d_i = (dw_i - Σ_j dw_j·w_j)·w_i, adds
// d_shifted[b, i] += d_i·gamma/ws_i and d_gamma[b] += Σ_i d_i·log ws_i (a zero ws_i: nothing).
// Links: common/reduce.wgsl, common/addressing.wgsl, common/grid.wgsl.

struct SharpenBackwardShape {
  batch: u32,
  n: u32,
  shifted_offset: u32,
  gamma_offset: u32,
  sharpened_offset: u32,
  d_sharpened_offset: u32,
  d_shifted_offset: u32,
  d_gamma_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: SharpenBackwardShape;
@group(0) @binding(1) var<storage, read> shifted: array<f32>;
@group(0) @binding(2) var<storage, read> gammas: array<f32>;
@group(0) @binding(3) var<storage, read> sharpened: array<f32>;
@group(0) @binding(4) var<storage, read> d_sharpened: array<f32>;
@group(0) @binding(5) var<storage, read_write> d_shifted: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_gamma: array<f32>;

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
  let ws_start = shape.shifted_offset + b * n;
  let w_start = shape.sharpened_offset + b * n;
  let dw_start = shape.d_sharpened_offset + b * n;
  let gamma = gammas[shape.gamma_offset + b];
  var weighted = 0.0;
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    weighted += d_sharpened[dw_start + i] * sharpened[w_start + i];
  }
  weighted = workgroup_sum(weighted, lane, WORKGROUP_SIZE);
  var gamma_gradient = 0.0;
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    let gradient = sharpen_backward(
      shifted[ws_start + i],
      gamma,
      sharpened[w_start + i],
      d_sharpened[dw_start + i],
      weighted,
    );
    d_shifted[shape.d_shifted_offset + b * n + i] += gradient.ws;
    gamma_gradient += gradient.gamma;
  }
  let total = workgroup_sum(gamma_gradient, lane, WORKGROUP_SIZE);
  if (lane == 0u) {
    d_gamma[shape.d_gamma_offset + b] += total;
  }
}
