// Sum reductions. Links: common/reduce.wgsl.
// rows:  out[c] (+)= Σ_r input[r, c] over [count, width]: one invocation per column.
// total: out[0] (+)= Σ_i input[i] over [count]: one workgroup, lanes take strided elements.

override ACCUMULATE: bool = false;

struct SumShape {
  count: u32,
  width: u32,
  input_offset: u32,
  output_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: SumShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

fn store(index: u32, value: f32) {
  if (ACCUMULATE) {
    output[index] += value;
  } else {
    output[index] = value;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn rows(@builtin(global_invocation_id) invocation: vec3<u32>) {
  let column = invocation.x;
  if (column >= shape.width) {
    return;
  }
  var total = 0.0;
  for (var r = 0u; r < shape.count; r++) {
    total += input[shape.input_offset + r * shape.width + column];
  }
  store(shape.output_offset + column, total);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn total(@builtin(local_invocation_index) lane: u32) {
  var partial = 0.0;
  for (var i = lane; i < shape.count; i += WORKGROUP_SIZE) {
    partial += input[shape.input_offset + i];
  }
  let sum = workgroup_sum(partial, lane, WORKGROUP_SIZE);
  if (lane == 0u) {
    store(shape.output_offset, sum);
  }
}
