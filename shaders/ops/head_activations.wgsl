// A head's activations over a batch, one invocation per value (b, e) of the head's linear output
// [B, width], in the reference's split order: k (M) raw, beta softplus, g sigmoid, s (3) softmax,
// gamma 1 + softplus, and for write heads (width 3M + 6) e (M) sigmoid, a (M) raw.
// forward:  act = activate(raw).
// backward: d_raw from d_act, the forward's raw (softplus) and act (sigmoid, softmax).
// Bindings: raw at 1; forward: act (written) at 2; backward: d_raw (written) at 2, act at 3,
// d_act at 4.
// Links: common/activations.wgsl, common/softmax.wgsl, common/grid.wgsl.

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

// What value `e` of a head's output is.
const KEY: u32 = 0u;
const BETA: u32 = 1u;
const GATE: u32 = 2u;
const SHIFT: u32 = 3u;
const GAMMA: u32 = 4u;
const ERASE: u32 = 5u;
const ADD: u32 = 6u;

fn segment(e: u32) -> u32 {
  let m = shape.m;
  if (e < m) {
    return KEY;
  }
  if (e == m) {
    return BETA;
  }
  if (e == m + 1u) {
    return GATE;
  }
  if (e < m + 5u) {
    return SHIFT;
  }
  if (e == m + 5u) {
    return GAMMA;
  }
  if (e < 2u * m + 6u) {
    return ERASE;
  }
  return ADD;
}

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
  let x = raw[shape.raw_offset + index];
  var y = x;
  switch (segment(e)) {
    case BETA: {
      y = softplus(x);
    }
    case GATE, ERASE: {
      y = sigmoid(x);
    }
    case SHIFT: {
      let first = shape.raw_offset + index - (e - (shape.m + 2u));
      y = softmax3(vec3<f32>(raw[first], raw[first + 1u], raw[first + 2u]))[e - (shape.m + 2u)];
    }
    case GAMMA: {
      y = 1.0 + softplus(x);
    }
    default: {}
  }
  output[shape.output_offset + index] = y;
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
  let upstream = d_act[shape.d_act_offset + index];
  var gradient = upstream;
  switch (segment(e)) {
    case BETA, GAMMA: {
      gradient = upstream * softplus_grad(raw[shape.raw_offset + index]);
    }
    case GATE, ERASE: {
      gradient = upstream * sigmoid_grad_from_output(act[shape.act_offset + index]);
    }
    case SHIFT: {
      let component = e - (shape.m + 2u);
      let first_act = shape.act_offset + index - component;
      let first_d_act = shape.d_act_offset + index - component;
      gradient = softmax3_backward(
        vec3<f32>(act[first_act], act[first_act + 1u], act[first_act + 2u]),
        vec3<f32>(d_act[first_d_act], d_act[first_d_act + 1u], d_act[first_d_act + 2u]),
      )[component];
    }
    default: {}
  }
  output[shape.output_offset + index] = gradient;
}
