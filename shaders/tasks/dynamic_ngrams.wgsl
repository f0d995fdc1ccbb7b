// The dynamic N-grams task's data: the WGSL twin of tasks/dynamic_ngrams.ts, line by line, so the
// GPU generates the same batches as the CPU, bit for bit (integer arithmetic only).
//
// Linked after shaders/common/random.wgsl, shaders/ntm/shape.wgsl (BATCH, INPUTS, OUTPUTS) and
// shaders/common/task_bits.wgsl (task_bit_index).
// Each sequence is L bits from its own random N-gram model. Input: bits 0 to L-2, one per step.
// Target: bits 1 to L-1, trained from step 0 (output_start 0).

override NGRAM: u32;
override SEQUENCE_LEN: u32;
// The constants of tasks/dynamic_ngrams.ts, which counts this file's loops: the attempts to draw
// a point inside the quarter disc per table entry, the random bits of a point's coordinate, and
// of a bit's uniform draw. DRAW_BITS + 2·COORDINATE_BITS + 2 ≤ 32 keeps the products below 2^32.
override NGRAM_ATTEMPTS: u32;
override COORDINATE_BITS: u32;
override DRAW_BITS: u32;

struct TaskSteps { input_steps: u32, output_steps: u32, output_start: u32, length: u32 }

// The probability ones / total that a bit is 1.
struct NgramProbability { ones: u32, total: u32 }

// An odd coordinate from the top COORDINATE_BITS bits of draw `index`.
fn dynamic_ngrams_coordinate(seed: u32, batch_number: u32, index: u32) -> u32 {
  return 2u * (random_u32(seed, batch_number, index) >> (32u - COORDINATE_BITS)) + 1u;
}

// The probability that a bit after `context` is 1 in sequence b: y² / (x² + y²) for the first
// point (x, y) of odd coordinates below 2^(COORDINATE_BITS + 1) inside the quarter disc of that
// radius, or 1/2 when every attempt misses. A Beta(1/2, 1/2) draw, up to the grid.
fn dynamic_ngrams_probability(seed: u32, batch_number: u32, b: u32, context: u32) -> NgramProbability {
  let contexts = 1u << (NGRAM - 1u);
  let first = 2u + SEQUENCE_LEN * BATCH + (b * contexts + context) * NGRAM_ATTEMPTS * 2u;
  for (var attempt = 0u; attempt < NGRAM_ATTEMPTS; attempt++) {
    let x = dynamic_ngrams_coordinate(seed, batch_number, first + 2u * attempt);
    let y = dynamic_ngrams_coordinate(seed, batch_number, first + 2u * attempt + 1u);
    let total = x * x + y * y;
    if (total <= 1u << (2u * (COORDINATE_BITS + 1u))) {
      return NgramProbability(y * y, total);
    }
  }
  return NgramProbability(1u, 2u);
}

// Bit t of sequence b: the walk from bit 0, each bit 1 when its DRAW_BITS-bit uniform draw times
// the total of its context's entry is below the entry's ones times 2^DRAW_BITS. The context holds
// the N - 1 bits before, the last lowest, zeros before the sequence.
fn dynamic_ngrams_bit(seed: u32, batch_number: u32, t: u32, b: u32) -> f32 {
  let mask = (1u << (NGRAM - 1u)) - 1u;
  var context = 0u;
  var bit = 0u;
  for (var step = 0u; step <= t; step++) {
    let probability = dynamic_ngrams_probability(seed, batch_number, b, context);
    let draw = random_u32(seed, batch_number, task_bit_index(step, b, 0u, 1u)) >> (32u - DRAW_BITS);
    bit = select(0u, 1u, draw * probability.total < probability.ones << DRAW_BITS);
    context = ((context << 1u) | bit) & mask;
  }
  return f32(bit);
}

fn task_steps(seed: u32, batch_number: u32) -> TaskSteps {
  return TaskSteps(SEQUENCE_LEN - 1u, SEQUENCE_LEN - 1u, 0u, SEQUENCE_LEN);
}

fn task_input(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, i: u32) -> f32 {
  return dynamic_ngrams_bit(seed, batch_number, t, b);
}

fn task_target(seed: u32, batch_number: u32, steps: TaskSteps, t: u32, b: u32, o: u32) -> f32 {
  return dynamic_ngrams_bit(seed, batch_number, t + 1u, b);
}
