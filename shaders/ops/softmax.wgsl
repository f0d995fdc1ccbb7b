// Softmax over the last dimension of [rows, cols], forward and backward: one workgroup per row,
// each lane taking the columns lane, lane + WORKGROUP_SIZE, ….
// Links: common/reduce.wgsl, common/softmax.wgsl, common/grid.wgsl.
//
// Bindings: the input (x, or y for backward) at 1, the output (y, or dx) at 2, and for backward
// the upstream gradient dy at 3.

struct SoftmaxShape {
  rows: u32,
  cols: u32,
  input_offset: u32,
  output_offset: u32,
  upstream_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: SoftmaxShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

// y = softmax(x) of one row.
@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let row = flat_workgroup(workgroup_id, num_workgroups);
  if (row >= shape.rows) {
    return;
  }
  let x_start = shape.input_offset + row * shape.cols;
  let y_start = shape.output_offset + row * shape.cols;
  var largest = LOWEST_F32;
  for (var i = lane; i < shape.cols; i += WORKGROUP_SIZE) {
    largest = max(largest, input[x_start + i]);
  }
  largest = workgroup_max(largest, lane, WORKGROUP_SIZE);
  var total = 0.0;
  for (var i = lane; i < shape.cols; i += WORKGROUP_SIZE) {
    total += exp(input[x_start + i] - largest);
  }
  total = workgroup_sum(total, lane, WORKGROUP_SIZE);
  for (var i = lane; i < shape.cols; i += WORKGROUP_SIZE) {
    output[y_start + i] = softmax_element(input[x_start + i], largest, total);
  }
}

// Bound only by the backward entry point.
@group(0) @binding(3) var<storage, read> upstream: array<f32>;

// dx = y·(dy - Σ dy·y) of one row, from y (input) and dy (upstream).
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let row = flat_workgroup(workgroup_id, num_workgroups);
  if (row >= shape.rows) {
    return;
  }
  let y_start = shape.input_offset + row * shape.cols;
  let dy_start = shape.upstream_offset + row * shape.cols;
  let dx_start = shape.output_offset + row * shape.cols;
  var weighted = 0.0;
  for (var i = lane; i < shape.cols; i += WORKGROUP_SIZE) {
    weighted += upstream[dy_start + i] * input[y_start + i];
  }
  weighted = workgroup_sum(weighted, lane, WORKGROUP_SIZE);
  for (var i = lane; i < shape.cols; i += WORKGROUP_SIZE) {
    output[dx_start + i] = softmax_backward_element(
      input[y_start + i],
      upstream[dy_start + i],
      weighted,
    );
  }
}
