// Sharpening: w[b, i] = ws[b, i]^gamma_b / (Σ_j ws[b, j]^gamma_b + 1e-16), one workgroup per
// batch row. Links: common/reduce.wgsl, common/addressing.wgsl, common/grid.wgsl.

struct SharpenShape {
  batch: u32,
  n: u32,
  shifted_offset: u32,
  gamma_offset: u32,
  sharpened_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: SharpenShape;
@group(0) @binding(1) var<storage, read> shifted: array<f32>;
@group(0) @binding(2) var<storage, read> gammas: array<f32>;
@group(0) @binding(3) var<storage, read_write> sharpened: array<f32>;

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
  let start = shape.shifted_offset + b * shape.n;
  let gamma = gammas[shape.gamma_offset + b];
  var total = 0.0;
  for (var i = lane; i < shape.n; i += WORKGROUP_SIZE) {
    total += sharpen_power(shifted[start + i], gamma);
  }
  let denominator = sharpen_denominator(workgroup_sum(total, lane, WORKGROUP_SIZE));
  for (var i = lane; i < shape.n; i += WORKGROUP_SIZE) {
    sharpened[shape.sharpened_offset + b * shape.n + i] = sharpen_element(
      sharpen_power(shifted[start + i], gamma),
      denominator,
    );
  }
}
