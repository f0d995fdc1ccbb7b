// The fused NTM forward pass (NTM-SPEC "One time step") over a sequence: one workgroup per batch
// row, the time loop inside. A dispatch runs the steps of its `StepRange` (shape.wgsl): all of
// them on a GPU, a few on a software adapter, whose loop limit would otherwise cut the sequence
// short (lib/gpu/ntm/loop_bounds.ts counts this file's loops: change both together). Each
// dispatch reloads the state it carries in workgroup memory from the tape. Twin of
// `CpuNtm.forward` in lib/cpu/ntm.ts.
//
// Linked after shaders/common/{activations,addressing,lstm,memory,softmax,head,reduce}.wgsl and
// shaders/ntm/{shape,memory_quads,param_quads}.wgsl. Small state vectors live in workgroup memory;
// the memory itself lives in a buffer of its own, one state per write (llvmpipe compiles a kernel
// with an N·M workgroup array for minutes), and everything else the backward pass needs goes to the
// tape (lib/gpu/ntm/tape_layout.ts).
//
// Per step and batch row the copy task (H 100, N 128, M 20, a read and a write head) costs
// ~0.14 MFLOP: the LSTM's 4H×(I+R·M+H) matrix-vector product (~0.1 MFLOP, 210 KB of weights
// fetched as texels) dominates, then the heads' layers (~0.02 MFLOP) and addressing (~5·N·M FLOP
// per head). It writes ~5k floats of tape and reads ~N·M floats of memory per head.
//
// Lanes take LSTM units, head outputs, memory rows or memory columns; a barrier separates
// phases, and every function that holds one is called from uniform control flow.

@group(0) @binding(0) var<storage, read> params: array<f32>;
// The same store as texels (weight rows are read from here: shaders/ntm/param_quads.wgsl).
@group(0) @binding(1) var param_texture: texture_2d<f32>;
@group(0) @binding(2) var<storage, read> batch: array<f32>;
@group(0) @binding(3) var<storage, read> steps: StepRecord;
@group(0) @binding(4) var<storage, read_write> tape: array<f32>;
// The memory states, by quads of columns (shaders/ntm/memory_quads.wgsl).
@group(0) @binding(5) var<storage, read_write> memory: array<vec4<f32>>;
@group(0) @binding(6) var<uniform> dims: Dims;
@group(0) @binding(7) var<uniform> step_range: StepRange;

// The vectors the matrix-vector products read are vec4 arrays: one load per 4 columns.
// This step's controller input [x, r_prev…], zero-padded.
var<workgroup> controller_input: array<vec4<f32>, CONTROLLER_VEC4S>;
// Hidden states [L][pad4(H)/4]: h of the previous step until a layer's new h is packed in.
var<workgroup> hidden: array<vec4<f32>, HIDDEN_VEC4S>;
// A layer's new hidden state, one unit per lane, before it is packed into `hidden`.
var<workgroup> new_hidden: array<f32, HIDDEN_PADDED>;
// Cell states [L][H].
var<workgroup> cell: array<f32, LAYER_CELLS>;
// The current head's linear output, then its key as the cosine sees it, its erase and its add
// vectors, by quads of memory columns (zero past M).
var<workgroup> head_raw: array<f32, HEAD_STRIDE>;
var<workgroup> key4: array<vec4<f32>, MEMORY_VEC4S>;
var<workgroup> erase4: array<vec4<f32>, MEMORY_VEC4S>;
var<workgroup> add4: array<vec4<f32>, MEMORY_VEC4S>;
// Per-row values of the current head's addressing: beta·K_i, then ws^gamma, then w.
var<workgroup> row_values: array<f32, MEMORY_N>;
// The interpolated weighting wg, which the shift reads across rows.
var<workgroup> gated: array<f32, MEMORY_N>;
// The reads [R][M]: the previous step's until this step's heads replace them.
var<workgroup> read_values: array<f32, READ_VALUES>;
// The output layer's input [h, r…], zero-padded.
var<workgroup> output_input: array<vec4<f32>, OUTPUT_VEC4S>;

override CONTROLLER_VEC4S: u32 = CONTROLLER_INPUTS_PADDED / 4u;
override LAYER_VEC4S: u32 = HIDDEN_PADDED / 4u;
override HIDDEN_VEC4S: u32 = LAYERS * LAYER_VEC4S;
override OUTPUT_VEC4S: u32 = OUTPUT_INPUTS_PADDED / 4u;

// Reads [R][M] element f - H of the output layer's input, or 0 past its end.
fn read_value_or_zero(index: u32) -> f32 {
  if (index < READ_VALUES) {
    return read_values[index];
  }
  return 0.0;
}

// Memory snapshot head k sees at step t: the start, or the memory after the last write before it.
fn snapshot_of(t: u32, k: u32) -> u32 {
  return t * WRITES + writes_before(k);
}

// Column m of the initial memory's row `row`, zero past M.
fn memory_bias(row: u32, m: u32) -> f32 {
  if (m < MEMORY_M) {
    return params[PARAM_MEMORY_BIAS + row * MEMORY_M + m];
  }
  return 0.0;
}

// ---- The sequence's start, onto the tape and into memory state 0: learned h and c, fixed
// reads and memory.
fn initial_state(b: u32, lane: u32) {
  let start = memory_state(0u, b);
  for (var q = lane; q < MEMORY_QUADS; q += WORKGROUP_SIZE) {
    let row = q / MEMORY_VEC4S;
    let m = 4u * (q % MEMORY_VEC4S);
    memory[start + q] = vec4<f32>(
      memory_bias(row, m),
      memory_bias(row, m + 1u),
      memory_bias(row, m + 2u),
      memory_bias(row, m + 3u),
    );
  }
  for (var i = lane; i < LAYER_CELLS; i += WORKGROUP_SIZE) {
    let layer = i / HIDDEN;
    let j = i % HIDDEN;
    tape[tape_cell(layer, 0u, b) + j] = params[PARAM_C_BIAS + layer * HIDDEN_PADDED + j];
    tape[tape_hidden(layer, 0u, b) + j] = params[PARAM_H_BIAS + layer * HIDDEN_PADDED + j];
  }
  for (var i = lane; i < READ_VALUES; i += WORKGROUP_SIZE) {
    let slot = i / MEMORY_M;
    let m = i % MEMORY_M;
    tape[tape_read(slot, 0u, b) + m] = params[read_bias(slot) + m];
  }
}

// ---- The state before step t, from the tape: every layer's h and c and the reads. (The
// weightings stay on the tape, the memory in its buffer.)
fn load_state(b: u32, t: u32, lane: u32) {
  for (var i = lane; i < LAYER_CELLS; i += WORKGROUP_SIZE) {
    cell[i] = tape[tape_cell(i / HIDDEN, t, b) + i % HIDDEN];
  }
  for (var i = lane; i < HIDDEN_VEC4S; i += WORKGROUP_SIZE) {
    let layer = i / LAYER_VEC4S;
    let row = tape_hidden(layer, t, b);
    var h = vec4<f32>();
    for (var c = 0u; c < 4u; c++) {
      let j = 4u * (i % LAYER_VEC4S) + c;
      if (j < HIDDEN) {
        h[c] = tape[row + j];
      }
    }
    hidden[i] = h;
  }
  for (var i = lane; i < READ_VALUES; i += WORKGROUP_SIZE) {
    read_values[i] = tape[tape_read(i / MEMORY_M, t, b) + i % MEMORY_M];
  }
}

// ---- 1. Controller input u = [x, r_prev…] (x = 0 after the input steps).
fn gather_controller_input(b: u32, t: u32, lane: u32) {
  for (var c4 = lane; c4 < CONTROLLER_VEC4S; c4 += WORKGROUP_SIZE) {
    var u = vec4<f32>();
    for (var q = 0u; q < 4u; q++) {
      let c = 4u * c4 + q;
      if (c < INPUTS) {
        if (t < steps.input_steps) {
          u[q] = batch[batch_input(t, b) + c];
        }
      } else if (c < CONTROLLER_INPUTS) {
        u[q] = read_values[c - INPUTS];
      }
      tape[tape_controller_input(t, b) + c] = u[q];
    }
    controller_input[c4] = u;
  }
}

// Four columns of a unit's four gate rows (vec4 `first` of gate i's row, the others `gate_rows`
// vec4s apart) dotted with x.
fn gate_dots(first: u32, gate_rows: u32, x: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(
    dot(param_quad(first), x),
    dot(param_quad(first + gate_rows), x),
    dot(param_quad(first + 2u * gate_rows), x),
    dot(param_quad(first + 3u * gate_rows), x),
  );
}

// ---- 2. One LSTM layer: lane j computes unit j's four gates, then its cell.
fn lstm_layer(b: u32, t: u32, layer: u32, lane: u32) {
  let previous = layer * LAYER_VEC4S;
  // The new hidden state of the layer below (layer 0 reads the controller input instead).
  let below = (max(layer, 1u) - 1u) * LAYER_VEC4S;
  let inputs4 = select(dims.hidden_vec4s, dims.controller_vec4s, layer == 0u);
  let hidden4s = dims.hidden_vec4s;
  // Rows j, H+j, 2H+j, 3H+j of W_ih and W_hh hold unit j's gates i, f, g, o.
  let gate_ih = HIDDEN * (layer_input_padded(layer) / 4u);
  let gate_hh = HIDDEN * (HIDDEN_PADDED / 4u);
  let bias_ih = lstm_bias_ih(layer);
  let bias_hh = lstm_bias_hh(layer);
  for (var j = lane; j < dims.hidden; j += dims.workgroup_size) {
    var pre = vec4<f32>(
      params[bias_ih + j] + params[bias_hh + j],
      params[bias_ih + HIDDEN + j] + params[bias_hh + HIDDEN + j],
      params[bias_ih + 2u * HIDDEN + j] + params[bias_hh + 2u * HIDDEN + j],
      params[bias_ih + 3u * HIDDEN + j] + params[bias_hh + 3u * HIDDEN + j],
    );
    // (The branch on the layer stays outside the loop: llvmpipe runs both sides of a branch
    // inside a loop.)
    let row_ih = lstm_weight_ih(layer) / 4u + j * (layer_input_padded(layer) / 4u);
    if (layer == 0u) {
      for (var c4 = 0u; c4 < inputs4; c4++) {
        pre += gate_dots(row_ih + c4, gate_ih, controller_input[c4]);
      }
    } else {
      for (var c4 = 0u; c4 < inputs4; c4++) {
        pre += gate_dots(row_ih + c4, gate_ih, hidden[below + c4]);
      }
    }
    let row_hh = lstm_weight_hh(layer) / 4u + j * (HIDDEN_PADDED / 4u);
    for (var c4 = 0u; c4 < hidden4s; c4++) {
      pre += gate_dots(row_hh + c4, gate_hh, hidden[previous + c4]);
    }
    let state = lstm_cell(pre, cell[layer * HIDDEN + j]);
    cell[layer * HIDDEN + j] = state.c;
    new_hidden[j] = state.h;
    let gates = tape_gates(layer, t, b);
    tape[gates + j] = state.gates.x;
    tape[gates + HIDDEN + j] = state.gates.y;
    tape[gates + 2u * HIDDEN + j] = state.gates.z;
    tape[gates + 3u * HIDDEN + j] = state.gates.w;
    tape[tape_cell(layer, t + 1u, b) + j] = state.c;
    tape[tape_tanh_cell(layer, t, b) + j] = state.tanh_c;
    tape[tape_hidden(layer, t + 1u, b) + j] = state.h;
  }
}

// Packs a layer's new hidden state into `hidden`, once every lane has read the old one.
fn pack_hidden(layer: u32, lane: u32) {
  for (var q = lane; q < LAYER_VEC4S; q += WORKGROUP_SIZE) {
    let j = 4u * q;
    hidden[layer * LAYER_VEC4S + q] = vec4<f32>(
      new_hidden[j],
      new_hidden[j + 1u],
      new_hidden[j + 2u],
      new_hidden[j + 3u],
    );
  }
}

// ---- 3–5. Head k: its layer, addressing, and its read or write.
fn head_step(b: u32, t: u32, k: u32, lane: u32) {
  let lanes = dims.workgroup_size;
  let top = (LAYERS - 1u) * LAYER_VEC4S;
  let weight = head_weight(k) / 4u;
  let bias = head_bias(k);
  let raw_row = tape_head_raw(k, t, b);
  let parts = head_layout(MEMORY_M);
  for (var r = lane; r < head_width(k); r += WORKGROUP_SIZE) {
    var raw = params[bias + r];
    for (var c4 = 0u; c4 < dims.hidden_vec4s; c4++) {
      raw += dot(param_quad(weight + r * LAYER_VEC4S + c4), hidden[top + c4]);
    }
    head_raw[r] = raw;
    tape[raw_row + r] = raw;
  }
  workgroupBarrier();

  let writes = head_writes(k);
  for (var q = lane; q < MEMORY_VEC4S; q += WORKGROUP_SIZE) {
    var key = vec4<f32>();
    var erase = vec4<f32>();
    var add = vec4<f32>();
    for (var c = 0u; c < 4u; c++) {
      let m = 4u * q + c;
      if (m < MEMORY_M) {
        key[c] = cosine_operand(head_raw[parts.key + m]);
        if (writes) {
          erase[c] = activate_erase(head_raw[parts.erase + m]);
          add[c] = head_raw[parts.add + m];
        }
      }
    }
    key4[q] = key;
    erase4[q] = erase;
    add4[q] = add;
  }
  let beta = activate_beta(head_raw[parts.beta]);
  let gate = activate_gate(head_raw[parts.gate]);
  let shift = activate_shift(
    vec3<f32>(head_raw[parts.shift], head_raw[parts.shift + 1u], head_raw[parts.shift + 2u]),
  );
  let gamma = activate_gamma(head_raw[parts.gamma]);
  workgroupBarrier();
  var key_squared = 0.0;
  for (var q = 0u; q < dims.memory_vec4s; q++) {
    key_squared += dot(key4[q], key4[q]);
  }

  // Content addressing: K_i = cos(Mem_i, k), wc = softmax(beta·K).
  let snapshot = memory_state(snapshot_of(t, k), b);
  let row = head_row(k, t, b) * MEMORY_N;
  var largest = LOWEST_F32;
  for (var i = lane; i < dims.memory_n; i += dims.workgroup_size) {
    var dot_product = 0.0;
    var row_squared = 0.0;
    for (var q = 0u; q < dims.memory_vec4s; q++) {
      let u = cosine_operand_quad(memory[snapshot + i * MEMORY_VEC4S + q], q);
      dot_product += dot(u, key4[q]);
      row_squared += dot(u, u);
    }
    let similarity = cosine(dot_product, row_squared, key_squared);
    tape[TAPE_SIMILARITY + row + i] = similarity;
    tape[TAPE_ROW_SQUARED + row + i] = row_squared;
    let logit = beta * similarity;
    row_values[i] = logit;
    largest = max(largest, logit);
  }
  largest = workgroup_max(largest, lane, lanes);
  var total = 0.0;
  for (var i = lane; i < dims.memory_n; i += dims.workgroup_size) {
    total += exp(row_values[i] - largest);
  }
  total = workgroup_sum(total, lane, lanes);

  // Interpolation with the head's previous weighting (the lane wrote it itself a step ago).
  let previous_row = head_row(k, max(t, 1u) - 1u, b) * MEMORY_N;
  for (var i = lane; i < dims.memory_n; i += dims.workgroup_size) {
    let wc = softmax_element(row_values[i], largest, total);
    var w_previous = 0.0;
    if (t > 0u) {
      w_previous = tape[TAPE_WEIGHTS + previous_row + i];
    }
    let wg = interpolate(gate, wc, w_previous);
    gated[i] = wg;
    tape[TAPE_CONTENT_WEIGHTS + row + i] = wc;
    tape[TAPE_GATED_WEIGHTS + row + i] = wg;
  }
  workgroupBarrier();

  // Shift and sharpen.
  var sharpen_total = 0.0;
  for (var i = lane; i < dims.memory_n; i += dims.workgroup_size) {
    let ws = shift_element(
      shift,
      gated[row_above(i, MEMORY_N)],
      gated[i],
      gated[row_below(i, MEMORY_N)],
    );
    tape[TAPE_SHIFTED_WEIGHTS + row + i] = ws;
    let powered = sharpen_power(ws, gamma);
    row_values[i] = powered;
    sharpen_total += powered;
  }
  let denominator = sharpen_denominator(workgroup_sum(sharpen_total, lane, lanes));
  for (var i = lane; i < dims.memory_n; i += dims.workgroup_size) {
    let w = sharpen_element(row_values[i], denominator);
    row_values[i] = w;
    tape[TAPE_WEIGHTS + row + i] = w;
  }
  workgroupBarrier();

  // Read r = Σ_i w_i·Mem_i, or write Mem_i ← Mem_i∘(1 - w_i·e) + w_i·a into the next snapshot.
  // (A write's lanes take memory rows; a read's take quads of columns, each quad's rows split
  // between lanes: reduce.wgsl's split sums.)
  let slot = head_slot(k);
  if (writes) {
    let after = memory_state(snapshot_of(t, k) + 1u, b);
    for (var i = lane; i < dims.memory_n; i += dims.workgroup_size) {
      let w = row_values[i];
      for (var q = 0u; q < dims.memory_vec4s; q++) {
        let e = i * MEMORY_VEC4S + q;
        memory[after + e] = write_quad(memory[snapshot + e], w, erase4[q], add4[q]);
      }
    }
    storageBarrier();
  } else {
    let plan = split_plan(dims.memory_vec4s, lanes);
    let slice = split_slice(plan, lane);
    for (var round = 0u; round < plan.rounds; round++) {
      let q = split_column(plan, round, lane);
      var read = vec4<f32>();
      if (q < dims.memory_vec4s && slice < plan.slices) {
        for (var i = slice; i < dims.memory_n; i += plan.slices) {
          read += row_values[i] * memory[snapshot + i * MEMORY_VEC4S + q];
        }
      }
      read = split_sum4(read, lane, plan);
      if (lane < plan.per_round && q < dims.memory_vec4s) {
        for (var c = 0u; c < 4u; c++) {
          let m = 4u * q + c;
          if (m < MEMORY_M) {
            read_values[slot * MEMORY_M + m] = read[c];
            tape[tape_read(slot, t + 1u, b) + m] = read[c];
          }
        }
      }
    }
    workgroupBarrier();
  }
}

// ---- 6. Output y = sigmoid(W_o·[h, r…] + b_o), at the trained steps (from output_start).
fn output_step(b: u32, t: u32, lane: u32) {
  let top = (LAYERS - 1u) * LAYER_VEC4S;
  for (var f4 = lane; f4 < OUTPUT_VEC4S; f4 += WORKGROUP_SIZE) {
    var value = vec4<f32>();
    for (var q = 0u; q < 4u; q++) {
      let f = 4u * f4 + q;
      if (f < HIDDEN) {
        value[q] = hidden[top + f / 4u][f % 4u];
      } else {
        value[q] = read_value_or_zero(f - HIDDEN);
      }
      tape[tape_output_input(t, b) + f] = value[q];
    }
    output_input[f4] = value;
  }
  workgroupBarrier();
  for (var o = lane; o < OUTPUTS; o += WORKGROUP_SIZE) {
    var logit = params[PARAM_FC_BIAS + o];
    let row = PARAM_FC_WEIGHT / 4u + o * OUTPUT_VEC4S;
    for (var c4 = 0u; c4 < dims.output_vec4s; c4++) {
      logit += dot(param_quad(row + c4), output_input[c4]);
    }
    tape[tape_outputs(t, b) + o] = sigmoid(logit);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lane: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let b = group.x;
  let output_start = steps.output_start;
  let total = total_steps(steps);
  // This dispatch's steps; none when the sequence ends before them.
  let first = step_range.first;
  let end = min(first + step_range.count, total);
  if (first >= end) {
    return;
  }
  if (first == 0u) {
    initial_state(b, lane);
  }
  storageBarrier();
  load_state(b, first, lane);
  workgroupBarrier();
  for (var t = first; t < end; t++) {
    gather_controller_input(b, t, lane);
    workgroupBarrier();
    for (var layer = 0u; layer < LAYERS; layer++) {
      lstm_layer(b, t, layer, lane);
      workgroupBarrier();
      pack_hidden(layer, lane);
      workgroupBarrier();
    }
    for (var k = 0u; k < HEADS; k++) {
      head_step(b, t, k, lane);
    }
    if (t >= output_start) {
      output_step(b, t, lane);
    }
  }
}
