// The repeat copy task's data (NTM-SPEC "Tasks"): the WGSL twin of tasks/repeat_copy.ts, line by
// line, so the GPU generates the same batches as the CPU, bit for bit.
//
// Linked after shaders/common/random.wgsl, shaders/ntm/shape.wgsl (BATCH, INPUTS, OUTPUTS) and
// shaders/common/task_bits.wgsl (task_bit_index).
// Input: T random bit vectors on channels 0..W-1, a delimiter step (channel W), then a step whose
// channel W+1 holds the repeat count n normalised to mean 0, variance 1 over [REPEAT_MIN,
// REPEAT_MAX]. Target: the T vectors n times, then an end marker on channel W.

override SEQUENCE_WIDTH: u32;
override SEQUENCE_MIN_LEN: u32;
override SEQUENCE_MAX_LEN: u32;
override REPEAT_MIN: u32;
override REPEAT_MAX: u32;
// Half the normalisation's scale, exact in float32. The count is normalised as
// (2n - REPEAT_MIN - REPEAT_MAX) * REPEAT_HALF_SCALE: the offset is an exact integer, so the one
// float operation is a correctly rounded multiplication, equal to the CPU's (n - mean) * scale
// bit for bit. The float form (f32(n) - mean) * scale is not safe: a GPU compiler may rewrite it
// as a fused multiply-add, which rounds differently (NVIDIA's Vulkan driver did).
override REPEAT_HALF_SCALE: f32;

struct TaskSteps { input_steps: u32, output_steps: u32, output_start: u32, length: u32 }

fn task_steps(seed: u32, batch_number: u32) -> TaskSteps {
  let sequence_length = random_int(seed, batch_number, 0u, SEQUENCE_MIN_LEN, SEQUENCE_MAX_LEN);
  let repeats = random_int(seed, batch_number, 1u, REPEAT_MIN, REPEAT_MAX);
  let output_steps = sequence_length * repeats + 1u;
  return TaskSteps(sequence_length + 2u, output_steps, sequence_length + 2u, output_steps);
}

fn task_input(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, i: u32) -> f32 {
  let sequence_length = steps.input_steps - 2u;
  if (t < sequence_length) {
    if (i < SEQUENCE_WIDTH) {
      return f32(random_bit(seed, batch_number, task_bit_index(t, b, i, SEQUENCE_WIDTH)));
    }
    return 0.0;
  }
  if (t == sequence_length) {
    // The delimiter step.
    return select(0.0, 1.0, i == SEQUENCE_WIDTH);
  }
  // The repeat count step.
  if (i != SEQUENCE_WIDTH + 1u) {
    return 0.0;
  }
  let repeats = (steps.output_steps - 1u) / sequence_length;
  let offset = i32(2u * repeats) - i32(REPEAT_MIN + REPEAT_MAX);
  return f32(offset) * REPEAT_HALF_SCALE;
}

fn task_target(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, o: u32) -> f32 {
  let sequence_length = steps.input_steps - 2u;
  let repeated_steps = steps.output_steps - 1u;
  if (t < repeated_steps) {
    if (o < SEQUENCE_WIDTH) {
      let index = task_bit_index(t % sequence_length, b, o, SEQUENCE_WIDTH);
      return f32(random_bit(seed, batch_number, index));
    }
    return 0.0;
  }
  // The end marker.
  return select(0.0, 1.0, o == SEQUENCE_WIDTH);
}
