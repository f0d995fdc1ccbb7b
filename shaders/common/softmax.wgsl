// Softmax pieces, each with its backward beside it. Twin of the softmax in
// lib/cpu/head_activations.ts (the shift's 3 values) and lib/cpu/addressing.ts (content weights).
//
// A softmax over a long row in one workgroup (see README.md): each lane takes the largest of its
// elements, `largest = workgroup_max(...)`; each lane sums `exp(x - largest)` over its elements,
// `total = workgroup_sum(...)`; then `y = softmax_element(x, largest, total)`. Backward: with
// `weighted = workgroup_sum(Σ dy·y over the lane's elements)`,
// `dx = softmax_backward_element(y, dy, weighted)`.

// One element of softmax(x): `exp(x - largest) / total`, where `total = Σ_j exp(x_j - largest)`.
fn softmax_element(logit: f32, largest: f32, total: f32) -> f32 {
  return exp(logit - largest) / total;
}

// dx_i = y_i·(dy_i - Σ_j dy_j·y_j), given `weighted = Σ_j dy_j·y_j` over the row.
fn softmax_backward_element(y: f32, dy: f32, weighted: f32) -> f32 {
  return y * (dy - weighted);
}

// Softmax over 3 values (the shift weights s).
fn softmax3(logits: vec3<f32>) -> vec3<f32> {
  let largest = max(max(logits.x, logits.y), logits.z);
  let powered = exp(logits - vec3<f32>(largest));
  return powered / (powered.x + powered.y + powered.z);
}

// Backward of softmax3, from its output y and the upstream gradient dy.
fn softmax3_backward(y: vec3<f32>, dy: vec3<f32>) -> vec3<f32> {
  let weighted = dy.x * y.x + dy.y * y.y + dy.z * y.z;
  return y * (dy - vec3<f32>(weighted));
}
