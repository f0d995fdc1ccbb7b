// Generates a training batch on the GPU from the task's WGSL twin (shaders/tasks/<task>.wgsl:
// `task_steps`, `task_input`, `task_target`), so training needs no upload per batch. The batch
// number comes from a counter that the kernel advances, so one recorded dispatch serves every
// step of a submit. Writes the batch buffer (inputs [T_in, B, I], targets [T_out, B, O]) and the
// step record (lengths, batch number, record slot) that every later kernel of the step reads.
//
// Linked after shaders/common/random.wgsl, shaders/ntm/shape.wgsl (BATCH, INPUTS, OUTPUTS,
// BATCH_TARGET, StepRecord), shaders/common/task_bits.wgsl and the task's source. One
// workgroup; a few random draws per element, more where the twin loops (priority sort ranks).
// lib/gpu/ntm/loop_bounds.ts `dataLoops` counts the loops here and the twin's (`TwinLoops`),
// and mirrors DATA_LANES.

// The next batch to generate and where its training record goes.
struct Counter {
  next_batch: u32,
  next_record: u32,
}

struct DataSettings {
  seed: u32,
}

@group(0) @binding(0) var<storage, read_write> batch: array<f32>;
@group(0) @binding(1) var<storage, read_write> steps: StepRecord;
@group(0) @binding(2) var<storage, read_write> counter: Counter;
@group(0) @binding(3) var<uniform> settings: DataSettings;

const DATA_LANES: u32 = 64u;

@compute @workgroup_size(DATA_LANES)
fn main(@builtin(local_invocation_index) lane: u32) {
  let seed = settings.seed;
  let batch_number = counter.next_batch;
  let record = counter.next_record;
  let lengths = task_steps(seed, batch_number);
  let inputs = lengths.input_steps * BATCH * INPUTS;
  for (var e = lane; e < inputs; e += DATA_LANES) {
    let i = e % INPUTS;
    let b = (e / INPUTS) % BATCH;
    let t = e / (INPUTS * BATCH);
    batch[e] = task_input(seed, batch_number, lengths, t, b, i);
  }
  let targets = lengths.output_steps * BATCH * OUTPUTS;
  for (var e = lane; e < targets; e += DATA_LANES) {
    let o = e % OUTPUTS;
    let b = (e / OUTPUTS) % BATCH;
    let t = e / (OUTPUTS * BATCH);
    batch[BATCH_TARGET + e] = task_target(seed, batch_number, lengths, t, b, o);
  }
  // Every lane has read the counter before it moves on.
  storageBarrier();
  if (lane == 0u) {
    steps = StepRecord(
      lengths.input_steps,
      lengths.output_steps,
      lengths.output_start,
      lengths.length,
      batch_number,
      record,
    );
    counter = Counter(batch_number + 1u, record + 1u);
  }
}
