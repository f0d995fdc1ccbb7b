// Workgroup reductions with two barriers each, for the fused NTM kernels (an alternative to
// reduce.wgsl; link one or the other, both declare WORKGROUP_SIZE). Every lane passes its value
// and gets the result.
//
// Why not reduce.wgsl's tree: a barrier inside a loop is unrolled into one barrier per level at
// every call site, and llvmpipe's compile time grows steeply with barriers and with unrolled
// memory accesses (a kernel with a dozen tree reductions takes tens of seconds to build). Here
// each lane stores its value, and after one barrier every lane adds up all the lanes' values in
// the same order, so every lane gets the same result; the second barrier frees the scratch.
// `lanes` is the workgroup size as a run-time value (the caller's uniform), which keeps the
// summing loop rolled.
//
// Each function holds barriers: every lane must call it, from uniform control flow. Workgroup
// memory: 4 bytes per lane for the scalar reductions, 16 for `ntm_workgroup_sum4`.

override WORKGROUP_SIZE: u32 = 64u;

// Smallest finite f32: what idle lanes pass to `ntm_workgroup_max`.
const LOWEST_F32: f32 = -3.40282347e38;

var<workgroup> ntm_reduce_scratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> ntm_reduce_scratch4: array<vec4<f32>, WORKGROUP_SIZE>;

// Σ of `value` over the workgroup's `lanes` lanes.
fn ntm_workgroup_sum(value: f32, lane: u32, lanes: u32) -> f32 {
  ntm_reduce_scratch[lane] = value;
  workgroupBarrier();
  var total = 0.0;
  for (var other = 0u; other < lanes; other++) {
    total += ntm_reduce_scratch[other];
  }
  workgroupBarrier();
  return total;
}

// Largest `value` over the workgroup's `lanes` lanes (idle lanes pass LOWEST_F32).
fn ntm_workgroup_max(value: f32, lane: u32, lanes: u32) -> f32 {
  ntm_reduce_scratch[lane] = value;
  workgroupBarrier();
  var largest = LOWEST_F32;
  for (var other = 0u; other < lanes; other++) {
    largest = max(largest, ntm_reduce_scratch[other]);
  }
  workgroupBarrier();
  return largest;
}

// Four sums at once (component-wise).
fn ntm_workgroup_sum4(value: vec4<f32>, lane: u32, lanes: u32) -> vec4<f32> {
  ntm_reduce_scratch4[lane] = value;
  workgroupBarrier();
  var total = vec4<f32>();
  for (var other = 0u; other < lanes; other++) {
    total += ntm_reduce_scratch4[other];
  }
  workgroupBarrier();
  return total;
}
