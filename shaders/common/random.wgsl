// Counter-based random draws: a pure function of (seed, stream, index).
// Twin of lib/random.ts, bit for bit (tests/random_test.ts checks it).

// lowbias32: a bijective 32-bit finaliser with full avalanche.
fn mix32(value: u32) -> u32 {
  var x = value;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn random_u32(seed: u32, stream: u32, index: u32) -> u32 {
  let seed_state = mix32(seed ^ 0x9e3779b9u);
  let stream_state = mix32(seed_state ^ stream);
  return mix32(stream_state ^ index);
}

// 0 or 1 from the top bit.
fn random_bit(seed: u32, stream: u32, index: u32) -> u32 {
  return random_u32(seed, stream, index) >> 31u;
}

// Uniform integer in [low, high]; the range may hold at most 65536 values.
fn random_int(seed: u32, stream: u32, index: u32, low: u32, high: u32) -> u32 {
  let count = high - low + 1u;
  return low + (((random_u32(seed, stream, index) >> 16u) * count) >> 16u);
}

// Uniform in [0, 1) with 24 bits.
fn random_uniform(seed: u32, stream: u32, index: u32) -> f32 {
  return f32(random_u32(seed, stream, index) >> 8u) / 16777216.0;
}
