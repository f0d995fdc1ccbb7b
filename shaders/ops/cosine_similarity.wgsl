// Row-wise cosine similarity: similarity[b, i] = cos(memory[b, i, :] + 1e-16, key[b, :] + 1e-16),
// the denominator clamped at 1e-8 (PyTorch's cosine_similarity), one invocation per (b, i).
// Links: common/addressing.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct CosineShape {
  batch: u32,
  n: u32,
  m: u32,
  memory_offset: u32,
  key_offset: u32,
  similarity_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: CosineShape;
@group(0) @binding(1) var<storage, read> memory: array<f32>;
@group(0) @binding(2) var<storage, read> key: array<f32>;
@group(0) @binding(3) var<storage, read_write> similarity: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index >= shape.batch * shape.n) {
    return;
  }
  let b = index / shape.n;
  let row_start = shape.memory_offset + index * shape.m;
  let key_start = shape.key_offset + b * shape.m;
  var dot = 0.0;
  var u_squared = 0.0;
  var v_squared = 0.0;
  for (var j = 0u; j < shape.m; j++) {
    let u = cosine_operand(memory[row_start + j]);
    let v = cosine_operand(key[key_start + j]);
    dot += u * v;
    u_squared += u * u;
    v_squared += v * v;
  }
  similarity[shape.similarity_offset + index] = cosine(dot, u_squared, v_squared);
}
