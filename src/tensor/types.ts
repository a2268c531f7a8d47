/**
 * The element arrays every kernel works on. Training and embedding run in float32; the float64 path exists so that
 * tests can check each backward pass against central finite differences without float32 rounding noise. Outputs are
 * always passed in by the caller (workspaces are allocated once per batch shape), so no kernel allocates.
 */
export type Vec = Float32Array | Float64Array;
