import KingletGGUF
import KingletKernels

/// "109 F32, 81 Q5_0, …": how many tensors of each type a file holds, most first.
func tensorTypeSummary(_ gguf: GGUFFile) -> String {
    var counts: [String: Int] = [:]
    for t in gguf.tensorInfos { counts[t.type.description, default: 0] += 1 }
    return counts.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
}

/// Turns GGUF tensors into kernel views, checking shapes so a broken file fails at load time
/// with the tensor's name rather than at run time with a bad read.
struct TensorLoader {
    let gguf: GGUFFile
    /// Names of the tensors the architecture read (or chose to leave aside), for `checkAllUsed`.
    private let used = UsedNames()

    private final class UsedNames { var names: Set<String> = [] }

    init(gguf: GGUFFile) { self.gguf = gguf }

    /// Records that `name` is deliberately not read (for example the LongRoPE factor set the
    /// context length does not select).
    func leaveAside(_ name: String) { used.names.insert(name) }

    /// Refuses a file with a tensor the architecture never read: a bias or scale it does not
    /// apply would otherwise be dropped silently and every answer would be subtly wrong.
    func checkAllUsed(architecture: String) throws(ModelError) {
        let unused = gguf.tensorInfos.first {
            !used.names.contains($0.name) && !$0.name.hasPrefix(TensorNames.trainingStatePrefix)
        }
        if let t = unused {
            throw .unusedTensor(name: t.name, architecture: architecture)
        }
    }

    /// A [rows, cols] matrix (GGUF dims [cols, rows]).
    func matrix(_ name: String, rows: Int, cols: Int) throws(ModelError) -> WeightMatrix {
        guard let t = gguf.tensorIfPresent(name) else { throw .missingTensor(name) }
        used.names.insert(name)
        guard t.dims == [cols, rows] else { throw .badTensorShape(name: name, expected: [cols, rows], found: t.dims) }
        do {
            return try WeightMatrix(typeRawValue: t.type.rawValue, rows: rows, cols: cols, data: t.data.baseAddress!)
        } catch .colsNotMultipleOfBlock(let type, let cols, let blockSize) {
            throw .unsupportedTensorType(name: name, type: "\(type) with rows of \(cols) elements (not whole \(blockSize)-element blocks)")
        } catch {
            throw .unsupportedTensorType(name: name, type: t.type.description)
        }
    }

    func hasTensor(_ name: String) -> Bool { gguf.tensorIfPresent(name) != nil }

    /// An F32 vector (norm weights). [n]
    func vector(_ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float> {
        guard let t = gguf.tensorIfPresent(name) else { throw .missingTensor(name) }
        used.names.insert(name)
        guard t.dims == [count] else { throw .badTensorShape(name: name, expected: [count], found: t.dims) }
        guard t.type == .f32 else { throw .unsupportedTensorType(name: name, type: "\(t.type) (norm weights must be F32)") }
        guard Int(bitPattern: t.data.baseAddress!) % MemoryLayout<Float>.alignment == 0 else {
            throw .badTensorShape(name: name, expected: [count], found: t.dims)
        }
        return t.data.baseAddress!.assumingMemoryBound(to: Float.self)
    }
}
