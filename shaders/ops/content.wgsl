// Content addressing (paper section 3.3.1), one workgroup per batch row:
// similarity[b, i] = cos(memory[b, i, :] + 1e-16, key[b, :] + 1e-16) (denominator ≥ 1e-8) and
// weights[b, :] = softmax(beta_b · similarity[b, :]).
// Links: common/reduce.wgsl, common/softmax.wgsl, common/addressing.wgsl, common/grid.wgsl.

struct ContentShape {
  batch: u32,
  n: u32,
  m: u32,
  memory_offset: u32,
  key_offset: u32,
  beta_offset: u32,
  similarity_offset: u32,
  weights_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: ContentShape;
@group(0) @binding(1) var<storage, read> memory: array<f32>;
@group(0) @binding(2) var<storage, read> key: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> similarity: array<f32>;
@group(0) @binding(5) var<storage, read_write> weights: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let b = flat_workgroup(workgroup_id, num_workgroups);
  if (b >= shape.batch) {
    return;
  }
  let n = shape.n;
  let m = shape.m;
  let key_start = shape.key_offset + b * m;
  var key_squared = 0.0;
  for (var j = 0u; j < m; j++) {
    let v = cosine_operand(key[key_start + j]);
    key_squared += v * v;
  }
  let strength = beta[shape.beta_offset + b];
  let similarity_start = shape.similarity_offset + b * n;
  var largest = LOWEST_F32;
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    let row_start = shape.memory_offset + (b * n + i) * m;
    var dot_product = 0.0;
    var row_squared = 0.0;
    for (var j = 0u; j < m; j++) {
      let u = cosine_operand(memory[row_start + j]);
      dot_product += u * cosine_operand(key[key_start + j]);
      row_squared += u * u;
    }
    let value = cosine(dot_product, row_squared, key_squared);
    similarity[similarity_start + i] = value;
    largest = max(largest, strength * value);
  }
  largest = workgroup_max(largest, lane, WORKGROUP_SIZE);
  var total = 0.0;
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    total += exp(strength * similarity[similarity_start + i] - largest);
  }
  total = workgroup_sum(total, lane, WORKGROUP_SIZE);
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    weights[shape.weights_offset + b * n + i] = softmax_element(
      strength * similarity[similarity_start + i],
      largest,
      total,
    );
  }
}
