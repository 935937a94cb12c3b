/// Plain scalar Swift implementations of every kernel: the specification the fast C kernels are
/// tested against, the fallback on CPUs without them, and the "reference" column of the benchmark.
public enum ReferenceKernels {}
