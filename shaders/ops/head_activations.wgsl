// A head's activations over a batch, one invocation per value (b, e) of the head's linear output
// [B, width], in the reference's split order: k (M) raw, beta softplus, g sigmoid, s (3) softmax,
// gamma 1 + softplus, and for write heads (width 3M + 6) e (M) sigmoid, a (M) raw.
// forward:  act = activate(raw).
// backward: d_raw from d_act, the forward's raw (softplus) and act (sigmoid, softmax).
// Bindings: raw at 1; forward: act (written) at 2; backward: d_raw (written) at 2, act at 3,
// d_act at 4.
// Links: common/activations.wgsl, common/softmax.wgsl, common/head.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct HeadShape {
  batch: u32,
  m: u32,
  width: u32,
  raw_offset: u32,
  output_offset: u32,
  act_offset: u32,
  d_act_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: HeadShape;
@group(0) @binding(1) var<storage, read> raw: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

// The flat index of this invocation's value (b, e); past the end for idle invocations.
fn element(
  workgroup_id: vec3<u32>,
  num_workgroups: vec3<u32>,
  lane: u32,
) -> u32 {
  return flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
}

@compute @workgroup_size(WORKGROUP)
fn forward(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = element(workgroup_id, num_workgroups, lane);
  if (index >= shape.batch * shape.width) {
    return;
  }
  let e = index % shape.width;
  let parts = head_layout(shape.m);
  let shift = shape.raw_offset + index - e + parts.shift;
  let shift_logits = vec3<f32>(raw[shift], raw[shift + 1u], raw[shift + 2u]);
  output[shape.output_offset + index] = head_activation(
    e,
    parts,
    raw[shape.raw_offset + index],
    shift_logits,
  );
}

// Bound only by the backward entry point.
@group(0) @binding(3) var<storage, read> act: array<f32>;
@group(0) @binding(4) var<storage, read> d_act: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn backward(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = element(workgroup_id, num_workgroups, lane);
  if (index >= shape.batch * shape.width) {
    return;
  }
  let e = index % shape.width;
  let parts = head_layout(shape.m);
  // The row's activated shift weights and the gradients of its activated scalars.
  let act_row = shape.act_offset + index - e;
  let d_act_row = shape.d_act_offset + index - e;
  let shift = act_row + parts.shift;
  let d_shift = d_act_row + parts.shift;
  let scalars = HeadScalarGradients(
    d_act[d_act_row + parts.beta],
    d_act[d_act_row + parts.gate],
    vec3<f32>(d_act[d_shift], d_act[d_shift + 1u], d_act[d_shift + 2u]),
    d_act[d_act_row + parts.gamma],
  );
  output[shape.output_offset + index] = head_activation_backward(
    e,
    parts,
    raw[shape.raw_offset + index],
    act[act_row + e],
    d_act[d_act_row + e],
    scalars,
    vec3<f32>(act[shift], act[shift + 1u], act[shift + 2u]),
  );
}
