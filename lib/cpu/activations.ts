/**
 * Scalar activations and their derivatives, with PyTorch's exact conventions.
 *
 * @module
 */

/** Logistic sigmoid. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** PyTorch's softplus (beta 1, threshold 20): `log(1 + e^x)`, or x itself above 20. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/** Derivative of `softplus` at x: `sigmoid(x)`, or 1 above the threshold. */
export function softplusGrad(x: number): number {
  return x > 20 ? 1 : sigmoid(x);
}
