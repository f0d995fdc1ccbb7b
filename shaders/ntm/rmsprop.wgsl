// Gradient clamping and RMSprop (PyTorch semantics, momentum, not centred) for one parameter.
// Twin of lib/cpu/rmsprop.ts `rmspropStep`: `g = clamp(grad, ±clip)`,
// `v = alpha·v + (1-alpha)·g²`, `buf = momentum·buf + g/(sqrt(v)+eps)`, `p -= lr·buf`.
// ~10 FLOP per parameter.

// The learning rate is `lr` until the schedule's first switch (lib/train/lr_schedule.ts): from
// batch switch_after[i] + 1 on it is switch_lr[i], for the first `switches` entries (at most 8,
// by increasing batch). `rmsprop_update` takes `lr`; `settings_at` sets it for a batch.
struct RmspropSettings {
  lr: f32,
  alpha: f32,
  // 1 - alpha, rounded once from the double the CPU uses.
  one_minus_alpha: f32,
  momentum: f32,
  eps: f32,
  clip: f32,
  switches: u32,
  switch_after: array<vec4<u32>, 2>,
  switch_lr: array<vec4<f32>, 2>,
}

// The settings of batch `batch` (1-based): `lr` as the schedule sets it there.
fn settings_at(settings: RmspropSettings, batch: u32) -> RmspropSettings {
  var current = settings;
  for (var i = 0u; i < settings.switches; i++) {
    if (batch > settings.switch_after[i / 4u][i % 4u]) {
      current.lr = settings.switch_lr[i / 4u][i % 4u];
    }
  }
  return current;
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
