import ArgumentParser
import Foundation
import KingletTraining

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Turn a training checkpoint into a GGUF model that Kinglet and llama.cpp run.")

    @Argument(help: "A checkpoint .gguf, or a training output folder holding checkpoint.gguf.")
    var checkpoint: String

    @Option(name: .shortAndLong, help: "The model file to write.")
    var out: String

    @Option(help: "Weight type of the matrices (norms stay f32).")
    var type: ExportType = .f16

    @Option(help: "general.name of the exported model (default: the checkpoint's).")
    var name: String?

    @Option(name: .shortAndLong, help: "Worker threads (default: physical cores).")
    var threads: Int?

    func validate() throws {
        try validateThreads(threads)
    }

    /// The checkpoint file: `checkpoint` itself, or `checkpoint.gguf` inside it when it is a folder.
    static func resolve(_ path: String) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url.appendingPathComponent("checkpoint.gguf")
        }
        return url
    }

    func run() async throws {
        try await reportingErrors {
            let source = Self.resolve(checkpoint)
            let r = try GGUFExporter.export(checkpoint: source, to: URL(fileURLWithPath: out), type: type, name: name, threads: threads)
            let types = r.tensorTypes.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            print(String(format: "wrote %@ (%.2f MB, %@): %d parameters, %d tensors (%@)",
                         r.path, Double(r.fileBytes) / 1e6, r.type.rawValue, r.parameterCount,
                         r.tensorTypes.values.reduce(0, +), types))
            if !r.fallbackTensors.isEmpty {
                print("  as F16 (rows not whole 32-element blocks): \(r.fallbackTensors.joined(separator: ", "))")
            }
            print("  left out: \(r.droppedTensors.count) optimizer tensors, \(r.droppedKeys.count) training keys")
        }
    }
}

extension ExportType: ExpressibleByArgument {}
