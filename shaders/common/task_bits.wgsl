// Where a task's random bits lie in a batch's random stream: the twin of lib/train/task.ts
// `bitIndex`. Bit w of sequence b in row `row` of a batch of BATCH sequences of `width` bits is
// drawn at index 2 + (row·BATCH + b)·width + w (indices 0 and 1 draw the batch's lengths).
// Linked after shaders/ntm/shape.wgsl, which declares BATCH.

fn task_bit_index(row: u32, b: u32, w: u32, width: u32) -> u32 {
  return 2u + (row * BATCH + b) * width + w;
}
