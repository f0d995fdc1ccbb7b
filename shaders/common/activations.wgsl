// Scalar activations and their derivatives, with PyTorch's conventions.
// Twin of lib/cpu/activations.ts. Shared by the tensor ops and the fused NTM kernels.

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// PyTorch's softplus (beta 1, threshold 20); log(1 + e^x) without losing small values.
fn softplus(x: f32) -> f32 {
  if (x > 20.0) {
    return x;
  }
  let e = exp(x);
  if (e < 1e-4) {
    return e * (1.0 - 0.5 * e);
  }
  return log(1.0 + e);
}

// d softplus / dx: sigmoid(x), or 1 above the threshold.
fn softplus_grad(x: f32) -> f32 {
  if (x > 20.0) {
    return 1.0;
  }
  return sigmoid(x);
}

// d sigmoid / dx written with the output y = sigmoid(x).
fn sigmoid_grad_from_output(y: f32) -> f32 {
  return y * (1.0 - y);
}

// d tanh / dx written with the output y = tanh(x).
fn tanh_grad_from_output(y: f32) -> f32 {
  return 1.0 - y * y;
}
