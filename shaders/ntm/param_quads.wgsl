// Quads of the parameter store for the fused forward and backward kernels, fetched from the
// parameter texture (lib/gpu/ntm/param_texture.ts), which each of them binds as `param_texture`:
// on llvmpipe a texel fetch costs well under a vec4 load from a storage buffer. Needs
// shaders/ntm/shape.wgsl (`param_texel`).

// Quad q (floats 4q … 4q+3) of the padded parameter store.
fn param_quad(q: u32) -> vec4<f32> {
  return textureLoad(param_texture, param_texel(q), 0);
}
