// The training loss of one output element, forward and backward, with PyTorch `BCELoss`
// semantics, and the bit error the training history reports. Twin of lib/cpu/loss.ts (`bceLoss`,
// `bceLossBackward`, `bitCost`): the loss is the mean of `bce_element` over the elements, the
// cost the sum of `bit_error` over the batch divided by the batch size.

// PyTorch clamps each log term of the binary cross-entropy at -100.
const BCE_LOG_FLOOR: f32 = -100.0;
// PyTorch's floor on `y·(1-y)` in the gradient.
const BCE_GRADIENT_EPS: f32 = 1e-12;

// -(t·log y + (1-t)·log(1-y)) for output y and target t (`expected`), each log clamped at -100.
fn bce_element(y: f32, expected: f32) -> f32 {
  let log_y = max(log(y), BCE_LOG_FLOOR);
  let log_not_y = max(log(1.0 - y), BCE_LOG_FLOOR);
  return (expected - 1.0) * log_not_y - expected * log_y;
}

// d loss / d y of one element of a mean over `1 / scale` elements.
fn bce_backward_element(y: f32, expected: f32, scale: f32) -> f32 {
  return scale * (y - expected) / max((1.0 - y) * y, BCE_GRADIENT_EPS);
}

// 1 where y thresholded at 0.5 (0.5 counting as 1) differs from the target bit, else 0.
fn bit_error(y: f32, expected: f32) -> f32 {
  return abs(select(1.0, 0.0, y < 0.5) - expected);
}
