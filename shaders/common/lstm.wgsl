// The pointwise part of an LSTM cell, forward and backward, PyTorch's gate order i, f, g, o.
// Twin of the loops in lib/cpu/lstm.ts. Needs activations.wgsl.
// Gate vectors are `vec4(i, f, g, o)`: pre-activations in, activated gates stored for backward.

struct LstmCell {
  // Activated gates: i, f, o sigmoid; g tanh.
  gates: vec4<f32>,
  c: f32,
  tanh_c: f32,
  h: f32,
}

// From the 4 pre-activations (W_ih·x + b_ih + W_hh·h_prev + b_hh) and c_prev:
// c = f·c_prev + i·g, h = o·tanh(c).
fn lstm_cell(pre: vec4<f32>, c_prev: f32) -> LstmCell {
  let gates = vec4<f32>(sigmoid(pre.x), sigmoid(pre.y), tanh(pre.z), sigmoid(pre.w));
  let c = gates.y * c_prev + gates.x * gates.z;
  let tanh_c = tanh(c);
  return LstmCell(gates, c, tanh_c, gates.w * tanh_c);
}

struct LstmCellGradient {
  // Gradients of the 4 pre-activations (i, f, g, o).
  pre: vec4<f32>,
  c_prev: f32,
}

// From the activated gates, c_prev, tanh(c) and the upstream `dh` (of h) and `dc` (of c, from
// the next step).
fn lstm_cell_backward(
  gates: vec4<f32>,
  c_prev: f32,
  tanh_c: f32,
  dh: f32,
  dc: f32,
) -> LstmCellGradient {
  let i = gates.x;
  let f = gates.y;
  let g = gates.z;
  let o = gates.w;
  let d_cell = dc + dh * o * tanh_grad_from_output(tanh_c);
  let pre = vec4<f32>(
    d_cell * g * sigmoid_grad_from_output(i),
    d_cell * c_prev * sigmoid_grad_from_output(f),
    d_cell * i * tanh_grad_from_output(g),
    dh * tanh_c * sigmoid_grad_from_output(o),
  );
  return LstmCellGradient(pre, d_cell * f);
}
