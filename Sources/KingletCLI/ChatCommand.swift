import ArgumentParser
import Dispatch
import Foundation
import Kinglet

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Talk with a model in the terminal (history kept; replies streamed).",
        discussion: """
            Commands: /reset forgets the conversation, /system TEXT sets the system prompt,
            /save FILE writes the conversation as JSON, /quit (or Ctrl-D) leaves.
            Ctrl-C stops the current reply and keeps the conversation going.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var constraint: ConstraintOptions

    @Option(help: "System prompt.")
    var system: String?

    @Option(name: .customLong("max-tokens"), help: "Longest reply, in tokens (also the room kept free in the context).")
    var maxTokens: Int = 512

    @Option(name: .customLong("prompt-cache"),
            help: ArgumentHelp("Keep the KV cache in this file: restored at start when it exists (a long system prompt is then not evaluated again), saved after every reply.", valueName: "file"))
    var promptCache: String?

    func validate() throws {
        if maxTokens < 1 { throw ValidationError("--max-tokens must be ≥ 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let outputConstraint = try constraint.constraint()  // a bad schema fails before the model loads
            let engine = try modelOptions.load()
            let session = try ChatSession(engine: engine, system: system)
            var params = GenerateParameters()
            params.sampling = sampling.parameters
            params.maxTokens = maxTokens
            params.constraint = outputConstraint
            Terminal.status("kinglet chat: \((engine.path as NSString).lastPathComponent), template \(session.formatter.source), context \(engine.config.contextLength) tokens.")
            Terminal.status("/reset  /system TEXT  /save FILE  /quit   (Ctrl-C stops a reply)")
            let cacheFile = promptCache.map { URL(fileURLWithPath: $0) }
            if let cacheFile, FileManager.default.fileExists(atPath: cacheFile.path) {
                do {
                    let n = try session.restoreCache(from: cacheFile)
                    Terminal.status("(prompt cache: \(n) tokens restored from \(cacheFile.path))")
                } catch {
                    Terminal.status("warning: \(error.message)")
                }
            }
            let interrupt = InterruptHandler(session: session)
            interrupt.install()
            let interactive = isatty(0) == 1
            while true {
                if interactive { Terminal.out("> ") }
                guard let line = readLine(strippingNewline: true) else { break }  // Ctrl-D / end of input
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                if text.hasPrefix("/") {
                    if try handleCommand(text, session: session) { break }
                    continue
                }
                let turn: ChatSession.Turn
                do {
                    turn = try session.respond(to: text, parameters: params)
                } catch {
                    Terminal.status("error: \(error.message)")
                    continue
                }
                if turn.droppedMessages > 0 {
                    Terminal.status("(the conversation outgrew the \(engine.config.contextLength)-token context: dropped the \(turn.droppedMessages) oldest messages)")
                }
                interrupt.generating = true
                do {
                    for try await event in turn.events {
                        switch event {
                        case .token(_, let piece): Terminal.out(piece)
                        case .finished(let s):
                            Terminal.out("\n")
                            if s.finishReason == .cancelled { Terminal.status("(reply stopped)") }
                        }
                    }
                } catch {
                    Terminal.out("\n")
                    Terminal.status("error: \(error.message)")
                }
                interrupt.generating = false
                if let cacheFile {
                    do { try session.saveCache(to: cacheFile) } catch { Terminal.status("warning: \(error.message)") }
                }
            }
        }
    }

    /// Runs a slash command; true means leave.
    private func handleCommand(_ text: String, session: ChatSession) throws -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1)
        let command = String(parts[0])
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        switch command {
        case "/quit", "/exit":
            return true
        case "/reset":
            session.reset()
            Terminal.status("(conversation cleared)")
        case "/system":
            session.system = argument.isEmpty ? nil : argument
            Terminal.status(argument.isEmpty ? "(system prompt removed)" : "(system prompt set)")
        case "/save":
            guard !argument.isEmpty else { Terminal.status("usage: /save FILE"); return false }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            do {
                try encoder.encode(session.messages).write(to: URL(fileURLWithPath: argument))
                Terminal.status("(saved \(session.messages.count) messages to \(argument))")
            } catch {
                Terminal.status("error: could not save to \(argument): \(error.localizedDescription)")
            }
        default:
            Terminal.status("unknown command \(command); commands: /reset, /system TEXT, /save FILE, /quit")
        }
        return false
    }
}

/// Ctrl-C: stops the reply being generated; at the prompt, only reminds how to leave.
final class InterruptHandler: @unchecked Sendable {
    private let session: ChatSession
    private let lock = NSLock()
    private var _generating = false
    private var source: (any DispatchSourceSignal)?

    init(session: ChatSession) { self.session = session }

    var generating: Bool {
        get { lock.withLock { _generating } }
        set { lock.withLock { _generating = newValue } }
    }

    func install() {
        signal(SIGINT, SIG_IGN)  // delivered through the dispatch source instead
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "kinglet.chat.sigint"))
        s.setEventHandler { [weak self] in
            guard let self else { return }
            if self.generating {
                self.session.stop()
            } else {
                Terminal.status("\n(Ctrl-C stops a reply; /quit or Ctrl-D leaves)")
                if isatty(0) == 1 { Terminal.out("> ") }
            }
        }
        s.resume()
        source = s
    }
}
