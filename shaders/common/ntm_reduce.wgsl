// Workgroup reductions with two barriers each, for the fused NTM kernels (an alternative to
// reduce.wgsl; link one or the other, both declare WORKGROUP_SIZE). Every lane passes its value
// and gets the result.
//
// Why not reduce.wgsl's tree: a barrier inside a loop is unrolled into one barrier per level at
// every call site, and llvmpipe's compile time grows steeply with barriers and with unrolled
// memory accesses (a kernel with a dozen tree reductions takes tens of seconds to build). Here
// each lane stores its value; after a barrier, one lane in 8 adds up a group of 8 values; after
// a second barrier every lane adds up the group sums, in the same order, so every lane gets the
// same result. The next reduction's first barrier protects the scratch, so none is needed at the
// end. `lanes` is the workgroup size as a run-time value (the caller's uniform), which keeps the
// loops rolled.
//
// Each function holds barriers: every lane must call it, from uniform control flow. Workgroup
// memory: 4 bytes per lane (and 4 per group of 8) for the scalar reductions, 16 (and 16) for
// `ntm_workgroup_sum4`.

override WORKGROUP_SIZE: u32 = 64u;
override REDUCE_GROUPS: u32 = (WORKGROUP_SIZE + 7u) / 8u;

// Smallest finite f32: what idle lanes pass to `ntm_workgroup_max`.
const LOWEST_F32: f32 = -3.40282347e38;

var<workgroup> ntm_reduce_scratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> ntm_reduce_groups: array<f32, REDUCE_GROUPS>;
var<workgroup> ntm_reduce_scratch4: array<vec4<f32>, WORKGROUP_SIZE>;
var<workgroup> ntm_reduce_groups4: array<vec4<f32>, REDUCE_GROUPS>;

// Σ of `value` over the workgroup's `lanes` lanes.
fn ntm_workgroup_sum(value: f32, lane: u32, lanes: u32) -> f32 {
  ntm_reduce_scratch[lane] = value;
  workgroupBarrier();
  let groups = (lanes + 7u) / 8u;
  if (lane < groups) {
    var group_sum = 0.0;
    for (var other = 8u * lane; other < min(8u * lane + 8u, lanes); other++) {
      group_sum += ntm_reduce_scratch[other];
    }
    ntm_reduce_groups[lane] = group_sum;
  }
  workgroupBarrier();
  var total = 0.0;
  for (var group = 0u; group < groups; group++) {
    total += ntm_reduce_groups[group];
  }
  return total;
}

// Largest `value` over the workgroup's `lanes` lanes (idle lanes pass LOWEST_F32).
fn ntm_workgroup_max(value: f32, lane: u32, lanes: u32) -> f32 {
  ntm_reduce_scratch[lane] = value;
  workgroupBarrier();
  let groups = (lanes + 7u) / 8u;
  if (lane < groups) {
    var group_max = LOWEST_F32;
    for (var other = 8u * lane; other < min(8u * lane + 8u, lanes); other++) {
      group_max = max(group_max, ntm_reduce_scratch[other]);
    }
    ntm_reduce_groups[lane] = group_max;
  }
  workgroupBarrier();
  var largest = LOWEST_F32;
  for (var group = 0u; group < groups; group++) {
    largest = max(largest, ntm_reduce_groups[group]);
  }
  return largest;
}

// Four sums at once (component-wise).
fn ntm_workgroup_sum4(value: vec4<f32>, lane: u32, lanes: u32) -> vec4<f32> {
  ntm_reduce_scratch4[lane] = value;
  workgroupBarrier();
  let groups = (lanes + 7u) / 8u;
  if (lane < groups) {
    var group_sum = vec4<f32>();
    for (var other = 8u * lane; other < min(8u * lane + 8u, lanes); other++) {
      group_sum += ntm_reduce_scratch4[other];
    }
    ntm_reduce_groups4[lane] = group_sum;
  }
  workgroupBarrier();
  var total = vec4<f32>();
  for (var group = 0u; group < groups; group++) {
    total += ntm_reduce_groups4[group];
  }
  return total;
}
