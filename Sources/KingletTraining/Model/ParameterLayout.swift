import KingletArchitectures
import KingletGGUF

/// Where each weight lives in the one flat parameter buffer (gradients and optimizer moments use
/// the same layout), and the GGUF tensor it becomes.
///
/// Per layer, q, k and v are adjacent rows of one [(H + 2·Hkv)·Dh, D] matrix, and gate and up of
/// one [2F, D] matrix, so each pair/triple is one matrix product; they are separate GGUF tensors.
public struct ParameterLayout: Sendable {
    /// One GGUF tensor: `rows × cols` floats at `offset` (a vector has rows = 1).
    public struct Tensor: Sendable {
        public let name: String
        public let offset: Int
        public let rows: Int
        public let cols: Int
        /// Weight decay applies (matrices); not to norm gains.
        public let decays: Bool
        public var count: Int { rows * cols }
        /// GGUF dims, innermost first.
        public var ggufDims: [Int] { rows == 1 ? [cols] : [cols, rows] }
    }

    public struct Layer: Sendable {
        public let attentionNorm: Int   // [D]
        public let qkv: Int             // [(H + 2·Hkv)·Dh, D]
        public let output: Int          // [D, H·Dh]
        public let ffnNorm: Int         // [D]
        public let gateUp: Int          // [2F, D]
        public let down: Int            // [D, F]
    }

    public let config: ModelConfig
    public let tokenEmbedding: Int      // [V, D], also the output head (tied)
    public let layers: [Layer]
    public let outputNorm: Int          // [D]
    public let count: Int               // total floats
    public let tensors: [Tensor]

    public init(_ c: ModelConfig) {
        config = c
        let D = c.embeddingSize, qDim = c.headCount * c.headSize, kvDim = c.kvHeadCount * c.headSize
        let F = c.feedForwardSize
        var tensors: [Tensor] = []
        var offset = 0
        func add(_ name: String, _ rows: Int, _ cols: Int, decays: Bool) -> Int {
            let start = offset
            tensors.append(Tensor(name: name, offset: start, rows: rows, cols: cols, decays: decays))
            offset += rows * cols
            return start
        }
        tokenEmbedding = add(TensorNames.tokenEmbedding, c.vocabularySize, D, decays: true)
        var layers: [Layer] = []
        for l in 0 ..< c.layerCount {
            let n = TensorNames.Block(l)
            let an = add(n.attentionNorm, 1, D, decays: false)
            let q = add(n.query, qDim, D, decays: true)
            _ = add(n.key, kvDim, D, decays: true)
            _ = add(n.value, kvDim, D, decays: true)
            let o = add(n.attentionOutput, D, qDim, decays: true)
            let fn = add(n.feedForwardNorm, 1, D, decays: false)
            let g = add(n.gate, F, D, decays: true)
            _ = add(n.up, F, D, decays: true)
            let d = add(n.down, D, F, decays: true)
            layers.append(Layer(attentionNorm: an, qkv: q, output: o, ffnNorm: fn, gateUp: g, down: d))
        }
        self.layers = layers
        outputNorm = add(TensorNames.outputNorm, 1, D, decays: false)
        count = offset
        self.tensors = tensors
    }

    /// Adds every weight of `parameters` ([count], this layout's order) to `w` as an F32 tensor.
    public func addTensors(_ parameters: [Float], to w: inout GGUFWriter) {
        precondition(parameters.count == count, "parameters do not fit the layout")
        for t in tensors {
            w.addTensor(t.name, dims: t.ggufDims, floats: Array(parameters[t.offset ..< t.offset + t.count]))
        }
    }

    /// Parameters outside the embedding table.
    public var nonEmbeddingCount: Int { count - config.vocabularySize * config.embeddingSize }
}
