// A flat workgroup index over a 2D grid, for ops whose workgroup count may pass the 65535 limit of
// one grid dimension (lib/gpu/ops/launch.ts `flatGrid` sizes the grid). Extra workgroups get an
// index past the end: check it against the count.

fn flat_workgroup(workgroup_id: vec3<u32>, num_workgroups: vec3<u32>) -> u32 {
  return workgroup_id.y * num_workgroups.x + workgroup_id.x;
}
