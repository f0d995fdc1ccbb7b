// Workgroup reductions, for kernels that run one workgroup per row (the tensor ops and the
// fused NTM kernels): every lane passes its value and every lane gets the result.
//
// Two barriers each, whatever the workgroup size: each lane stores its value; after a barrier,
// one lane in 8 adds up a group of 8 values; after a second barrier every lane adds up the group
// sums, in the same order, so every lane gets the same result. The next reduction's first barrier
// protects the scratch, so none is needed at the end. (A tree reduction needs a barrier per level,
// unrolled at every call site, and llvmpipe's compile time grows steeply with barriers.)
//
// Declares `override WORKGROUP_SIZE`: a kernel that links this file declares its entry point with
// `@workgroup_size(WORKGROUP_SIZE)`, any size from 1 to the device's limit. `lanes` is the number
// of lanes taking part, from 1 to WORKGROUP_SIZE (the fused kernels pass it as a run-time value,
// which keeps the loops rolled); `lane` is `local_invocation_index`. Each function holds barriers:
// every lane must call it, from uniform control flow (never inside a branch on the lane index or
// on data). Workgroup memory: 4 bytes per lane (and 4 per group of 8) for the scalar reductions,
// 16 (and 16) for `workgroup_sum4`, counted only when a kernel calls them.

override WORKGROUP_SIZE: u32 = 64u;
override REDUCE_GROUPS: u32 = (WORKGROUP_SIZE + 7u) / 8u;

// Smallest finite f32: what idle lanes pass to `workgroup_max`.
const LOWEST_F32: f32 = -3.40282347e38;

var<workgroup> reduce_scratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> reduce_groups: array<f32, REDUCE_GROUPS>;
var<workgroup> reduce_scratch4: array<vec4<f32>, WORKGROUP_SIZE>;
var<workgroup> reduce_groups4: array<vec4<f32>, REDUCE_GROUPS>;

// Σ of `value` over the workgroup's `lanes` lanes.
fn workgroup_sum(value: f32, lane: u32, lanes: u32) -> f32 {
  reduce_scratch[lane] = value;
  workgroupBarrier();
  let groups = (lanes + 7u) / 8u;
  if (lane < groups) {
    var group_sum = 0.0;
    for (var other = 8u * lane; other < min(8u * lane + 8u, lanes); other++) {
      group_sum += reduce_scratch[other];
    }
    reduce_groups[lane] = group_sum;
  }
  workgroupBarrier();
  var total = 0.0;
  for (var group = 0u; group < groups; group++) {
    total += reduce_groups[group];
  }
  return total;
}

// Largest `value` over the workgroup's `lanes` lanes (idle lanes pass LOWEST_F32).
fn workgroup_max(value: f32, lane: u32, lanes: u32) -> f32 {
  reduce_scratch[lane] = value;
  workgroupBarrier();
  let groups = (lanes + 7u) / 8u;
  if (lane < groups) {
    var group_max = LOWEST_F32;
    for (var other = 8u * lane; other < min(8u * lane + 8u, lanes); other++) {
      group_max = max(group_max, reduce_scratch[other]);
    }
    reduce_groups[lane] = group_max;
  }
  workgroupBarrier();
  var largest = LOWEST_F32;
  for (var group = 0u; group < groups; group++) {
    largest = max(largest, reduce_groups[group]);
  }
  return largest;
}

// Four sums at once (component-wise).
fn workgroup_sum4(value: vec4<f32>, lane: u32, lanes: u32) -> vec4<f32> {
  reduce_scratch4[lane] = value;
  workgroupBarrier();
  let groups = (lanes + 7u) / 8u;
  if (lane < groups) {
    var group_sum = vec4<f32>();
    for (var other = 8u * lane; other < min(8u * lane + 8u, lanes); other++) {
      group_sum += reduce_scratch4[other];
    }
    reduce_groups4[lane] = group_sum;
  }
  workgroupBarrier();
  var total = vec4<f32>();
  for (var group = 0u; group < groups; group++) {
    total += reduce_groups4[group];
  }
  return total;
}

// ---- Split sums: `columns` vec4 sums of `count` terms each, with the terms of every column
// shared out between lanes, so that a few long sums do not leave most lanes idle (on a GPU, a
// lane summing 128 terms alone waits on 128 loads in a row).
//
// A round takes up to `per_round` columns; in it, lane `lane` sums column
// `round·per_round + lane % per_round` over the terms slice, slice + slices, … from
// slice = lane / per_round (lanes with slice ≥ slices, or past the last column, pass zero).
// `split_sum4` then adds up the slices: lanes below `per_round` get their column's total. With
// fewer lanes than columns a round takes one column per lane, whole, and the rounds walk the
// columns.
struct SplitPlan {
  per_round: u32,
  slices: u32,
  rounds: u32,
}

fn split_plan(columns: u32, lanes: u32) -> SplitPlan {
  let per_round = max(min(columns, lanes), 1u);
  return SplitPlan(per_round, lanes / per_round, (columns + per_round - 1u) / per_round);
}

// The column lane `lane` sums in round `round`.
fn split_column(plan: SplitPlan, round: u32, lane: u32) -> u32 {
  return round * plan.per_round + lane % plan.per_round;
}

// The first term lane `lane` adds (it adds every `plan.slices`-th); ≥ plan.slices: none.
fn split_slice(plan: SplitPlan, lane: u32) -> u32 {
  return lane / plan.per_round;
}

// Adds up the slices' partial sums: lane j < per_round gets the total of its column (the others
// get zero). Two barriers, the second so the next use of the scratch may start at once.
fn split_sum4(partial: vec4<f32>, lane: u32, plan: SplitPlan) -> vec4<f32> {
  reduce_scratch4[lane] = partial;
  workgroupBarrier();
  var total = vec4<f32>();
  if (lane < plan.per_round) {
    for (var slice = 0u; slice < plan.slices; slice++) {
      total += reduce_scratch4[lane + slice * plan.per_round];
    }
  }
  workgroupBarrier();
  return total;
}
