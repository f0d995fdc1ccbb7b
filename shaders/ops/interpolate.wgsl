// Interpolation with the previous weighting, wg[b, i] = g_b·wc[b, i] + (1 - g_b)·w_prev[b, i],
// one invocation per (b, i). Links: common/addressing.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct InterpolateShape {
  batch: u32,
  n: u32,
  content_offset: u32,
  previous_offset: u32,
  gate_offset: u32,
  interpolated_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: InterpolateShape;
@group(0) @binding(1) var<storage, read> content: array<f32>;
@group(0) @binding(2) var<storage, read> previous: array<f32>;
@group(0) @binding(3) var<storage, read> gate: array<f32>;
@group(0) @binding(4) var<storage, read_write> interpolated: array<f32>;

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
  interpolated[shape.interpolated_offset + index] = interpolate(
    gate[shape.gate_offset + index / shape.n],
    content[shape.content_offset + index],
    previous[shape.previous_offset + index],
  );
}
