import ArgumentParser
import Foundation
import Kinglet

struct QuantizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a GGUF model to another type, as llama-quantize does (same tensor types, same bytes).",
        discussion: """
        TYPE is one of \(QuantizeFileType.allCases.map(\.rawValue).joined(separator: ", ")) (Q3_K, Q4_K and Q5_K \
        are aliases of the _M mixtures). The mixtures give the output head, attn_v and some ffn_down layers more \
        bits, as llama.cpp decides; rows that are not whole 256-value blocks fall back to a legacy type. Start from \
        an F32, F16 or BF16 file; an already quantized one is dequantized and quantized again (with a warning: \
        precision is lost twice). The output is written to a temporary file beside OUT and renamed when complete; \
        Ctrl-C stops the run and leaves nothing under OUT.
        """)

    @Argument(help: "The model to quantize (GGUF).") var input: String
    @Argument(help: "The file to write.") var output: String
    @Argument(help: "The target type or mixture.") var type: String
    @Option(name: .shortAndLong, help: "Threads (default: physical cores).") var threads: Int?
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if QuantizeFileType(name: type) == nil { throw ValidationError(QuantizeError.unsupportedType(type).localizedDescription) }
        try validateThreads(threads)
    }

    func run() async throws {
        try await reportingErrors {
            let fileType = QuantizeFileType(name: type)!
            let quantizer = try ModelQuantizer(input: input, output: output, fileType: fileType)
            if quantizer.requantizes {
                Terminal.status("warning: \(input) is already quantized; its weights are dequantized and quantized again to \(fileType), which loses precision twice. Quantize from an F32/F16/BF16 file when you have one.")
            }
            if !quiet {
                for e in quantizer.plan.entries where e.fellBackFrom != nil {
                    Terminal.status("note: \(e.name): rows of \(e.dims.first ?? 0) are not whole \(e.fellBackFrom!) blocks → \(e.to)")
                }
            }
            signal(SIGINT, SIG_IGN)
            let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "kinglet.quantize.sigint"))
            sigint.setEventHandler { quantizer.cancel() }
            sigint.resume()
            defer { sigint.cancel() }
            let result = try quantizer.run(threads: threads ?? ThreadPool.physicalCoreCount()) { p in
                guard !quiet else { return }
                let change = p.from == p.to ? "\(p.from) (copied)" : "\(p.from) → \(p.to)"
                let name = p.name.count < 36 ? p.name + String(repeating: " ", count: 36 - p.name.count) : p.name
                Terminal.status(String(format: "[%4d/%4d] ", p.tensor, p.tensorCount) + name + " " + change)
            }
            if !quiet {
                let mib = { (b: Int) in String(format: "%.2f MiB", Double(b) / 1_048_576) }
                Terminal.status("""
                    \(output): \(fileType), tensors \(mib(result.inputTensorBytes)) → \(mib(result.outputTensorBytes)), \
                    \(result.converted) of \(result.tensors) converted, \(result.fallbacks.count) fallbacks, \
                    \(String(format: "%.2f", result.seconds)) s
                    """)
            }
        }
    }
}
