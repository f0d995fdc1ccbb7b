// Memory rows four columns at a time, for the fused kernels: in the memory states and the
// memory's gradient (lib/gpu/ntm/tape_layout.ts), buffers of vec4s, a memory row is pad4(M)
// floats (MEMORY_VEC4S vec4s), the columns past M zero, so one vec4 load or store
// moves four elements (llvmpipe loads every lane's vec4 in one go, and a loop over vec4s runs a
// quarter of the iterations). Each function applies its scalar twin of
// shaders/common/{addressing,memory}.wgsl to the four columns `4q … 4q+3` of a row. Needs those
// files and shaders/ntm/shape.wgsl (MEMORY_M).

// Which of the columns 4q … 4q+3 lie within the memory's M.
fn quad_columns(q: u32) -> vec4<bool> {
  return 4u * q + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(MEMORY_M);
}

// The columns as the cosine sees them (`cosine_operand`), zero past M, so that the padding adds
// nothing to dot products and norms.
fn cosine_operand_quad(values: vec4<f32>, q: u32) -> vec4<f32> {
  let operand = vec4<f32>(
    cosine_operand(values.x),
    cosine_operand(values.y),
    cosine_operand(values.z),
    cosine_operand(values.w),
  );
  return select(vec4<f32>(), operand, quad_columns(q));
}

// `write_element` of four columns: Mem'_im = Mem_im·(1 - w_i·e_m) + w_i·a_m.
fn write_quad(old: vec4<f32>, w: f32, erase: vec4<f32>, add: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(
    write_element(old.x, w, erase.x, add.x),
    write_element(old.y, w, erase.y, add.y),
    write_element(old.z, w, erase.z, add.z),
    write_element(old.w, w, erase.w, add.w),
  );
}

// `write_backward` of four columns: the memory's, erase's and add's gradients per column, and
// the four columns' share of dw_i summed.
struct WriteGradientQuad {
  memory: vec4<f32>,
  weight: f32,
  erase: vec4<f32>,
  add: vec4<f32>,
}

fn write_backward_quad(
  old: vec4<f32>,
  w: f32,
  erase: vec4<f32>,
  add: vec4<f32>,
  d_after: vec4<f32>,
) -> WriteGradientQuad {
  let x = write_backward(old.x, w, erase.x, add.x, d_after.x);
  let y = write_backward(old.y, w, erase.y, add.y, d_after.y);
  let z = write_backward(old.z, w, erase.z, add.z, d_after.z);
  let v = write_backward(old.w, w, erase.w, add.w, d_after.w);
  return WriteGradientQuad(
    vec4<f32>(x.memory, y.memory, z.memory, v.memory),
    x.weight + y.weight + z.weight + v.weight,
    vec4<f32>(x.erase, y.erase, z.erase, v.erase),
    vec4<f32>(x.add, y.add, z.add, v.add),
  );
}
