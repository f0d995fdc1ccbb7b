// The batch's loss and cost, filed as its training record (loss, cost, length, 0): BCE averaged
// over every output element (PyTorch `BCELoss`, log terms clamped at -100) and bit errors per
// sequence (outputs thresholded at 0.5, 0.5 counting as 1). Twin of lib/cpu/loss.ts `bceLoss`
// and `bitCost`, with the per-element terms of shaders/common/loss.wgsl.
//
// One workgroup of WORKGROUP_SIZE lanes (lib/gpu/ntm/loop_bounds.ts `LOSS_LANES`, which also
// counts this file's loops) reads the T_out·B·O outputs from the forward tape and the targets
// from the batch; ~10 FLOP and 8 bytes per element. Linked after
// shaders/common/{loss,reduce}.wgsl and shaders/ntm/shape.wgsl.

@group(0) @binding(0) var<storage, read> tape: array<f32>;
@group(0) @binding(1) var<storage, read> batch: array<f32>;
@group(0) @binding(2) var<storage, read> steps: StepRecord;
@group(0) @binding(3) var<storage, read_write> records: array<vec4<f32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lane: u32) {
  let per_step = BATCH * OUTPUTS;
  let count = steps.output_steps * per_step;
  var loss = 0.0;
  var errors = 0.0;
  for (var e = lane; e < count; e += WORKGROUP_SIZE) {
    let step = e / per_step;
    let within = e % per_step;
    let y = tape[TAPE_OUTPUTS + (steps.output_start + step) * per_step + within];
    let expected = batch[BATCH_TARGET + step * per_step + within];
    loss += bce_element(y, expected);
    errors += bit_error(y, expected);
  }
  let sums = workgroup_sum4(vec4<f32>(loss, errors, 0.0, 0.0), lane, WORKGROUP_SIZE);
  if (lane == 0u) {
    records[steps.record] = vec4<f32>(
      sums.x / f32(count),
      sums.y / f32(BATCH),
      f32(steps.length),
      0.0,
    );
  }
}
