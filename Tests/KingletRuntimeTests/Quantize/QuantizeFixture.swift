import Foundation
import KingletGGUF
import KingletRuntime

/// Tests/Data/quantize (scripts/make-quantize-fixtures.sh): a tiny F32 llama and, per type,
/// what llama-quantize made of it (the file's sha256, each tensor's type and sha256).
enum QuantizeFixture {
    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Quantize
            .deletingLastPathComponent()  // KingletRuntimeTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Data/quantize")
    }

    static var model: String { directory.appendingPathComponent("tiny-llama-f32.gguf").path }

    struct Expected: Decodable {
        let sha256: String
        /// name → [type name, sha256 of the tensor's bytes]
        let tensors: [String: [String]]
    }

    static func expected() throws -> [String: Expected] {
        try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: directory.appendingPathComponent("llama-quantize.json")))
    }

    /// A fresh empty directory for outputs.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-quantize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func sha256(path: String) throws -> String {
        Digests.hex(Digests.sha256([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
    }

    /// What differs between the file at `path` and `want`, tensor by tensor (empty when nothing).
    static func tensorDifferences(path: String, _ want: Expected) throws -> [String] {
        let file = try GGUFFile(path: path)
        var out: [String] = []
        for info in file.tensorInfos {
            let t = try file.tensor(info.name)
            let got = [info.type.description, Digests.hex(Digests.sha256(t.data))]
            if want.tensors[info.name] != got { out.append("\(info.name): \(got[0]) vs llama-quantize's \(want.tensors[info.name]?[0] ?? "none")") }
        }
        if Set(file.tensorInfos.map(\.name)) != Set(want.tensors.keys) { out.append("tensor names differ") }
        return out
    }
}
