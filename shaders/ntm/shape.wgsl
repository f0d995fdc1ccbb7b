// The shape of one NTM and where everything lies in its buffers, for every fused kernel.
//
// The override constants without defaults are set by lib/gpu/ntm/shape.ts (`ntmShape`), the one
// place where a config becomes a kernel specialisation: sizes, the head list as a bit mask, and
// the offsets of the parameter store (lib/gpu/ntm/param_layout.ts), the tapes
// (lib/gpu/ntm/tape_layout.ts) and the batch buffer. The rest are derived here.
//
// Indices are in floats (f32 arrays) or vec4s (`*_vec4` helpers, for aligned weight rows).

// ---- Sizes.
override BATCH: u32;        // B, one workgroup per batch row
override INPUTS: u32;       // I
override OUTPUTS: u32;      // O
override HIDDEN: u32;       // H, LSTM controller size
override LAYERS: u32;       // L
override MEMORY_N: u32;     // N rows
override MEMORY_M: u32;     // M columns
override HEADS: u32;        // K, reads and writes in list order
override WRITE_MASK: u32;   // bit k set: head k writes
override CAPACITY: u32;     // S, the longest sequence (output_start + output_steps steps)

override READS: u32 = HEADS - countOneBits(WRITE_MASK);
override WRITES: u32 = countOneBits(WRITE_MASK);
override HIDDEN_PADDED: u32 = (HIDDEN + 3u) / 4u * 4u;
override GATES: u32 = 4u * HIDDEN;
// A memory row in the memory buffers: pad4(M) floats, MEMORY_VEC4S vec4s
// (shaders/ntm/memory_quads.wgsl).
override MEMORY_M_PADDED: u32 = (MEMORY_M + 3u) / 4u * 4u;
override MEMORY_VEC4S: u32 = MEMORY_M_PADDED / 4u;
// Vec4s of one memory state (or its gradient) of one batch row.
override MEMORY_QUADS: u32 = MEMORY_N * MEMORY_VEC4S;
override READ_WIDTH: u32 = MEMORY_M + 6u;
override WRITE_WIDTH: u32 = 3u * MEMORY_M + 6u;
override HEAD_STRIDE: u32 = select(READ_WIDTH, WRITE_WIDTH, WRITES > 0u);
// Row lengths of the gradient tape's dRaw and dLogits, whole vec4s for the weight gradients.
override HEAD_STRIDE_PADDED: u32 = (HEAD_STRIDE + 3u) / 4u * 4u;
override OUTPUTS_PADDED: u32 = (OUTPUTS + 3u) / 4u * 4u;
override CONTROLLER_INPUTS: u32 = INPUTS + READS * MEMORY_M;
override CONTROLLER_INPUTS_PADDED: u32 = (CONTROLLER_INPUTS + 3u) / 4u * 4u;
override OUTPUT_INPUTS: u32 = HIDDEN + READS * MEMORY_M;
override OUTPUT_INPUTS_PADDED: u32 = (OUTPUT_INPUTS + 3u) / 4u * 4u;
// Workgroup array lengths.
override READ_VALUES: u32 = READS * MEMORY_M;
override LAYER_CELLS: u32 = LAYERS * HIDDEN;
override LAYER_HIDDEN: u32 = LAYERS * HIDDEN_PADDED;

// The sizes again as run-time values, for the bounds of loops that do not depend on the lane.
// Drivers fully unroll loops over constants, and unrolled, these kernels take minutes to compile
// on llvmpipe (for no gain in speed); so arrays are sized and indexed with the overrides, while
// loops run to `dims.*` (lib/gpu/ntm/shape.ts fills both from the same config).
struct Dims {
  workgroup_size: u32,
  memory_n: u32,
  // pad4(M) / 4, a memory row's vec4s.
  memory_vec4s: u32,
  hidden: u32,
  outputs: u32,
  // pad4(H) / 4.
  hidden_vec4s: u32,
  // pad4(I + R·M) / 4.
  controller_vec4s: u32,
  // pad4(H + R·M) / 4.
  output_vec4s: u32,
}

// ---- Parameter store offsets (padded layout: each tensor on a vec4 boundary, matrix rows
// padded to a multiple of 4).
override PARAM_H_BIAS: u32;       // controller.lstm_h_bias [L, H], rows of HIDDEN_PADDED
override PARAM_C_BIAS: u32;       // controller.lstm_c_bias [L, H], rows of HIDDEN_PADDED
override PARAM_LSTM: u32;         // controller.lstm.weight_ih_l0, then the layers in order
override PARAM_HEADS: u32;        // heads.0.<fc>.weight, then the heads in order
override PARAM_FC_WEIGHT: u32;    // fc.weight [O, pad4(H + R·M)]
override PARAM_FC_BIAS: u32;      // fc.bias [O]
override PARAM_READ_BIAS: u32;    // read0_bias [M], then one per read on vec4 boundaries
override PARAM_MEMORY_BIAS: u32;  // memory.mem_bias [N·M]
// Texels per row of the parameter texture (lib/gpu/ntm/param_texture.ts), a power of two.
override PARAM_TEXTURE_WIDTH: u32;

// ---- Forward tape offsets (see lib/gpu/ntm/tape_layout.ts for each region's shape).
override TAPE_CONTROLLER_INPUT: u32;
override TAPE_GATES: u32;
override TAPE_CELL: u32;
override TAPE_TANH_CELL: u32;
override TAPE_HIDDEN: u32;
override TAPE_HEAD_RAW: u32;
override TAPE_SIMILARITY: u32;
override TAPE_ROW_SQUARED: u32;
override TAPE_CONTENT_WEIGHTS: u32;
override TAPE_GATED_WEIGHTS: u32;
override TAPE_SHIFTED_WEIGHTS: u32;
override TAPE_WEIGHTS: u32;
override TAPE_READS: u32;
override TAPE_OUTPUT_INPUT: u32;
override TAPE_OUTPUTS: u32;

// ---- Gradient tape offsets.
override GRAD_GATES: u32;
override GRAD_HEAD_RAW: u32;
override GRAD_LOGITS: u32;
override GRAD_INITIAL_STATE: u32; // also carries dh and dc between dispatches
override GRAD_READS: u32;         // carried between dispatches
override GRAD_WEIGHTS: u32;       // carried between steps

// ---- Batch buffer: inputs [S, B, I] from 0, targets [S, B, O] from BATCH_TARGET.
override BATCH_TARGET: u32;

// The lengths and numbering of the batch being trained (written by the data kernel, or by the
// host when it supplies a batch). The sequence runs output_start + output_steps steps: the first
// input_steps are fed the batch's input, the output_steps from output_start are trained
// (lib/sequence_steps.ts).
struct StepRecord {
  input_steps: u32,
  output_steps: u32,
  output_start: u32,
  // What the history records as the sequence length.
  length: u32,
  batch_number: u32,
  // Where the loss kernel files this batch's record.
  record: u32,
}

fn total_steps(record: StepRecord) -> u32 {
  return record.output_start + record.output_steps;
}

// The steps one dispatch of the fused forward or backward kernel runs: `count` steps from
// `first` (the backward counts its steps from the sequence's last), or fewer where the sequence
// ends. On a GPU one dispatch runs the whole sequence; a software adapter's loop limit needs a
// few (lib/gpu/ntm/step_ranges.ts).
struct StepRange {
  first: u32,
  count: u32,
}

// ---- Heads.

fn head_writes(k: u32) -> bool {
  return ((WRITE_MASK >> k) & 1u) == 1u;
}

// Writes among heads 0..k-1: the memory snapshot head k sees is step·W + this.
fn writes_before(k: u32) -> u32 {
  return countOneBits(WRITE_MASK & ((1u << k) - 1u));
}

// Index of head k among the reads (for a read) or the writes (for a write).
fn head_slot(k: u32) -> u32 {
  if (head_writes(k)) {
    return writes_before(k);
  }
  return k - writes_before(k);
}

fn head_width(k: u32) -> u32 {
  return select(READ_WIDTH, WRITE_WIDTH, head_writes(k));
}

// ---- Parameter offsets per layer and head (mirrors gpuParamLayout).

fn layer_input_padded(layer: u32) -> u32 {
  return select(HIDDEN_PADDED, CONTROLLER_INPUTS_PADDED, layer == 0u);
}

fn lstm_weight_ih(layer: u32) -> u32 {
  let first_layer = GATES * (CONTROLLER_INPUTS_PADDED + HIDDEN_PADDED) + 2u * GATES;
  let later_layer = GATES * 2u * HIDDEN_PADDED + 2u * GATES;
  return select(PARAM_LSTM + first_layer + (layer - 1u) * later_layer, PARAM_LSTM, layer == 0u);
}

fn lstm_weight_hh(layer: u32) -> u32 {
  return lstm_weight_ih(layer) + GATES * layer_input_padded(layer);
}

fn lstm_bias_ih(layer: u32) -> u32 {
  return lstm_weight_hh(layer) + GATES * HIDDEN_PADDED;
}

fn lstm_bias_hh(layer: u32) -> u32 {
  return lstm_bias_ih(layer) + GATES;
}

fn head_weight(k: u32) -> u32 {
  let read_size = READ_WIDTH * HIDDEN_PADDED + (READ_WIDTH + 3u) / 4u * 4u;
  let write_size = WRITE_WIDTH * HIDDEN_PADDED + (WRITE_WIDTH + 3u) / 4u * 4u;
  let writes = writes_before(k);
  return PARAM_HEADS + (k - writes) * read_size + writes * write_size;
}

fn head_bias(k: u32) -> u32 {
  return head_weight(k) + head_width(k) * HIDDEN_PADDED;
}

fn read_bias(slot: u32) -> u32 {
  return PARAM_READ_BIAS + slot * ((MEMORY_M + 3u) / 4u * 4u);
}

// The parameter texture's texel that holds quad q (floats 4q … 4q+3) of the padded store.
fn param_texel(q: u32) -> vec2<u32> {
  return vec2<u32>(q % PARAM_TEXTURE_WIDTH, q / PARAM_TEXTURE_WIDTH);
}

// ---- Tape indices (first float of a row).

// Row (t, b) of a [S, B, width] region.
fn step_row(t: u32, b: u32) -> u32 {
  return t * BATCH + b;
}

fn tape_controller_input(t: u32, b: u32) -> u32 {
  return TAPE_CONTROLLER_INPUT + step_row(t, b) * CONTROLLER_INPUTS_PADDED;
}

fn tape_gates(layer: u32, t: u32, b: u32) -> u32 {
  return TAPE_GATES + (layer * CAPACITY * BATCH + step_row(t, b)) * GATES;
}

// Cell state before step t (t = 0: the initial state).
fn tape_cell(layer: u32, t: u32, b: u32) -> u32 {
  return TAPE_CELL + (layer * (CAPACITY + 1u) * BATCH + step_row(t, b)) * HIDDEN;
}

fn tape_tanh_cell(layer: u32, t: u32, b: u32) -> u32 {
  return TAPE_TANH_CELL + (layer * CAPACITY * BATCH + step_row(t, b)) * HIDDEN;
}

// Hidden state before step t (t = 0: the initial state).
fn tape_hidden(layer: u32, t: u32, b: u32) -> u32 {
  return TAPE_HIDDEN + (layer * (CAPACITY + 1u) * BATCH + step_row(t, b)) * HIDDEN_PADDED;
}

// Row (k, t, b) of a per-head region.
fn head_row(k: u32, t: u32, b: u32) -> u32 {
  return k * CAPACITY * BATCH + step_row(t, b);
}

fn tape_head_raw(k: u32, t: u32, b: u32) -> u32 {
  return TAPE_HEAD_RAW + head_row(k, t, b) * HEAD_STRIDE;
}

fn grad_head_raw(k: u32, t: u32, b: u32) -> u32 {
  return GRAD_HEAD_RAW + head_row(k, t, b) * HEAD_STRIDE_PADDED;
}

// Row (k, t, b) of a per-head [K, S, B, N] region starting at `region`.
fn tape_weighting(region: u32, k: u32, t: u32, b: u32) -> u32 {
  return region + head_row(k, t, b) * MEMORY_N;
}

// The read of read head `slot` after step t-1 (t = 0: the initial read).
fn tape_read(slot: u32, t: u32, b: u32) -> u32 {
  return TAPE_READS + (slot * (CAPACITY + 1u) * BATCH + step_row(t, b)) * MEMORY_M;
}


fn tape_output_input(t: u32, b: u32) -> u32 {
  return TAPE_OUTPUT_INPUT + step_row(t, b) * OUTPUT_INPUTS_PADDED;
}

fn tape_outputs(t: u32, b: u32) -> u32 {
  return TAPE_OUTPUTS + step_row(t, b) * OUTPUTS;
}

fn grad_gates(layer: u32, t: u32, b: u32) -> u32 {
  return GRAD_GATES + (layer * CAPACITY * BATCH + step_row(t, b)) * GATES;
}

fn grad_logits(t: u32, b: u32) -> u32 {
  return GRAD_LOGITS + step_row(t, b) * OUTPUTS_PADDED;
}

// Gradient of row b's initial hidden (`which` 0) or cell (`which` 1) state of a layer.
fn grad_initial_state(b: u32, which: u32, layer: u32) -> u32 {
  return GRAD_INITIAL_STATE + ((b * 2u + which) * LAYERS + layer) * HIDDEN_PADDED;
}

// The carried gradient of row b's reads [R][M], between dispatches.
fn grad_reads(b: u32) -> u32 {
  return GRAD_READS + b * READ_VALUES;
}


// The carried gradient of head k's weighting, as the next step's w_prev, of row b.
fn grad_weights(b: u32, k: u32) -> u32 {
  return GRAD_WEIGHTS + (b * HEADS + k) * MEMORY_N;
}

// ---- Memory buffer indices (first vec4 of a memory state; see lib/gpu/ntm/tape_layout.ts).

// Memory state `snapshot` (0: the start, then one after every write) of row b, in the memory
// states `[1 + S·W, B, N, pad4(M)/4]`.
fn memory_state(snapshot: u32, b: u32) -> u32 {
  return (snapshot * BATCH + b) * MEMORY_QUADS;
}

// The gradient of row b's memory, carried between steps, in the memory gradient `[B, N,
// pad4(M)/4]`.
fn d_memory_state(b: u32) -> u32 {
  return b * MEMORY_QUADS;
}

// ---- Batch buffer indices.

fn batch_input(t: u32, b: u32) -> u32 {
  return step_row(t, b) * INPUTS;
}

// Target of output step t (counted from the first output step).
fn batch_target(t: u32, b: u32) -> u32 {
  return BATCH_TARGET + step_row(t, b) * OUTPUTS;
}
