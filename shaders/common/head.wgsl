// A head's activations, one element of its linear output at a time, forward and backward. Twin
// of lib/cpu/head_activations.ts; the layout is lib/config.ts `headLayout`:
// `k (M), beta, g, s (3), gamma [, e (M), a (M)]`, with k and a raw, beta softplus, g sigmoid,
// s softmax over its 3 values, gamma 1 + softplus, e sigmoid. Needs activations.wgsl and
// softmax.wgsl.

// Where a head's values lie for memory width M (lib/config.ts `HeadLayout`): k at 0..M, then
// these. A read head's output stops before `erase` (width M + 6), a write head's after
// `add + M` (width 3M + 6).
struct HeadLayout {
  key: u32,
  beta: u32,
  gate: u32,
  shift: u32,
  gamma: u32,
  erase: u32,
  add: u32,
}

fn head_layout(memory_m: u32) -> HeadLayout {
  return HeadLayout(
    0u,
    memory_m,
    memory_m + 1u,
    memory_m + 2u,
    memory_m + 5u,
    memory_m + 6u,
    2u * memory_m + 6u,
  );
}

// ---- The activation of each part, from its raw value(s).

// The key strength beta > 0.
fn activate_beta(raw: f32) -> f32 {
  return softplus(raw);
}

// The interpolation gate g in (0, 1).
fn activate_gate(raw: f32) -> f32 {
  return sigmoid(raw);
}

// The shift weights s from their 3 raw values.
fn activate_shift(logits: vec3<f32>) -> vec3<f32> {
  return softmax3(logits);
}

// The sharpening exponent gamma ≥ 1.
fn activate_gamma(raw: f32) -> f32 {
  return 1.0 + softplus(raw);
}

// An erase element in (0, 1).
fn activate_erase(raw: f32) -> f32 {
  return sigmoid(raw);
}

// Element r of the activated head from its raw value and the raw shift logits.
fn head_activation(r: u32, parts: HeadLayout, raw: f32, shift_logits: vec3<f32>) -> f32 {
  if (r < parts.beta || r >= parts.add) {
    return raw;
  }
  if (r == parts.beta) {
    return activate_beta(raw);
  }
  if (r == parts.gate) {
    return activate_gate(raw);
  }
  if (r < parts.gamma) {
    return activate_shift(shift_logits)[r - parts.shift];
  }
  if (r == parts.gamma) {
    return activate_gamma(raw);
  }
  return activate_erase(raw);
}

// The gradients of a head's activated scalars (in a fused kernel, summed over the memory rows).
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
  parts: HeadLayout,
  raw: f32,
  act: f32,
  d_act: f32,
  scalars: HeadScalarGradients,
  shift: vec3<f32>,
) -> f32 {
  if (r < parts.beta || r >= parts.add) {
    return d_act;
  }
  if (r == parts.beta) {
    return scalars.beta * softplus_grad(raw);
  }
  if (r == parts.gate) {
    return scalars.gate * sigmoid_grad_from_output(act);
  }
  if (r < parts.gamma) {
    return softmax3_backward(shift, scalars.shift)[r - parts.shift];
  }
  if (r == parts.gamma) {
    return scalars.gamma * softplus_grad(raw);
  }
  return d_act * sigmoid_grad_from_output(act);
}
