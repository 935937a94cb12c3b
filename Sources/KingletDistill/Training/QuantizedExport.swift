import Foundation
import KingletKernels
import KingletRuntime
import KingletTraining

extension GGUFExporter {
    /// Exports `checkpoint` in any file type `kinglet quantize` writes (K-quants and Q4_1
    /// included): F32 first, then `ModelQuantizer`, whose rounding is the quantization-aware
    /// training's bit for bit. The F32 file is a temporary beside `output`.
    static func export(checkpoint: URL, to output: URL, quantizedAs type: QuantizeFileType, name: String, threads: Int?) throws {
        let f32 = output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".f32.tmp")
        defer { try? FileManager.default.removeItem(at: f32) }
        try export(checkpoint: checkpoint, to: f32, type: .f32, name: name, threads: threads)
        _ = try ModelQuantizer(input: f32.path, output: output.path, fileType: type).run(threads: threads ?? ThreadPool.physicalCoreCount())
    }
}
