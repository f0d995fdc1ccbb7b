// The fused NTM backward pass (BPTT) over a sequence: one workgroup per batch row, the time loop
// inside running backwards. A dispatch runs the steps of its `StepRange` (shape.wgsl), counted
// from the sequence's last: all of them on a GPU, a few on a software adapter, whose loop limit
// would otherwise cut the sequence short (lib/gpu/ntm/loop_bounds.ts counts this file's loops:
// change both together). Twin of `CpuNtm.backward` in lib/cpu/ntm.ts, with the loss gradient
// of lib/cpu/loss.ts `bceLossBackward` folded in.
//
// Linked after shaders/common/{activations,addressing,lstm,memory,softmax,head,loss,reduce}.wgsl
// and shaders/ntm/{shape,memory_quads,param_quads}.wgsl. Reads the forward tape and the memory
// states; writes to the gradient tape what the weight gradients need (dGates per layer, dRaw per
// head, dLogits, all time-major, and each row's initial-state gradients). The gradients carried
// between steps live in workgroup memory (dh, dc, the reads') or, when large, in buffers: the
// memory's in a buffer of its own, each head's weighting's in a scratch region of the gradient
// tape; between dispatches dh and dc wait in the initial-state gradients' region (which the last
// dispatch leaves holding them) and the reads' in a scratch region.
//
// Per step and batch row the copy task costs ~0.25 MFLOP: the LSTM's two transposed products
// (~0.1 MFLOP, weights fetched as texels), the heads' (~0.02 MFLOP) and ~10·N·M per head through
// the addressing and the memory.

// The parameter store as texels (shaders/ntm/param_quads.wgsl).
@group(0) @binding(0) var param_texture: texture_2d<f32>;
@group(0) @binding(1) var<storage, read> batch: array<f32>;
@group(0) @binding(2) var<storage, read> steps: StepRecord;
@group(0) @binding(3) var<storage, read> tape: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
// The forward's memory states and the memory's gradient, by quads of columns
// (shaders/ntm/memory_quads.wgsl).
@group(0) @binding(5) var<storage, read> memory: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> d_memory: array<vec4<f32>>;
@group(0) @binding(7) var<uniform> dims: Dims;
@group(0) @binding(8) var<uniform> step_range: StepRange;

// Gradients of each layer's hidden state [L][pad4(H)] and cell state [L][H].
var<workgroup> d_hidden: array<f32, LAYER_HIDDEN>;
var<workgroup> d_cell: array<f32, LAYER_CELLS>;
// Pre-activation gate gradients (i, f, g, o) of each unit of the current layer.
var<workgroup> d_gates: array<vec4<f32>, HIDDEN>;
// Gradients of the reads [R][M]: of this step's, then (from the controller) of the previous's.
var<workgroup> d_reads: array<f32, READ_VALUES>;
// Gradients of the output logits of this step.
var<workgroup> d_logits: array<f32, OUTPUTS>;
// The current head's activated values, the gradients of its key, erase and add vectors (in the
// activated layout), and the gradient of its raw values.
var<workgroup> head_act: array<f32, HEAD_STRIDE>;
var<workgroup> d_act: array<f32, HEAD_STRIDE>;
var<workgroup> d_raw: array<f32, HEAD_STRIDE>;
// By quads of memory columns (zero past M): the current head's key as the cosine sees it, its
// erase and add vectors (a write) or the gradient of its read (a read).
var<workgroup> key4: array<vec4<f32>, MEMORY_VEC4S>;
var<workgroup> erase4: array<vec4<f32>, MEMORY_VEC4S>;
var<workgroup> add4: array<vec4<f32>, MEMORY_VEC4S>;
var<workgroup> d_read4: array<vec4<f32>, MEMORY_VEC4S>;
// Per-row gradients of the current head: dw, then dwc; dws (read across rows by the shift);
// and dSimilarity·(1/|u||v|), the coefficients of the key's gradient.
var<workgroup> row_gradient: array<f32, MEMORY_N>;
var<workgroup> shifted_gradient: array<f32, MEMORY_N>;
var<workgroup> key_coefficients: array<f32, MEMORY_N>;

fn snapshot_of(t: u32, k: u32) -> u32 {
  return t * WRITES + writes_before(k);
}

// ---- The sequence's last step: nothing flows back from after it.
fn clear_carried(b: u32, lane: u32) {
  for (var i = lane; i < 2u * LAYER_HIDDEN; i += WORKGROUP_SIZE) {
    grad[grad_initial_state(b, 0u, 0u) + i] = 0.0;
  }
  for (var i = lane; i < READ_VALUES; i += WORKGROUP_SIZE) {
    grad[grad_reads(b) + i] = 0.0;
  }
  for (var q = lane; q < MEMORY_QUADS; q += WORKGROUP_SIZE) {
    d_memory[d_memory_state(b) + q] = vec4<f32>();
  }
  for (var i = lane; i < HEADS * MEMORY_N; i += WORKGROUP_SIZE) {
    grad[grad_weights(b, 0u) + i] = 0.0;
  }
}

// ---- The gradients carried into this dispatch's first step, from the gradient tape.
fn load_carried(b: u32, lane: u32) {
  for (var i = lane; i < LAYER_HIDDEN; i += WORKGROUP_SIZE) {
    d_hidden[i] = grad[grad_initial_state(b, 0u, 0u) + i];
  }
  for (var i = lane; i < LAYER_CELLS; i += WORKGROUP_SIZE) {
    d_cell[i] = grad[grad_initial_state(b, 1u, i / HIDDEN) + i % HIDDEN];
  }
  for (var i = lane; i < READ_VALUES; i += WORKGROUP_SIZE) {
    d_reads[i] = grad[grad_reads(b) + i];
  }
}

// ---- The gradients carried out of this dispatch's last step, onto the gradient tape: after
// the sequence's first step, dh and dc are the gradients of the initial state.
fn save_carried(b: u32, lane: u32) {
  for (var i = lane; i < LAYER_HIDDEN; i += WORKGROUP_SIZE) {
    grad[grad_initial_state(b, 0u, 0u) + i] = d_hidden[i];
  }
  for (var i = lane; i < LAYER_CELLS; i += WORKGROUP_SIZE) {
    grad[grad_initial_state(b, 1u, i / HIDDEN) + i % HIDDEN] = d_cell[i];
  }
  for (var i = lane; i < READ_VALUES; i += WORKGROUP_SIZE) {
    grad[grad_reads(b) + i] = d_reads[i];
  }
}

// ---- 6. Output layer: dLogits from the BCE loss, then into h and the reads.
fn output_backward(b: u32, t: u32, lane: u32) {
  let output_step = t - steps.output_start;
  let scale = 1.0 / f32(steps.output_steps * BATCH * OUTPUTS);
  for (var o = lane; o < OUTPUTS; o += WORKGROUP_SIZE) {
    let y = tape[tape_outputs(t, b) + o];
    let expected = batch[batch_target(output_step, b) + o];
    let d_logit = bce_backward_element(y, expected, scale) * sigmoid_grad_from_output(y);
    d_logits[o] = d_logit;
    grad[grad_logits(t, b) + o] = d_logit;
  }
  workgroupBarrier();
  let top = (LAYERS - 1u) * HIDDEN_PADDED;
  for (var f4 = lane; f4 < OUTPUT_INPUTS_PADDED / 4u; f4 += WORKGROUP_SIZE) {
    var sum = vec4<f32>();
    for (var o = 0u; o < dims.outputs; o++) {
      sum += param_quad(PARAM_FC_WEIGHT / 4u + o * (OUTPUT_INPUTS_PADDED / 4u) + f4) * d_logits[o];
    }
    for (var q = 0u; q < 4u; q++) {
      let f = 4u * f4 + q;
      if (f < HIDDEN) {
        d_hidden[top + f] += sum[q];
      } else if (f < OUTPUT_INPUTS) {
        d_reads[f - HIDDEN] += sum[q];
      }
    }
  }
  workgroupBarrier();
}

// ---- 5–3. Head k: its read or write, addressing and activations, then into h.
fn head_backward(b: u32, t: u32, k: u32, lane: u32) {
  let lanes = dims.workgroup_size;
  let raw_row = tape_head_raw(k, t, b);
  let parts = head_layout(MEMORY_M);
  let shift_row = raw_row + parts.shift;
  let shift_logits = vec3<f32>(tape[shift_row], tape[shift_row + 1u], tape[shift_row + 2u]);
  let slot = head_slot(k);
  let writes = head_writes(k);
  for (var r = lane; r < head_width(k); r += WORKGROUP_SIZE) {
    head_act[r] = head_activation(r, parts, tape[raw_row + r], shift_logits);
    d_act[r] = 0.0;
  }
  for (var q = lane; q < MEMORY_VEC4S; q += WORKGROUP_SIZE) {
    var key = vec4<f32>();
    var erase = vec4<f32>();
    var add = vec4<f32>();
    var d_read = vec4<f32>();
    for (var c = 0u; c < 4u; c++) {
      let m = 4u * q + c;
      if (m < MEMORY_M) {
        key[c] = cosine_operand(tape[raw_row + parts.key + m]);
        if (writes) {
          erase[c] = activate_erase(tape[raw_row + parts.erase + m]);
          add[c] = tape[raw_row + parts.add + m];
        } else {
          d_read[c] = d_reads[slot * MEMORY_M + m];
        }
      }
    }
    key4[q] = key;
    erase4[q] = erase;
    add4[q] = add;
    d_read4[q] = d_read;
  }
  let beta = activate_beta(tape[raw_row + parts.beta]);
  let gate = activate_gate(tape[raw_row + parts.gate]);
  let shift = activate_shift(shift_logits);
  let gamma = activate_gamma(tape[raw_row + parts.gamma]);
  workgroupBarrier();
  var key_squared = 0.0;
  for (var q = 0u; q < dims.memory_vec4s; q++) {
    key_squared += dot(key4[q], key4[q]);
  }

  // The read r = Σ w_i·Mem_i, or the write Mem' = Mem∘(1 - w·e) + w·a: dw, and for a write
  // de and da (column sums over the rows). `d_memory` holds the gradient of the memory after
  // this head; a read's share and a write's factor (1 - w·e) are applied with the content
  // addressing's share below, in one pass. Lanes take memory rows, or quads of columns for the
  // column sums, each quad's rows split between lanes (reduce.wgsl's split sums).
  let snapshot = memory_state(snapshot_of(t, k), b);
  let d_state = d_memory_state(b);
  let row = head_row(k, t, b) * MEMORY_N;
  var weighted = 0.0;
  for (var i = lane; i < MEMORY_N; i += WORKGROUP_SIZE) {
    let w = tape[TAPE_WEIGHTS + row + i];
    var dw = grad[grad_weights(b, k) + i];
    let cells = i * MEMORY_VEC4S;
    // (The branch on the head's kind stays outside the loops over columns: llvmpipe runs both
    // sides of a branch inside a loop.)
    if (writes) {
      for (var q = 0u; q < dims.memory_vec4s; q++) {
        let e = cells + q;
        let old = memory[snapshot + e];
        dw += write_backward_quad(old, w, erase4[q], add4[q], d_memory[d_state + e]).weight;
      }
    } else {
      // (The read's share of dMem, w_i·dr, is added with the content addressing's below.)
      for (var q = 0u; q < dims.memory_vec4s; q++) {
        dw += dot(d_read4[q], memory[snapshot + cells + q]);
      }
    }
    row_gradient[i] = dw;
    weighted += dw * w;
  }
  if (writes) {
    let plan = split_plan(dims.memory_vec4s, lanes);
    let slice = split_slice(plan, lane);
    for (var round = 0u; round < plan.rounds; round++) {
      let q = split_column(plan, round, lane);
      var d_erase = vec4<f32>();
      var d_add = vec4<f32>();
      if (q < dims.memory_vec4s && slice < plan.slices) {
        for (var i = slice; i < dims.memory_n; i += plan.slices) {
          let e = i * MEMORY_VEC4S + q;
          let w = tape[TAPE_WEIGHTS + row + i];
          let gradient = write_backward_quad(
            memory[snapshot + e],
            w,
            erase4[q],
            add4[q],
            d_memory[d_state + e],
          );
          d_erase += gradient.erase;
          d_add += gradient.add;
        }
      }
      d_erase = split_sum4(d_erase, lane, plan);
      d_add = split_sum4(d_add, lane, plan);
      if (lane < plan.per_round && q < dims.memory_vec4s) {
        for (var c = 0u; c < 4u; c++) {
          let m = 4u * q + c;
          if (m < MEMORY_M) {
            d_act[parts.erase + m] = d_erase[c];
            d_act[parts.add + m] = d_add[c];
          }
        }
      }
    }
  }
  weighted = workgroup_sum(weighted, lane, lanes);

  // Sharpening.
  var d_gamma = 0.0;
  for (var i = lane; i < MEMORY_N; i += WORKGROUP_SIZE) {
    let gradient = sharpen_backward(
      tape[TAPE_SHIFTED_WEIGHTS + row + i],
      gamma,
      tape[TAPE_WEIGHTS + row + i],
      row_gradient[i],
      weighted,
    );
    shifted_gradient[i] = gradient.ws;
    d_gamma += gradient.gamma;
  }
  workgroupBarrier();
  if (writes) {
    // The column sums above read d_memory down every row; the memory gradient below overwrites
    // row i from lane i, and workgroupBarrier does not order storage memory.
    storageBarrier();
  }

  // Shift (its transpose reads dws across rows) and interpolation; dw_prev is carried to the
  // previous step.
  var d_shift = vec3<f32>();
  var d_gate = 0.0;
  var weighted_content = 0.0;
  let previous_row = head_row(k, max(t, 1u) - 1u, b) * MEMORY_N;
  for (var i = lane; i < MEMORY_N; i += WORKGROUP_SIZE) {
    let above = row_above(i, MEMORY_N);
    let below = row_below(i, MEMORY_N);
    d_shift += shift_weight_gradient(
      shifted_gradient[i],
      tape[TAPE_GATED_WEIGHTS + row + above],
      tape[TAPE_GATED_WEIGHTS + row + i],
      tape[TAPE_GATED_WEIGHTS + row + below],
    );
    let d_gated = shift_transpose_element(
      shift,
      shifted_gradient[above],
      shifted_gradient[i],
      shifted_gradient[below],
    );
    let wc = tape[TAPE_CONTENT_WEIGHTS + row + i];
    var w_previous = 0.0;
    if (t > 0u) {
      w_previous = tape[TAPE_WEIGHTS + previous_row + i];
    }
    let gradient = interpolate_backward(gate, wc, w_previous, d_gated);
    grad[grad_weights(b, k) + i] = gradient.w_prev;
    d_gate += gradient.gate;
    row_gradient[i] = gradient.wc;
    weighted_content += gradient.wc * wc;
  }
  weighted_content = workgroup_sum(weighted_content, lane, lanes);

  // Content addressing: through the softmax and the cosine into beta, the memory and the key.
  var d_beta = 0.0;
  var key_scale = 0.0;
  for (var i = lane; i < MEMORY_N; i += WORKGROUP_SIZE) {
    let wc = tape[TAPE_CONTENT_WEIGHTS + row + i];
    let similarity = tape[TAPE_SIMILARITY + row + i];
    let d_logit = softmax_backward_element(wc, row_gradient[i], weighted_content);
    d_beta += d_logit * similarity;
    let d_similarity = d_logit * beta;
    let cosine_factors = cosine_gradient(similarity, tape[TAPE_ROW_SQUARED + row + i], key_squared);
    let cross = d_similarity * cosine_factors.cross;
    let u_scale = d_similarity * cosine_factors.u_scale;
    let w = tape[TAPE_WEIGHTS + row + i];
    let cells = i * MEMORY_VEC4S;
    if (writes) {
      for (var q = 0u; q < dims.memory_vec4s; q++) {
        let e = cells + q;
        let old = memory[snapshot + e];
        let d_before =
          write_backward_quad(old, w, erase4[q], add4[q], d_memory[d_state + e]).memory;
        d_memory[d_state + e] = d_before + cross * key4[q] - u_scale * cosine_operand_quad(old, q);
      }
    } else {
      for (var q = 0u; q < dims.memory_vec4s; q++) {
        let e = cells + q;
        d_memory[d_state + e] += w * d_read4[q] + cross * key4[q] -
          u_scale * cosine_operand_quad(memory[snapshot + e], q);
      }
    }
    key_coefficients[i] = cross;
    key_scale += d_similarity * cosine_factors.v_scale;
  }
  let sums = workgroup_sum4(vec4<f32>(d_beta, d_gamma, d_gate, key_scale), lane, lanes);
  let scalars = HeadScalarGradients(
    sums.x,
    sums.z,
    workgroup_sum4(vec4<f32>(d_shift, 0.0), lane, lanes).xyz,
    sums.y,
  );

  // The key's gradient, Σ_i dSim_i·(u_i/(|u_i||v|) - cos_i·v/|v|²), lanes taking quads of
  // columns, each quad's rows split between lanes (the reductions' barriers published
  // key_coefficients); then every raw value's.
  let key_plan = split_plan(dims.memory_vec4s, lanes);
  let key_slice = split_slice(key_plan, lane);
  for (var round = 0u; round < key_plan.rounds; round++) {
    let q = split_column(key_plan, round, lane);
    var d_key = vec4<f32>();
    if (q < dims.memory_vec4s && key_slice < key_plan.slices) {
      for (var i = key_slice; i < dims.memory_n; i += key_plan.slices) {
        let u = cosine_operand_quad(memory[snapshot + i * MEMORY_VEC4S + q], q);
        d_key += key_coefficients[i] * u;
      }
    }
    d_key = split_sum4(d_key, lane, key_plan);
    if (lane < key_plan.per_round && q < dims.memory_vec4s) {
      d_key -= key4[q] * sums.w;
      for (var c = 0u; c < 4u; c++) {
        let m = 4u * q + c;
        if (m < MEMORY_M) {
          d_act[parts.key + m] = d_key[c];
        }
      }
    }
  }
  workgroupBarrier();
  let d_raw_row = grad_head_raw(k, t, b);
  for (var r = lane; r < head_width(k); r += WORKGROUP_SIZE) {
    let raw = tape[raw_row + r];
    let d = head_activation_backward(r, parts, raw, head_act[r], d_act[r], scalars, shift);
    d_raw[r] = d;
    grad[d_raw_row + r] = d;
  }
  workgroupBarrier();

  // Into the top layer's hidden state: dh += W_kᵀ·dRaw (lanes take 4 columns each, the rows
  // split between lanes).
  let weight = head_weight(k) / 4u;
  let top = (LAYERS - 1u) * HIDDEN_PADDED;
  let width = head_width(k);
  let hidden_plan = split_plan(dims.hidden_vec4s, lanes);
  let hidden_slice = split_slice(hidden_plan, lane);
  for (var round = 0u; round < hidden_plan.rounds; round++) {
    let j4 = split_column(hidden_plan, round, lane);
    var sum = vec4<f32>();
    if (j4 < dims.hidden_vec4s && hidden_slice < hidden_plan.slices) {
      for (var r = hidden_slice; r < width; r += hidden_plan.slices) {
        sum += param_quad(weight + r * (HIDDEN_PADDED / 4u) + j4) * d_raw[r];
      }
    }
    sum = split_sum4(sum, lane, hidden_plan);
    if (lane < hidden_plan.per_round && j4 < dims.hidden_vec4s) {
      for (var q = 0u; q < 4u; q++) {
        d_hidden[top + 4u * j4 + q] += sum[q];
      }
    }
  }
  workgroupBarrier();
  storageBarrier();
}

// ---- 2–1. One LSTM layer: the cell, then the gates into the layer's input and h_prev.
fn lstm_backward(b: u32, t: u32, layer: u32, lane: u32) {
  let gates = tape_gates(layer, t, b);
  let gate_gradients = grad_gates(layer, t, b);
  for (var j = lane; j < HIDDEN; j += WORKGROUP_SIZE) {
    let activated = vec4<f32>(
      tape[gates + j],
      tape[gates + HIDDEN + j],
      tape[gates + 2u * HIDDEN + j],
      tape[gates + 3u * HIDDEN + j],
    );
    let gradient = lstm_cell_backward(
      activated,
      tape[tape_cell(layer, t, b) + j],
      tape[tape_tanh_cell(layer, t, b) + j],
      d_hidden[layer * HIDDEN_PADDED + j],
      d_cell[layer * HIDDEN + j],
    );
    d_cell[layer * HIDDEN + j] = gradient.c_prev;
    d_gates[j] = gradient.pre;
    grad[gate_gradients + j] = gradient.pre.x;
    grad[gate_gradients + HIDDEN + j] = gradient.pre.y;
    grad[gate_gradients + 2u * HIDDEN + j] = gradient.pre.z;
    grad[gate_gradients + 3u * HIDDEN + j] = gradient.pre.w;
  }
  workgroupBarrier();

  // d_input = W_ihᵀ·dGates (layer 0 keeps only the reads' part: the inputs need no gradient)
  // and dh_prev = W_hhᵀ·dGates; lanes take 4 columns each, of either product, the units split
  // between lanes (reduce.wgsl's split sums).
  let inputs4 = layer_input_padded(layer) / 4u;
  let first4 = select(0u, INPUTS / 4u, layer == 0u);
  let input_columns = inputs4 - first4;
  let weight_ih = lstm_weight_ih(layer) / 4u;
  let weight_hh = lstm_weight_hh(layer) / 4u;
  let hidden4s = HIDDEN_PADDED / 4u;
  let plan = split_plan(input_columns + dims.hidden_vec4s, dims.workgroup_size);
  let slice = split_slice(plan, lane);
  for (var round = 0u; round < plan.rounds; round++) {
    let column = split_column(plan, round, lane);
    let from_input = column < input_columns;
    var c4: u32;
    var row: u32;
    var gate_rows: u32;
    if (from_input) {
      c4 = first4 + column;
      row = weight_ih + c4;
      gate_rows = HIDDEN * inputs4;
    } else {
      c4 = column - input_columns;
      row = weight_hh + c4;
      gate_rows = HIDDEN * hidden4s;
    }
    let stride = select(hidden4s, inputs4, from_input);
    var sum = vec4<f32>();
    if (column < input_columns + dims.hidden_vec4s && slice < plan.slices) {
      for (var j = slice; j < dims.hidden; j += plan.slices) {
        let unit = row + j * stride;
        let d = d_gates[j];
        sum += param_quad(unit) * d.x + param_quad(unit + gate_rows) * d.y +
          param_quad(unit + 2u * gate_rows) * d.z + param_quad(unit + 3u * gate_rows) * d.w;
      }
    }
    sum = split_sum4(sum, lane, plan);
    if (lane < plan.per_round && column < input_columns + dims.hidden_vec4s) {
      for (var q = 0u; q < 4u; q++) {
        let c = 4u * c4 + q;
        if (!from_input) {
          d_hidden[layer * HIDDEN_PADDED + c] = sum[q];
        } else if (layer > 0u) {
          d_hidden[(layer - 1u) * HIDDEN_PADDED + c] += sum[q];
        } else if (c >= INPUTS && c < CONTROLLER_INPUTS) {
          d_reads[c - INPUTS] = sum[q];
        }
      }
    }
  }
  workgroupBarrier();
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lane: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let b = group.x;
  let output_start = steps.output_start;
  let total = total_steps(steps);
  // This dispatch's steps, counted from the last; none when the sequence ends before them.
  let first = step_range.first;
  let end = min(first + step_range.count, total);
  if (first >= end) {
    return;
  }
  if (first == 0u) {
    clear_carried(b, lane);
  }
  storageBarrier();
  load_carried(b, lane);
  workgroupBarrier();
  for (var step = first; step < end; step++) {
    let t = total - 1u - step;
    if (t >= output_start) {
      output_backward(b, t, lane);
    }
    for (var q = 0u; q < HEADS; q++) {
      head_backward(b, t, HEADS - 1u - q, lane);
    }
    for (var q = 0u; q < LAYERS; q++) {
      lstm_backward(b, t, LAYERS - 1u - q, lane);
    }
  }
  save_carried(b, lane);
}
