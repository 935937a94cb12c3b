import ArgumentParser
import Foundation
import Kinglet

struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a conversation with a chat template and print the prompt exactly.",
        discussion: """
            The messages file holds a JSON array of messages, or an object with "messages" (and
            optionally "tools"). Messages are passed to the template as they are, like
            transformers' apply_chat_template. Nothing is added to the output (no newline).
            """)

    @Option(name: .shortAndLong, help: "A known model name or a .gguf path whose template (or built-in fallback) to use. Default: \(KnownModel.defaultAlias).")
    var model: String?
    @Option(name: .customLong("template-file"), help: "A Jinja template file to use instead of a model's.")
    var templateFile: String?
    @Option(help: "JSON file with the messages (- for stdin).")
    var messages: String
    @Flag(name: .customLong("add-generation-prompt"), help: "End with the assistant's turn opening.")
    var addGenerationPrompt = false
    @Option(name: .customLong("bos-token"), help: "The bos_token text (default: the model's; \"\" with --template-file).")
    var bosToken: String?
    @Option(name: .customLong("eos-token"), help: "The eos_token text (default: the model's; \"\" with --template-file).")
    var eosToken: String?
    @Flag(help: "Say which template was used (stderr).")
    var verbose = false

    func validate() throws {
        if model != nil && templateFile != nil { throw ValidationError("give --model or --template-file, not both") }
    }

    func run() async throws {
        try await reportingErrors {
            let data = messages == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                                       : try Data(contentsOf: URL(fileURLWithPath: messages))
            let (conversation, tools) = try Self.parse(Array(data))
            let template: ChatTemplate
            var bos = "", eos = ""
            if let templateFile {
                template = try ChatTemplate(source: String(decoding: try Data(contentsOf: URL(fileURLWithPath: templateFile)), as: UTF8.self))
                if verbose { Terminal.status("chat template: \(templateFile)") }
            } else {
                let path = try ModelStore().resolve(model) { Terminal.status($0) }
                let gguf = try GGUFFile(path: path.path)
                let formatter = try ChatFormatter(gguf: gguf, tokenizer: try Tokenizer(gguf: gguf))
                template = formatter.template
                bos = formatter.bos
                eos = formatter.eos
                if verbose { Terminal.status("chat template: \(formatter.source)") }
            }
            let text = try template.render([
                "messages": conversation,
                "add_generation_prompt": .bool(addGenerationPrompt),
                "bos_token": .string(bosToken ?? bos),
                "eos_token": .string(eosToken ?? eos),
                "tools": tools ?? .null,
                "documents": .null,
            ])
            Terminal.out(text)
        }
    }

    /// The messages array (and tools) from `[...]` or `{"messages": [...], "tools": [...]}`.
    static func parse(_ bytes: [UInt8]) throws -> (messages: TemplateValue, tools: TemplateValue?) {
        let value = try TemplateValue(jsonBytes: bytes)
        if value.arrayValue != nil { return (value, nil) }
        if let object = value.objectValue, let m = object["messages"], m.arrayValue != nil {
            return (m, object["tools"])
        }
        throw ValidationError("the messages file must hold a JSON array of messages or an object with a \"messages\" array")
    }
}
