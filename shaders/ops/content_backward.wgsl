// Backward of content addressing, one workgroup per batch row. From d_weights [B, N] (and the
// forward's similarity and weights) adds the gradients of the memory [B, N, M], the key [B, M]
// and beta [B]:
//   dlogit_i = w_i·(dw_i - Σ_j dw_j·w_j),  dbeta += Σ_i dlogit_i·K_i,  dK_i = beta·dlogit_i,
//   dMem_im += dK_i·(cross_i·v_m - u_scale_i·u_im),  dk_m += Σ_i dK_i·(cross_i·u_im - v_scale_i·v_m).
// The key's sum over rows goes through `row_factor` (dK_i·cross_i, one per memory row: ROWS = N).
// Links: common/reduce.wgsl, common/softmax.wgsl, common/addressing.wgsl, common/grid.wgsl.

override ROWS: u32 = 128u;

var<workgroup> row_factor: array<f32, ROWS>;

struct ContentBackwardShape {
  batch: u32,
  n: u32,
  m: u32,
  memory_offset: u32,
  key_offset: u32,
  beta_offset: u32,
  similarity_offset: u32,
  weights_offset: u32,
  d_weights_offset: u32,
  d_memory_offset: u32,
  d_key_offset: u32,
  d_beta_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: ContentBackwardShape;
@group(0) @binding(1) var<storage, read> memory: array<f32>;
@group(0) @binding(2) var<storage, read> key: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read> similarity: array<f32>;
@group(0) @binding(5) var<storage, read> weights: array<f32>;
@group(0) @binding(6) var<storage, read> d_weights: array<f32>;
@group(0) @binding(7) var<storage, read_write> d_memory: array<f32>;
@group(0) @binding(8) var<storage, read_write> d_key: array<f32>;
@group(0) @binding(9) var<storage, read_write> d_beta: array<f32>;

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
  let row = b * n;
  var weighted = 0.0;
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    weighted += d_weights[shape.d_weights_offset + row + i] * weights[shape.weights_offset + row + i];
  }
  weighted = workgroup_sum(weighted, lane, WORKGROUP_SIZE);
  // x: this lane's share of dbeta, y: of Σ_i dK_i·v_scale_i.
  var partial = vec4<f32>();
  for (var i = lane; i < n; i += WORKGROUP_SIZE) {
    let value = similarity[shape.similarity_offset + row + i];
    let d_logit = softmax_backward_element(
      weights[shape.weights_offset + row + i],
      d_weights[shape.d_weights_offset + row + i],
      weighted,
    );
    partial.x += d_logit * value;
    let d_similarity = d_logit * strength;
    let row_start = (row + i) * m;
    var row_squared = 0.0;
    for (var j = 0u; j < m; j++) {
      let u = cosine_operand(memory[shape.memory_offset + row_start + j]);
      row_squared += u * u;
    }
    let gradient = cosine_gradient(value, row_squared, key_squared);
    for (var j = 0u; j < m; j++) {
      let u = cosine_operand(memory[shape.memory_offset + row_start + j]);
      let v = cosine_operand(key[key_start + j]);
      d_memory[shape.d_memory_offset + row_start + j] += d_similarity *
        (gradient.cross * v - gradient.u_scale * u);
    }
    row_factor[i] = d_similarity * gradient.cross;
    partial.y += d_similarity * gradient.v_scale;
  }
  // The reduction's barriers also publish row_factor to every lane.
  let sums = workgroup_sum4(partial, lane, WORKGROUP_SIZE);
  if (lane == 0u) {
    d_beta[shape.d_beta_offset + b] += sums.x;
  }
  for (var j = lane; j < m; j += WORKGROUP_SIZE) {
    var cross_sum = 0.0;
    for (var i = 0u; i < n; i++) {
      cross_sum += row_factor[i] * cosine_operand(memory[shape.memory_offset + (row + i) * m + j]);
    }
    d_key[shape.d_key_offset + b * m + j] += cross_sum -
      sums.y * cosine_operand(key[key_start + j]);
  }
}
