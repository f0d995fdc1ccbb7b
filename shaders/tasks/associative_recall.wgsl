// The associative recall task's data (NTM-SPEC "Tasks"): the WGSL twin of
// tasks/associative_recall.ts, line by line, so the GPU generates the same batches as the CPU,
// bit for bit.
//
// Linked after shaders/common/random.wgsl, shaders/ntm/shape.wgsl (BATCH, INPUTS, OUTPUTS) and
// shaders/common/task_bits.wgsl (task_bit_index).
// Input: K items, each a step with only the item delimiter (channel W) set and the item's L
// vectors of W bits; then the query delimiter (channel W+1), the query item (one of the first
// K-1, drawn per sequence) and the query delimiter again. Target: the item after the query.

override SEQUENCE_WIDTH: u32;
override ITEM_LEN: u32;
override MIN_ITEMS: u32;
override MAX_ITEMS: u32;

struct TaskSteps { input_steps: u32, output_steps: u32, output_start: u32, length: u32 }

// The index in the list, from 0, of sequence b's query item among `items`: drawn at the index of
// the first bit of row items·L, which no item uses.
fn associative_recall_query(seed: u32, batch_number: u32, items: u32, b: u32) -> u32 {
  let index = task_bit_index(items * ITEM_LEN, b, 0u, SEQUENCE_WIDTH);
  return random_int(seed, batch_number, index, 0u, items - 2u);
}

// Bit w of vector r of item `item` of sequence b.
fn associative_recall_item_bit(
  seed: u32,
  batch_number: u32,
  item: u32,
  r: u32,
  b: u32,
  w: u32,
) -> f32 {
  let index = task_bit_index(item * ITEM_LEN + r, b, w, SEQUENCE_WIDTH);
  return f32(random_bit(seed, batch_number, index));
}

fn task_steps(seed: u32, batch_number: u32) -> TaskSteps {
  let items = random_int(seed, batch_number, 0u, MIN_ITEMS, MAX_ITEMS);
  let input_steps = items * (ITEM_LEN + 1u) + ITEM_LEN + 2u;
  return TaskSteps(input_steps, ITEM_LEN, input_steps, items);
}

fn task_input(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, i: u32) -> f32 {
  let items = steps.length;
  let list_steps = items * (ITEM_LEN + 1u);
  if (t < list_steps) {
    let item = t / (ITEM_LEN + 1u);
    let position = t % (ITEM_LEN + 1u);
    // The item delimiter, then the item's vectors.
    if (position == 0u) {
      return select(0.0, 1.0, i == SEQUENCE_WIDTH);
    }
    if (i < SEQUENCE_WIDTH) {
      return associative_recall_item_bit(seed, batch_number, item, position - 1u, b, i);
    }
    return 0.0;
  }
  let position = t - list_steps;
  // The query delimiters, before and after the query item.
  if (position == 0u || position == ITEM_LEN + 1u) {
    return select(0.0, 1.0, i == SEQUENCE_WIDTH + 1u);
  }
  if (i < SEQUENCE_WIDTH) {
    let query = associative_recall_query(seed, batch_number, items, b);
    return associative_recall_item_bit(seed, batch_number, query, position - 1u, b, i);
  }
  return 0.0;
}

fn task_target(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, o: u32) -> f32 {
  let query = associative_recall_query(seed, batch_number, steps.length, b);
  return associative_recall_item_bit(seed, batch_number, query + 1u, t, b, o);
}
