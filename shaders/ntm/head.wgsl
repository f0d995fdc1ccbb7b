// A head's activations, one element of its linear output at a time, forward and backward. Twin
// of lib/cpu/head_activations.ts; the layout is lib/config.ts `headLayout`:
// `k (M), beta, g, s (3), gamma [, e (M), a (M)]`, with k and a raw, beta softplus, g sigmoid,
// s softmax over its 3 values, gamma 1 + softplus, e sigmoid. Needs activations.wgsl,
// softmax.wgsl and shape.wgsl (MEMORY_M).

// Where the head's values lie.
const KEY: u32 = 0u;
override BETA: u32 = MEMORY_M;
override GATE: u32 = MEMORY_M + 1u;
override SHIFT: u32 = MEMORY_M + 2u;
override GAMMA: u32 = MEMORY_M + 5u;
override ERASE: u32 = MEMORY_M + 6u;
override ADD: u32 = 2u * MEMORY_M + 6u;

// Element r of the activated head from its raw value and the raw shift logits.
fn head_activation(r: u32, raw: f32, shift_logits: vec3<f32>) -> f32 {
  if (r < BETA || r >= ADD) {
    return raw;
  }
  if (r == BETA) {
    return softplus(raw);
  }
  if (r == GATE) {
    return sigmoid(raw);
  }
  if (r < GAMMA) {
    return softmax3(shift_logits)[r - SHIFT];
  }
  if (r == GAMMA) {
    return 1.0 + softplus(raw);
  }
  return sigmoid(raw);
}

// The gradients of a head's activated scalars, summed over the memory rows.
struct HeadScalarGradients {
  beta: f32,
  gate: f32,
  shift: vec3<f32>,
  gamma: f32,
}

// Gradient of raw element r, from the gradient of its activated value `d_act` (used for k, e
// and a) or of the scalars, given the raw value, the activated value and the shift weights.
fn head_activation_backward(
  r: u32,
  raw: f32,
  act: f32,
  d_act: f32,
  scalars: HeadScalarGradients,
  shift: vec3<f32>,
) -> f32 {
  if (r < BETA || r >= ADD) {
    return d_act;
  }
  if (r == BETA) {
    return scalars.beta * softplus_grad(raw);
  }
  if (r == GATE) {
    return scalars.gate * sigmoid_grad_from_output(act);
  }
  if (r < GAMMA) {
    return softmax3_backward(shift, scalars.shift)[r - SHIFT];
  }
  if (r == GAMMA) {
    return scalars.gamma * softplus_grad(raw);
  }
  return d_act * sigmoid_grad_from_output(act);
}
