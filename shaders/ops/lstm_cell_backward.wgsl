// Backward of the LSTM cell's pointwise part, one invocation per (b, j): from the activated gates
// [B, 4H], c_prev and c [B, H], and the upstream dh and dc [B, H] (dc: the gradient of c from the
// next step) writes the pre-activation gradients [B, 4H] and dc_prev [B, H].
// Links: common/activations.wgsl, common/lstm.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct LstmBackwardShape {
  batch: u32,
  hidden: u32,
  gates_offset: u32,
  c_prev_offset: u32,
  c_offset: u32,
  dh_offset: u32,
  dc_offset: u32,
  d_pre_offset: u32,
  dc_prev_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: LstmBackwardShape;
@group(0) @binding(1) var<storage, read> gates: array<f32>;
@group(0) @binding(2) var<storage, read> c_prev: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read> dh: array<f32>;
@group(0) @binding(5) var<storage, read> dc: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_pre_activations: array<f32>;
@group(0) @binding(7) var<storage, read_write> dc_prev: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index >= shape.batch * shape.hidden) {
    return;
  }
  let hidden = shape.hidden;
  let b = index / hidden;
  let j = index % hidden;
  let gate = shape.gates_offset + 4u * hidden * b + j;
  let gradient = lstm_cell_backward(
    vec4<f32>(gates[gate], gates[gate + hidden], gates[gate + 2u * hidden], gates[gate + 3u * hidden]),
    c_prev[shape.c_prev_offset + index],
    tanh(c[shape.c_offset + index]),
    dh[shape.dh_offset + index],
    dc[shape.dc_offset + index],
  );
  let d_pre = shape.d_pre_offset + 4u * hidden * b + j;
  d_pre_activations[d_pre] = gradient.pre.x;
  d_pre_activations[d_pre + hidden] = gradient.pre.y;
  d_pre_activations[d_pre + 2u * hidden] = gradient.pre.z;
  d_pre_activations[d_pre + 3u * hidden] = gradient.pre.w;
  dc_prev[shape.dc_prev_offset + index] = gradient.c_prev;
}
