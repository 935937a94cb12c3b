import ArgumentParser
import Foundation
import Kinglet

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Complete a prompt and stream the completion (only the completion) to stdout.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var constraint: ConstraintOptions

    @Flag(help: "Tokenize the prompt as is, without the chat template.")
    var raw = false

    @Option(help: "System prompt (chat template only).")
    var system: String?

    @Option(name: .customLong("max-tokens"), help: "Stop after this many new tokens.")
    var maxTokens: Int = 256

    @Option(help: "Stop before this text (repeatable).")
    var stop: [String] = []

    @Flag(help: "Print load time and prompt/generation speed to stderr.")
    var verbose = false

    @Argument(help: "The prompt, or - to read it from stdin.")
    var prompt: String

    func validate() throws {
        if maxTokens < 1 { throw ValidationError("--max-tokens must be ≥ 1") }
        if raw && system != nil { throw ValidationError("--system needs the chat template; drop --raw") }
    }

    func run() async throws {
        try await reportingErrors {
            var text = prompt
            if prompt == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            }
            let outputConstraint = try constraint.constraint()  // a bad schema fails before the model loads
            let engine = try modelOptions.load()
            var params = GenerateParameters()
            params.sampling = sampling.parameters
            params.maxTokens = maxTokens
            params.stop = stop
            params.constraint = outputConstraint
            let input: Prompt
            if raw {
                input = .raw(text)
            } else {
                var messages: [ChatMessage] = []
                if let system { messages.append(ChatMessage(role: "system", content: system)) }
                messages.append(ChatMessage(role: "user", content: text))
                input = .chat(messages)
                if verbose { Terminal.status("chat template: \(try ChatFormatter(engine: engine).source)") }
            }
            if verbose {
                Terminal.status(String(format: "loaded %@ in %.2f s (%@, %d threads, %@)",
                                       (engine.path as NSString).lastPathComponent, engine.loadSeconds,
                                       engine.config.architecture, engine.pool.threadCount, Kernels.backendDescription))
            }
            for try await event in engine.generate(input, parameters: params) {
                switch event {
                case .token(_, let piece):
                    Terminal.out(piece)
                case .finished(let s):
                    if Terminal.stdoutIsTerminal { Terminal.out("\n") }
                    if outputConstraint != nil && s.finishReason == .length {
                        Terminal.status("warning: --max-tokens ended the output before it was complete: it does not match the grammar or schema")
                    }
                    if verbose {
                        Terminal.status(String(format: "prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s | finish: %@ | seed %llu",
                                               s.promptTokens, s.promptTokensPerSecond, s.generatedTokens,
                                               s.generateTokensPerSecond, s.finishReason.rawValue, s.seed))
                    }
                }
            }
        }
    }
}
