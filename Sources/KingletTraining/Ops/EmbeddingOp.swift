/// Token embedding: x[n] = E[token[n]], and its backward dE[token[n]] += dx[n].
///
///   E      [V, D]
///   tokens [N]
///   x      [N, D]
enum EmbeddingOp {
    static func forward(_ x: UnsafeMutablePointer<Float>, _ table: UnsafePointer<Float>,
                        tokens: UnsafePointer<Int32>, n: Int, dim: Int) {
        for i in 0 ..< n {
            (x + i * dim).update(from: table + Int(tokens[i]) * dim, count: dim)
        }
    }

    /// Sequential over tokens: a token repeated in the batch adds its rows in order (deterministic).
    static func backward(_ dtable: UnsafeMutablePointer<Float>, _ dx: UnsafePointer<Float>,
                         tokens: UnsafePointer<Int32>, n: Int, dim: Int) {
        for i in 0 ..< n {
            VectorMath.axpy(1, dx + i * dim, dtable + Int(tokens[i]) * dim, dim)
        }
    }
}
