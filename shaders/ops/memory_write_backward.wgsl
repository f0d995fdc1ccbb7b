// Backward of the memory write, one workgroup per batch row. From d_after (the gradient of the
// memory after the write) writes d_before and adds to d_weights [B, N], d_erase and d_add [B, M]:
// lanes first take memory rows i (d_before and the sum over m for d_weights), then vector
// elements m (the sums over i for d_erase and d_add). Both phases only read the inputs.
// Links: common/memory.wgsl, common/grid.wgsl.

override WORKGROUP_SIZE: u32 = 64u;

struct WriteBackwardShape {
  batch: u32,
  n: u32,
  m: u32,
  before_offset: u32,
  weights_offset: u32,
  erase_offset: u32,
  add_offset: u32,
  d_after_offset: u32,
  d_before_offset: u32,
  d_weights_offset: u32,
  d_erase_offset: u32,
  d_add_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: WriteBackwardShape;
@group(0) @binding(1) var<storage, read> before: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read> erase: array<f32>;
@group(0) @binding(4) var<storage, read> add: array<f32>;
@group(0) @binding(5) var<storage, read> d_after: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_before: array<f32>;
@group(0) @binding(7) var<storage, read_write> d_weights: array<f32>;
@group(0) @binding(8) var<storage, read_write> d_erase: array<f32>;
@group(0) @binding(9) var<storage, read_write> d_add: array<f32>;

fn element_gradient(b: u32, i: u32, j: u32) -> WriteGradient {
  let cell = (b * shape.n + i) * shape.m + j;
  let vector = b * shape.m + j;
  return write_backward(
    before[shape.before_offset + cell],
    weights[shape.weights_offset + b * shape.n + i],
    erase[shape.erase_offset + vector],
    add[shape.add_offset + vector],
    d_after[shape.d_after_offset + cell],
  );
}

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
  for (var i = lane; i < shape.n; i += WORKGROUP_SIZE) {
    var d_weight = 0.0;
    for (var j = 0u; j < shape.m; j++) {
      let gradient = element_gradient(b, i, j);
      d_before[shape.d_before_offset + (b * shape.n + i) * shape.m + j] = gradient.memory;
      d_weight += gradient.weight;
    }
    d_weights[shape.d_weights_offset + b * shape.n + i] += d_weight;
  }
  for (var j = lane; j < shape.m; j += WORKGROUP_SIZE) {
    var d_erase_sum = 0.0;
    var d_add_sum = 0.0;
    for (var i = 0u; i < shape.n; i++) {
      let gradient = element_gradient(b, i, j);
      d_erase_sum += gradient.erase;
      d_add_sum += gradient.add;
    }
    d_erase[shape.d_erase_offset + b * shape.m + j] += d_erase_sum;
    d_add[shape.d_add_offset + b * shape.m + j] += d_add_sum;
  }
}
