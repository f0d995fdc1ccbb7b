// The priority sort task's data (NTM-SPEC "Tasks"): the WGSL twin of tasks/priority_sort.ts, so
// the GPU generates the same batches as the CPU, bit for bit.
//
// Linked after shaders/common/random.wgsl, shaders/ntm/shape.wgsl (BATCH, INPUTS, OUTPUTS) and
// shaders/common/task_bits.wgsl (task_bit_index).
// Input: T steps of a random bit vector (channels 0..W-1) and its priority (channel W, uniform in
// [-1, 1)), then a step with only the delimiter (channel W+1) set. Target: the S vectors of
// highest priority, highest first; equal priorities keep input order.

override SEQUENCE_WIDTH: u32;
override SEQUENCE_LEN: u32;
override SORTED_LEN: u32;

struct TaskSteps { input_steps: u32, output_steps: u32, output_start: u32, length: u32 }

// The priority of vector j of sequence b, drawn at the index of row T + j's first bit: 2u - 1 for
// a 24-bit uniform u, exact in f32.
fn priority_sort_priority(seed: u32, batch_number: u32, j: u32, b: u32) -> f32 {
  let index = task_bit_index(SEQUENCE_LEN + j, b, 0u, SEQUENCE_WIDTH);
  return 2.0 * random_uniform(seed, batch_number, index) - 1.0;
}

// The vector of sequence b with `rank` vectors before it in the order of priority, the highest
// first and equal priorities in input order. Its loops, (T + 1)² iterations at most, are counted
// against software adapters' loop limit by tasks/priority_sort.ts `loops`: change both together.
fn priority_sort_ranked(seed: u32, batch_number: u32, rank: u32, b: u32) -> u32 {
  for (var j = 0u; j < SEQUENCE_LEN; j++) {
    let own = priority_sort_priority(seed, batch_number, j, b);
    var above = 0u;
    for (var k = 0u; k < SEQUENCE_LEN; k++) {
      let other = priority_sort_priority(seed, batch_number, k, b);
      if (other > own || (other == own && k < j)) {
        above++;
      }
    }
    if (above == rank) {
      return j;
    }
  }
  return 0u;
}

fn task_steps(seed: u32, batch_number: u32) -> TaskSteps {
  return TaskSteps(SEQUENCE_LEN + 1u, SORTED_LEN, SEQUENCE_LEN + 1u, SEQUENCE_LEN);
}

fn task_input(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, i: u32) -> f32 {
  // The delimiter step.
  if (t == SEQUENCE_LEN) {
    return select(0.0, 1.0, i == SEQUENCE_WIDTH + 1u);
  }
  if (i < SEQUENCE_WIDTH) {
    return f32(random_bit(seed, batch_number, task_bit_index(t, b, i, SEQUENCE_WIDTH)));
  }
  if (i == SEQUENCE_WIDTH) {
    return priority_sort_priority(seed, batch_number, t, b);
  }
  return 0.0;
}

fn task_target(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, o: u32) -> f32 {
  let vector = priority_sort_ranked(seed, batch_number, t, b);
  return f32(random_bit(seed, batch_number, task_bit_index(vector, b, o, SEQUENCE_WIDTH)));
}
