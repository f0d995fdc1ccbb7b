// NTM addressing (paper section 3.3), one element at a time, each piece with its backward beside
// it. Twin of lib/cpu/addressing.ts: the same formulas and epsilons. Per-row sums (dot products,
// softmax and sharpen totals) are the caller's: a loop in a one-invocation-per-row op, or
// reduce.wgsl in a workgroup-per-row kernel.

// The cosine's denominator floor, as PyTorch's `cosine_similarity` (eps 1e-8).
const COSINE_EPS: f32 = 1e-8;
// Added to every memory and key element before the cosine (reference: `memory + 1e-16`).
const COSINE_OFFSET: f32 = 1e-16;
// Added to the sharpening denominator.
const SHARPEN_EPS: f32 = 1e-16;

// ---- Content similarity: K = cos(u, v) with u = Mem_i + 1e-16, v = k + 1e-16.

// An element as the cosine sees it: `x + 1e-16`.
fn cosine_operand(x: f32) -> f32 {
  return x + COSINE_OFFSET;
}

// cos(u, v) from `dot = Σ u·v`, `u_squared = Σ u²`, `v_squared = Σ v²`, with the denominator
// `|u|·|v|` clamped below at 1e-8.
fn cosine(dot: f32, u_squared: f32, v_squared: f32) -> f32 {
  return dot / max(sqrt(u_squared) * sqrt(v_squared), COSINE_EPS);
}

// The factors of the cosine's gradient:
// `d cos/du_m = cross·v_m - u_scale·u_m` and `d cos/dv_m = cross·u_m - v_scale·v_m`.
// Where the denominator is clamped, `cross = 1/1e-8` and both scales are 0.
struct CosineGradient {
  cross: f32,
  u_scale: f32,
  v_scale: f32,
}

// The gradient factors of `cosine(dot, u_squared, v_squared)`, given its value `similarity`.
fn cosine_gradient(similarity: f32, u_squared: f32, v_squared: f32) -> CosineGradient {
  let product = sqrt(u_squared) * sqrt(v_squared);
  if (product > COSINE_EPS) {
    return CosineGradient(1.0 / product, similarity / u_squared, similarity / v_squared);
  }
  return CosineGradient(1.0 / COSINE_EPS, 0.0, 0.0);
}

// ---- Interpolation: wg = g·wc + (1-g)·w_prev.

fn interpolate(g: f32, wc: f32, w_prev: f32) -> f32 {
  return g * wc + (1.0 - g) * w_prev;
}

// Gradients of one element's interpolation from `dwg`; `gate` is this element's share of dg
// (sum it over the row).
struct InterpolateGradient {
  wc: f32,
  w_prev: f32,
  gate: f32,
}

fn interpolate_backward(g: f32, wc: f32, w_prev: f32, dwg: f32) -> InterpolateGradient {
  return InterpolateGradient(g * dwg, (1.0 - g) * dwg, dwg * (wc - w_prev));
}

// ---- Circular 3-tap shift: ws_i = s0·wg_{i-1} + s1·wg_i + s2·wg_{i+1} (indices mod N).

// Index of row i-1 modulo n.
fn row_above(i: u32, n: u32) -> u32 {
  return (i + n - 1u) % n;
}

// Index of row i+1 modulo n.
fn row_below(i: u32, n: u32) -> u32 {
  return (i + 1u) % n;
}

// ws_i from the shift weights `shift = (s0, s1, s2)` and wg at rows i-1, i, i+1.
fn shift_element(shift: vec3<f32>, above: f32, here: f32, below: f32) -> f32 {
  return shift.x * above + shift.y * here + shift.z * below;
}

// The transpose: dwg_i = s0·dws_{i+1} + s1·dws_i + s2·dws_{i-1}, from dws at rows i-1, i, i+1.
fn shift_transpose_element(shift: vec3<f32>, d_above: f32, d_here: f32, d_below: f32) -> f32 {
  return shift.x * d_below + shift.y * d_here + shift.z * d_above;
}

// Row i's share of the shift weights' gradient: dws_i·(wg_{i-1}, wg_i, wg_{i+1}) (sum over rows).
fn shift_weight_gradient(dws: f32, above: f32, here: f32, below: f32) -> vec3<f32> {
  return dws * vec3<f32>(above, here, below);
}

// ---- Sharpening: w_i = ws_i^gamma / (Σ_j ws_j^gamma + 1e-16), for ws ≥ 0 and gamma ≥ 1.

// ws^gamma, exactly 0 at ws = 0.
fn sharpen_power(ws: f32, gamma: f32) -> f32 {
  if (ws == 0.0) {
    return 0.0;
  }
  return pow(ws, gamma);
}

// The denominator from `total = Σ_j ws_j^gamma`.
fn sharpen_denominator(total: f32) -> f32 {
  return total + SHARPEN_EPS;
}

// w_i from `powered = ws_i^gamma` and the denominator.
fn sharpen_element(powered: f32, denominator: f32) -> f32 {
  return powered / denominator;
}

// Gradients of one element's sharpening: `ws` is d/d ws_i, `gamma` this element's share of
// d/d gamma (sum it over the row). A zero ws_i contributes nothing (PyTorch masks 0^gamma·log 0).
struct SharpenGradient {
  ws: f32,
  gamma: f32,
}

// From the forward's input ws_i and output w_i, `dw_i` and `weighted = Σ_j dw_j·w_j`:
// with d = (dw_i - weighted)·w_i, d/d ws_i = d·gamma/ws_i and d/d gamma gets d·log(ws_i).
// (No pow: w_i/ws_i stands for ws_i^(gamma-1)/denominator.)
fn sharpen_backward(ws: f32, gamma: f32, w: f32, dw: f32, weighted: f32) -> SharpenGradient {
  if (ws == 0.0) {
    return SharpenGradient(0.0, 0.0);
  }
  let d_log_powered = (dw - weighted) * w;
  return SharpenGradient(d_log_powered * gamma / ws, d_log_powered * log(ws));
}
