// Workgroup reductions for kernels that run one workgroup per row: every lane passes its value
// and every lane gets the result (tree reduction in workgroup memory).
//
// Declares `override WORKGROUP_SIZE`; a kernel that links this file declares its entry point with
// `@workgroup_size(WORKGROUP_SIZE)` and may set any size from 1 to the device's limit (not only
// powers of two). Each function holds barriers: every lane must call it, from uniform control
// flow (never inside a branch on the lane index or on data), and a lane's `lane` argument is its
// `local_invocation_index`. Workgroup memory: 4 bytes per lane for the scalar reductions, 16 for
// `workgroup_sum4`, counted only when a kernel calls them.

override WORKGROUP_SIZE: u32 = 64u;

// Smallest finite f32: what idle lanes pass to `workgroup_max`.
const LOWEST_F32: f32 = -3.40282347e38;

var<workgroup> reduce_scratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> reduce_scratch4: array<vec4<f32>, WORKGROUP_SIZE>;

// Σ of `value` over the workgroup's lanes.
fn workgroup_sum(value: f32, lane: u32) -> f32 {
  reduce_scratch[lane] = value;
  workgroupBarrier();
  var remaining = WORKGROUP_SIZE;
  while (remaining > 1u) {
    let half = (remaining + 1u) / 2u;
    if (lane + half < remaining) {
      reduce_scratch[lane] += reduce_scratch[lane + half];
    }
    workgroupBarrier();
    remaining = half;
  }
  let total = reduce_scratch[0];
  workgroupBarrier();
  return total;
}

// Largest `value` over the workgroup's lanes (idle lanes pass LOWEST_F32).
fn workgroup_max(value: f32, lane: u32) -> f32 {
  reduce_scratch[lane] = value;
  workgroupBarrier();
  var remaining = WORKGROUP_SIZE;
  while (remaining > 1u) {
    let half = (remaining + 1u) / 2u;
    if (lane + half < remaining) {
      reduce_scratch[lane] = max(reduce_scratch[lane], reduce_scratch[lane + half]);
    }
    workgroupBarrier();
    remaining = half;
  }
  let largest = reduce_scratch[0];
  workgroupBarrier();
  return largest;
}

// Four sums at once (component-wise), for the price of one reduction's barriers.
fn workgroup_sum4(value: vec4<f32>, lane: u32) -> vec4<f32> {
  reduce_scratch4[lane] = value;
  workgroupBarrier();
  var remaining = WORKGROUP_SIZE;
  while (remaining > 1u) {
    let half = (remaining + 1u) / 2u;
    if (lane + half < remaining) {
      reduce_scratch4[lane] += reduce_scratch4[lane + half];
    }
    workgroupBarrier();
    remaining = half;
  }
  let total = reduce_scratch4[0];
  workgroupBarrier();
  return total;
}
