// Backward of the interpolation, one workgroup per batch row: from d_interpolated [B, N] adds
// d_content += g·dwg, d_previous += (1 - g)·dwg and d_gate[b] += Σ_i dwg_i·(wc_i - w_prev_i).
// Links: common/reduce.wgsl, common/addressing.wgsl, common/grid.wgsl.

struct InterpolateBackwardShape {
  batch: u32,
  n: u32,
  content_offset: u32,
  previous_offset: u32,
  gate_offset: u32,
  d_interpolated_offset: u32,
  d_content_offset: u32,
  d_previous_offset: u32,
  d_gate_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: InterpolateBackwardShape;
@group(0) @binding(1) var<storage, read> content: array<f32>;
@group(0) @binding(2) var<storage, read> previous: array<f32>;
@group(0) @binding(3) var<storage, read> gate: array<f32>;
@group(0) @binding(4) var<storage, read> d_interpolated: array<f32>;
@group(0) @binding(5) var<storage, read_write> d_content: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_previous: array<f32>;
@group(0) @binding(7) var<storage, read_write> d_gate: array<f32>;

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
  let g = gate[shape.gate_offset + b];
  var gate_gradient = 0.0;
  for (var i = lane; i < shape.n; i += WORKGROUP_SIZE) {
    let index = b * shape.n + i;
    let gradient = interpolate_backward(
      g,
      content[shape.content_offset + index],
      previous[shape.previous_offset + index],
      d_interpolated[shape.d_interpolated_offset + index],
    );
    d_content[shape.d_content_offset + index] += gradient.wc;
    d_previous[shape.d_previous_offset + index] += gradient.w_prev;
    gate_gradient += gradient.gate;
  }
  let total = workgroup_sum(gate_gradient, lane, WORKGROUP_SIZE);
  if (lane == 0u) {
    d_gate[shape.d_gate_offset + b] += total;
  }
}
