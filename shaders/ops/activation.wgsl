// Pointwise activations and their gradients, one invocation per element.
// Links: common/activations.wgsl, common/grid.wgsl.
//
// FUNCTION: 0 sigmoid, 1 tanh, 2 softplus.
// forward:  y = f(x).
// backward: dx = dy·f'(…), where `saved` is the forward's output y for sigmoid and tanh, and its
//           input x for softplus (PyTorch's choice, which keeps softplus's threshold exact).

override FUNCTION: u32 = 0u;

const SIGMOID: u32 = 0u;
const TANH: u32 = 1u;
const WORKGROUP: u32 = 64u;

struct ActivationShape {
  count: u32,
  input_offset: u32,
  upstream_offset: u32,
  output_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: ActivationShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

fn activate(x: f32) -> f32 {
  if (FUNCTION == SIGMOID) {
    return sigmoid(x);
  }
  if (FUNCTION == TANH) {
    return tanh(x);
  }
  return softplus(x);
}

fn derivative(saved: f32) -> f32 {
  if (FUNCTION == SIGMOID) {
    return sigmoid_grad_from_output(saved);
  }
  if (FUNCTION == TANH) {
    return tanh_grad_from_output(saved);
  }
  return softplus_grad(saved);
}

@compute @workgroup_size(WORKGROUP)
fn forward(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index < shape.count) {
    output[shape.output_offset + index] = activate(input[shape.input_offset + index]);
  }
}

// Bound only by the backward entry point (binding 3, after the output).
@group(0) @binding(3) var<storage, read> upstream: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn backward(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index < shape.count) {
    let saved = input[shape.input_offset + index];
    output[shape.output_offset + index] = upstream[shape.upstream_offset + index] *
      derivative(saved);
  }
}
