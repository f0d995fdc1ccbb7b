// The copy task's data (NTM-SPEC "Tasks"): the WGSL twin of tasks/copy.ts, line by line, so the
// GPU generates the same batches as the CPU, bit for bit.
//
// Linked after shaders/common/random.wgsl, shaders/ntm/shape.wgsl (BATCH, INPUTS, OUTPUTS) and
// shaders/common/task_bits.wgsl (task_bit_index).
// Input step t < T carries the T random bits of each sequence on channels 0..W-1; step T carries
// only the delimiter channel W. The targets are the T bit vectors.

override SEQUENCE_WIDTH: u32;
override SEQUENCE_MIN_LEN: u32;
override SEQUENCE_MAX_LEN: u32;

struct TaskSteps { input_steps: u32, output_steps: u32, output_start: u32, length: u32 }

fn task_steps(seed: u32, batch_number: u32) -> TaskSteps {
  let length = random_int(seed, batch_number, 0u, SEQUENCE_MIN_LEN, SEQUENCE_MAX_LEN);
  return TaskSteps(length + 1u, length, length + 1u, length);
}

fn task_input(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, i: u32) -> f32 {
  let sequence_length = steps.input_steps - 1u;
  if (t < sequence_length) {
    if (i < SEQUENCE_WIDTH) {
      return f32(random_bit(seed, batch_number, task_bit_index(t, b, i, SEQUENCE_WIDTH)));
    }
    return 0.0;
  }
  // The delimiter step.
  return select(0.0, 1.0, i == SEQUENCE_WIDTH);
}

fn task_target(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, o: u32) -> f32 {
  return f32(random_bit(seed, batch_number, task_bit_index(t, b, o, SEQUENCE_WIDTH)));
}
