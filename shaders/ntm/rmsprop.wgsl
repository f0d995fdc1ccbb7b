// Gradient clamping and RMSprop (PyTorch semantics, momentum, not centred) over the trainable
// range of the padded parameter store, in place. Twin of lib/cpu/rmsprop.ts `rmspropStep`:
// `g = clamp(grad, ±clip)`, `v = alpha·v + (1-alpha)·g²`, `buf = momentum·buf + g/(sqrt(v)+eps)`,
// `p -= lr·buf`. Padding holds zero parameters and gradients and stays zero.
//
// Element-wise: ~10 FLOP, 20 bytes read and 12 written per parameter (copy task: 66k parameters,
// 2 MB per step). Lanes stride over the range, so any size fits the grid.

struct RmspropSettings {
  lr: f32,
  alpha: f32,
  // 1 - alpha, rounded once from the double the CPU uses.
  one_minus_alpha: f32,
  momentum: f32,
  eps: f32,
  clip: f32,
  // Parameters to update (the trainable prefix).
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
// The running mean of squared gradients [count], then the momentum buffer [count].
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<uniform> settings: RmspropSettings;

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let count = settings.count;
  for (var i = id.x; i < count; i += groups.x * WORKGROUP_SIZE) {
    let g = clamp(grads[i], -settings.clip, settings.clip);
    let square_average = settings.alpha * state[i] + settings.one_minus_alpha * g * g;
    let momentum_buffer = settings.momentum * state[count + i] +
      g / (sqrt(square_average) + settings.eps);
    state[i] = square_average;
    state[count + i] = momentum_buffer;
    params[i] -= settings.lr * momentum_buffer;
  }
}
