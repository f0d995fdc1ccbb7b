// Memory write (paper section 3.2), one invocation per element (b, i, m):
// after[b, i, m] = before[b, i, m]·(1 - w[b, i]·erase[b, m]) + w[b, i]·add[b, m].
// Links: common/memory.wgsl, common/grid.wgsl.

const WORKGROUP: u32 = 64u;

struct WriteShape {
  batch: u32,
  n: u32,
  m: u32,
  before_offset: u32,
  weights_offset: u32,
  erase_offset: u32,
  add_offset: u32,
  after_offset: u32,
}

@group(0) @binding(0) var<uniform> shape: WriteShape;
@group(0) @binding(1) var<storage, read> before: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read> erase: array<f32>;
@group(0) @binding(4) var<storage, read> add: array<f32>;
@group(0) @binding(5) var<storage, read_write> after: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(
  @builtin(workgroup_id) workgroup_id: vec3<u32>,
  @builtin(num_workgroups) num_workgroups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let index = flat_workgroup(workgroup_id, num_workgroups) * WORKGROUP + lane;
  if (index >= shape.batch * shape.n * shape.m) {
    return;
  }
  let row = index / shape.m;
  let b = row / shape.n;
  let j = index % shape.m;
  let vector = b * shape.m + j;
  after[shape.after_offset + index] = write_element(
    before[shape.before_offset + index],
    weights[shape.weights_offset + row],
    erase[shape.erase_offset + vector],
    add[shape.add_offset + vector],
  );
}
