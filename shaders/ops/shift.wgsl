// Circular 3-tap shift: ws[b, i] = s0·wg[b, i-1] + s1·wg[b, i] + s2·wg[b, i+1] (indices mod N),
// one invocation per (b, i). Links: common/addressing.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct ShiftShape {
  batch: u32,
  n: u32,
  weights_offset: u32,
  shift_offset: u32,
  shifted_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: ShiftShape;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> shift: array<f32>;
@group(0) @binding(3) var<storage, read_write> shifted: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index >= shape.batch * shape.n) {
    return;
  }
  let b = index / shape.n;
  let i = index % shape.n;
  let start = shape.weights_offset + b * shape.n;
  let s = shape.shift_offset + 3u * b;
  shifted[shape.shifted_offset + index] = shift_element(
    vec3<f32>(shift[s], shift[s + 1u], shift[s + 2u]),
    weights[start + row_above(i, shape.n)],
    weights[start + i],
    weights[start + row_below(i, shape.n)],
  );
}
