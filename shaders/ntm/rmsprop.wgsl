// Gradient clamping and RMSprop (PyTorch semantics, momentum, not centred) for one parameter.
// Twin of lib/cpu/rmsprop.ts `rmspropStep`: `g = clamp(grad, ±clip)`,
// `v = alpha·v + (1-alpha)·g²`, `buf = momentum·buf + g/(sqrt(v)+eps)`, `p -= lr·buf`.
// ~10 FLOP per parameter.

struct RmspropSettings {
  lr: f32,
  alpha: f32,
  // 1 - alpha, rounded once from the double the CPU uses.
  one_minus_alpha: f32,
  momentum: f32,
  eps: f32,
  clip: f32,
}

// A parameter and its optimizer state after one step.
struct RmspropUpdate {
  param: f32,
  square_average: f32,
  momentum_buffer: f32,
}

fn rmsprop_update(
  settings: RmspropSettings,
  param: f32,
  grad: f32,
  square_average: f32,
  momentum_buffer: f32,
) -> RmspropUpdate {
  let g = clamp(grad, -settings.clip, settings.clip);
  let v = settings.alpha * square_average + settings.one_minus_alpha * g * g;
  let buffer = settings.momentum * momentum_buffer + g / (sqrt(v) + settings.eps);
  return RmspropUpdate(param - settings.lr * buffer, v, buffer);
}
