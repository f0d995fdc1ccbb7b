// The LSTM cell's pointwise part over a batch, one invocation per (b, j) with j < H:
// from pre-activations [B, 4H] (gate order i, f, g, o) and c_prev [B, H] writes the activated
// gates [B, 4H], c and h [B, H]. Links: common/activations.wgsl, common/lstm.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct LstmShape {
  batch: u32,
  hidden: u32,
  pre_offset: u32,
  c_prev_offset: u32,
  gates_offset: u32,
  c_offset: u32,
  h_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: LstmShape;
@group(0) @binding(1) var<storage, read> pre_activations: array<f32>;
@group(0) @binding(2) var<storage, read> c_prev: array<f32>;
@group(0) @binding(3) var<storage, read_write> gates: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read_write> h: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index >= shape.batch * shape.hidden) {
    return;
  }
  let hidden = shape.hidden;
  let b = index / hidden;
  let j = index % hidden;
  let pre = shape.pre_offset + 4u * hidden * b + j;
  let cell = lstm_cell(
    vec4<f32>(
      pre_activations[pre],
      pre_activations[pre + hidden],
      pre_activations[pre + 2u * hidden],
      pre_activations[pre + 3u * hidden],
    ),
    c_prev[shape.c_prev_offset + index],
  );
  let gate = shape.gates_offset + 4u * hidden * b + j;
  gates[gate] = cell.gates.x;
  gates[gate + hidden] = cell.gates.y;
  gates[gate + 2u * hidden] = cell.gates.z;
  gates[gate + 3u * hidden] = cell.gates.w;
  c[shape.c_offset + index] = cell.c;
  h[shape.h_offset + index] = cell.h;
}
