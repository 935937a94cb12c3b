import Foundation
import KingletGGUF
import KingletKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a quantization stands after a tensor.
public struct QuantizeProgress: Sendable, Equatable {
    /// Tensors done (1-based) and in all.
    public var tensor: Int, tensorCount: Int
    public var name: String
    public var from: GGMLType, to: GGMLType
    /// Bytes of tensor data written so far.
    public var bytesWritten: Int
    /// Seconds since the run started.
    public var seconds: Double
}

/// A finished quantization.
public struct QuantizeResult: Sendable, Equatable {
    /// Bytes of tensor data read and written (padding excluded), and of the whole output file.
    public var inputTensorBytes: Int, outputTensorBytes: Int, outputFileBytes: Int
    /// Tensors written, and those converted (the rest were copied as they were).
    public var tensors: Int, converted: Int
    /// Tensors whose row length forced a fallback type.
    public var fallbacks: [TensorTypePlan.Entry]
    public var seconds: Double
}

/// Quantizes a GGUF model file into another, as `llama-quantize IN OUT TYPE` does: the same
/// tensor types (`TensorTypePlan`), the same bytes (the kernels' reference quantizers), the same
/// metadata (copied in order, `general.quantization_version` and `general.file_type` set last,
/// split keys dropped), the same tensor order and alignment. Streams tensor by tensor through a
/// temporary file renamed at the end; memory stays at a slab of rows (~16 MB) beside the mapped
/// input. Quantized inputs are dequantized with the reference kernels first (`requantizes`).
public final class ModelQuantizer: @unchecked Sendable {
    public let inputPath: String, outputPath: String
    public let fileType: QuantizeFileType
    public let plan: TensorTypePlan
    /// True when some tensor is already block-quantized and gets block-quantized again
    /// (precision is lost twice; llama-quantize needs --allow-requantize for it). Dequantizing to
    /// F32/F16/BF16 is not counted.
    public let requantizes: Bool
    private let file: GGUFFile
    private let cancelled = Flag()

    /// A value shared between threads behind a lock.
    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var row: Int?
        /// Records `row` (the smallest one wins).
        func set(_ r: Int = 0) { lock.lock(); row = min(row ?? r, r); lock.unlock() }
        var value: Int? { lock.lock(); defer { lock.unlock() }; return row }
    }

    /// Opens and checks the input and plans every tensor's type; writes nothing yet.
    public init(input: String, output: String, fileType: QuantizeFileType) throws(QuantizeError) {
        let inputURL = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath()
        let outputURL = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath()
        guard inputURL.path != outputURL.path else { throw .sameFile(path: output) }
        let file: GGUFFile
        do { file = try GGUFFile(path: input, placement: .fileMapping) } catch { throw .input(path: input, error) }  // dropPages needs a file mapping
        // GGUFFile has checked every tensor's data range and that its rows are whole blocks.
        guard let architecture = file.architecture else { throw .notAModel(path: input) }
        func int(_ key: String) -> Int? {
            switch file.metadata["\(architecture).\(key)"] {
            case .array(_, let values)?: return values.first?.intValue
            case let value?: return value.intValue
            case nil: return nil
            }
        }
        let heads = int("attention.head_count") ?? 0
        let model = TensorTypePlan.Model(
            architecture: architecture, layers: int("block_count") ?? 0, heads: heads, kvHeads: int("attention.head_count_kv") ?? heads)
        plan = TensorTypePlan(tensors: file.tensorInfos, model: model, fileType: fileType)
        for e in plan.entries where e.from != e.to {
            guard let type = QuantType(rawValue: e.from.rawValue), type.isWeightType else {
                throw .unsupportedTensorType(tensor: e.name, type: e.from)
            }
        }
        requantizes = plan.entries.contains { $0.from != $0.to && $0.from.blockSize > 1 && $0.to.blockSize > 1 }
        self.file = file
        inputPath = input
        outputPath = output
        self.fileType = fileType
    }

    /// Asks a running `run` to stop after the slab it is on; it then throws `.cancelled`.
    public func cancel() { cancelled.set() }

    private var isCancelled: Bool { cancelled.value != nil || Task.isCancelled }

    /// The output's metadata: the input's in order, then the quantization version and file type
    /// (llama.cpp's `gguf_set_val_*` removes a key and appends it), without split keys.
    func outputMetadata() -> [(key: String, value: GGUFValue)] {
        let moved: Set = ["general.quantization_version", "general.file_type", "split.no", "split.count", "split.tensors.count"]
        var out = file.metadataKeys.filter { !moved.contains($0) }.compactMap { k in file.metadata[k].map { (key: k, value: $0) } }
        out.append((key: "general.quantization_version", value: .uint32(2)))
        out.append((key: "general.file_type", value: .uint32(fileType.llamaFileType)))
        return out
    }

    /// Writes the output. `threads` share each tensor's rows; `progress` is called after each
    /// tensor on the calling thread.
    public func run(
        threads: Int = ThreadPool.physicalCoreCount(), progress: (QuantizeProgress) -> Void = { _ in }
    ) throws(QuantizeError) -> QuantizeResult {
        let start = Date()
        let infos = plan.entries.map { e in
            // ggml writes n_dims without trailing 1s (`ggml_n_dims`).
            let dims = Array(e.dims.prefix((e.dims.lastIndex { $0 > 1 } ?? 0) + 1))
            return (name: e.name, dims: dims, type: e.to, byteCount: e.to.byteCount(elements: e.dims.reduce(1, *)) ?? 0)
        }
        let writer: GGUFStreamWriter
        do {
            writer = try GGUFStreamWriter(path: outputPath, metadata: outputMetadata(), tensors: infos, alignment: file.alignment)
        } catch { throw .output(path: outputPath, error) }
        defer { writer.discard() }
        let pool: ThreadPool
        do { pool = try ThreadPool.sized(threads) } catch { throw .threads(error) }
        var written = 0, read = 0, converted = 0
        for (index, entry) in plan.entries.enumerated() {
            let tensor: GGUFTensor
            do { tensor = try file.tensor(entry.name) } catch { throw .input(path: inputPath, error) }
            read += tensor.data.count
            if entry.from == entry.to {
                try copy(tensor.data, to: writer)
            } else {
                try convert(tensor, entry, to: writer, pool: pool)
                converted += 1
            }
            written += infos[index].byteCount
            Self.dropPages(tensor.data)
            progress(QuantizeProgress(
                tensor: index + 1, tensorCount: plan.entries.count, name: entry.name, from: entry.from, to: entry.to,
                bytesWritten: written, seconds: Date().timeIntervalSince(start)))
        }
        if isCancelled { throw .cancelled }
        do { try writer.finish() } catch { throw .output(path: outputPath, error) }
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int) ?? 0
        return QuantizeResult(
            inputTensorBytes: read, outputTensorBytes: written, outputFileBytes: fileBytes,
            tensors: plan.entries.count, converted: converted, fallbacks: plan.entries.filter { $0.fellBackFrom != nil },
            seconds: Date().timeIntervalSince(start))
    }

    /// Lets the kernel drop the resident pages of a tensor that is done (as llama-quantize unmaps
    /// each weight), so the resident set stays near a slab instead of growing to the whole input.
    /// The input is a private read-only file mapping: a page touched again is read back from the
    /// file, never lost.
    static func dropPages(_ data: UnsafeRawBufferPointer) {
        guard let base = data.baseAddress, data.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page  // whole pages inside the tensor only
        let end = (Int(bitPattern: base) + data.count) / page * page
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, end - start, MADV_DONTNEED)
    }

    /// Bytes of one slab: the unit of work between cancellation checks and writes.
    static let slabBytes = 16 << 20

    private func copy(_ data: UnsafeRawBufferPointer, to writer: GGUFStreamWriter) throws(QuantizeError) {
        var offset = 0
        repeat {
            if isCancelled { throw .cancelled }
            let n = min(Self.slabBytes, data.count - offset)
            do { try writer.append(UnsafeRawBufferPointer(rebasing: data[offset..<offset + n])) } catch { throw .output(path: outputPath, error) }
            offset += n
        } while offset < data.count
    }

    /// Dequantizes (unless F32) and quantizes `tensor` slab by slab, rows shared among the pool.
    private func convert(_ tensor: GGUFTensor, _ entry: TensorTypePlan.Entry, to writer: GGUFStreamWriter, pool: ThreadPool) throws(QuantizeError) {
        let from = QuantType(rawValue: entry.from.rawValue)!, to = QuantType(rawValue: entry.to.rawValue)!
        let rowLength = entry.dims.first ?? 1
        let rows = entry.dims.reduce(1, *) / max(rowLength, 1)
        let inRow = from.rowBytes(cols: rowLength), outRow = to.rowBytes(cols: rowLength)
        let slabRows = max(1, Self.slabBytes / max(1, rowLength * 4 + outRow))
        let out = UnsafeMutableRawPointer.allocate(byteCount: slabRows * outRow, alignment: 64)
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: slabRows * rowLength)
        defer { out.deallocate(); floats.deallocate() }
        let nonFinite = Flag()  // the first row holding NaN or ±inf
        let source = tensor.data.baseAddress!
        for slab in stride(from: 0, to: rows, by: slabRows) {
            if isCancelled { throw .cancelled }
            let count = min(slabRows, rows - slab)
            pool.parallelFor(count) { range in
                for r in range {
                    let x = floats + r * rowLength
                    ReferenceKernels.dequantizeRow(from, source + (slab + r) * inRow, into: x, count: rowLength)
                    var finite = true
                    for i in 0..<rowLength where !x[i].isFinite { finite = false; break }
                    if !finite {
                        nonFinite.set(slab + r)
                        continue
                    }
                    ReferenceKernels.quantizeWeightRow(x, to: to, out + r * outRow, count: rowLength)
                }
            }
            if let row = nonFinite.value { throw .nonFiniteValue(tensor: entry.name, row: row) }
            do { try writer.append(UnsafeRawBufferPointer(start: out, count: count * outRow)) } catch { throw .output(path: outputPath, error) }
        }
    }
}
