// Writing one memory element (paper section 3.2), forward and backward. Twin of the write in
// lib/cpu/memory.ts. (A read, r_m = Σ_i w_i·Mem_im, is a plain dot product: dw_i = Σ_m dr_m·Mem_im,
// dMem_im += w_i·dr_m.)

// Mem'_im = Mem_im·(1 - w_i·e_m) + w_i·a_m.
fn write_element(old: f32, w: f32, erase: f32, add: f32) -> f32 {
  return old * (1.0 - w * erase) + w * add;
}

// Gradients of one element's write from `d_after` (the gradient of Mem'_im): `memory` replaces
// the gradient of Mem_im; `weight`, `erase` and `add` are this element's shares of dw_i (sum
// over m), de_m and da_m (sum over i).
struct WriteGradient {
  memory: f32,
  weight: f32,
  erase: f32,
  add: f32,
}

fn write_backward(old: f32, w: f32, erase: f32, add: f32, d_after: f32) -> WriteGradient {
  return WriteGradient(
    d_after * (1.0 - w * erase),
    d_after * (add - old * erase),
    -d_after * old * w,
    d_after * w,
  );
}
