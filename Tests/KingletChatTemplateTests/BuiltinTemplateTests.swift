import Foundation
import Testing
@testable import KingletChatTemplate

@Suite struct BuiltinTemplateTests {
    /// The Swift sources are the files jinja2 rendered the builtin-* cases from.
    @Test(arguments: BuiltinChatTemplate.allCases)
    func sourceMatchesReferenceFile(_ builtin: BuiltinChatTemplate) throws {
        let file = CaseLibrary.builtinDirectory.appendingPathComponent("builtin-\(builtin.rawValue).jinja")
        let text = try #require(CaseLibrary.read(file))
        #expect(text == builtin.source + "\n")
        _ = try builtin.template()
    }

    /// llama.cpp's `llm_chat_apply_template` output for the same conversation (plus BOS where the
    /// official template emits it).
    @Test func matchesLlamaCppFormats() throws {
        let messages = [
            ChatMessage(role: "system", content: " Be brief. "),
            ChatMessage(role: "user", content: "Hi "),
            ChatMessage(role: "assistant", content: "Hello!"),
            ChatMessage(role: "user", content: "Joke?"),
        ]
        func render(_ b: BuiltinChatTemplate, bos: String) throws -> String {
            try b.template().render(messages: messages, addGenerationPrompt: true, bosToken: bos, eosToken: "</s>")
        }
        #expect(try render(.chatml, bos: "<s>") ==
            "<|im_start|>system\n Be brief. <|im_end|>\n<|im_start|>user\nHi <|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nJoke?<|im_end|>\n<|im_start|>assistant\n")
        // Gemma: llama.cpp trims the system text; Kinglet keeps it as the official Gemma 3 template
        // does (see gemmaMatchesTheOfficialGemma3Template).
        #expect(try render(.gemma, bos: "<bos>") ==
            "<bos><start_of_turn>user\n Be brief. \n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nJoke?<end_of_turn>\n<start_of_turn>model\n")
        #expect(try render(.llama3, bos: "<|begin_of_text|>") ==
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nJoke?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
        #expect(try render(.phi3, bos: "<s>") ==
            "<|system|>\n Be brief. <|end|>\n<|user|>\nHi <|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nJoke?<|end|>\n<|assistant|>\n")
        #expect(try render(.phi4, bos: "<s>") ==
            "<|im_start|>system<|im_sep|> Be brief. <|im_end|><|im_start|>user<|im_sep|>Hi <|im_end|><|im_start|>assistant<|im_sep|>Hello!<|im_end|><|im_start|>user<|im_sep|>Joke?<|im_end|><|im_start|>assistant<|im_sep|>")
    }

    /// The built-in `gemma` template (used because Gemma 3 270M's GGUF carries none) renders every
    /// conversation exactly as Google's official Gemma 3 template does under jinja2
    /// (`gemma3-official.jinja`, from the model's tokenizer_config.json): the system prompt folded
    /// into the first user turn, trimmed contents, multi-turn, no tools. Where the official template
    /// refuses a conversation (roles that do not alternate), the built-in renders it as llama.cpp
    /// does; that case is checked to be refused by the official one.
    @Test func gemmaMatchesTheOfficialGemma3Template() throws {
        let official = CaseLibrary.all().filter { $0.name.hasPrefix("gemma3-official--") }
        #expect(official.count >= 6)
        var compared = 0
        for testCase in official {
            let builtin = TemplateCase(
                name: testCase.name, template: CaseLibrary.builtinDirectory.appendingPathComponent("builtin-gemma.jinja"),
                context: testCase.context, expected: nil, error: nil)
            let mine = try CaseLibrary.render(builtin)
            if let expected = testCase.expected {
                #expect(mine == expected, "\(testCase.name)\n--- built-in gemma\n\(mine)\n--- official (jinja2)\n\(expected)")
                compared += 1
            } else {
                #expect(testCase.error?.contains("Conversation roles must alternate") == true, "\(testCase.name)")
            }
        }
        #expect(compared >= 5)
    }

    @Test func choosesLikeLlamaCpp() {
        #expect(BuiltinChatTemplate.choose(architecture: "gemma3", tokenTexts: ["<start_of_turn>", "<end_of_turn>"]) == .gemma)
        #expect(BuiltinChatTemplate.choose(architecture: "gemma3", tokenTexts: []) == .gemma)
        #expect(BuiltinChatTemplate.choose(architecture: "qwen2", tokenTexts: ["<|im_start|>", "<|im_end|>"]) == .chatml)
        #expect(BuiltinChatTemplate.choose(architecture: "llama", tokenTexts: ["<|im_start|>", "<|im_end|>"]) == .chatml)
        #expect(BuiltinChatTemplate.choose(architecture: "phi3", tokenTexts: ["<|im_start|>", "<|im_sep|>", "<|im_end|>"]) == .phi4)
        #expect(BuiltinChatTemplate.choose(architecture: "llama", tokenTexts: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]) == .llama3)
        #expect(BuiltinChatTemplate.choose(architecture: "phi3", tokenTexts: ["<|assistant|>", "<|end|>", "<|user|>"]) == .phi3)
        #expect(BuiltinChatTemplate.choose(architecture: "phi3", tokenTexts: []) == .phi3)
        #expect(BuiltinChatTemplate.choose(architecture: "llama", tokenTexts: ["<s>", "</s>"]) == .chatml)
        #expect(BuiltinChatTemplate.choose(architecture: "mystery", hasToken: { $0 == "<start_of_turn>" }) == .gemma)
    }

    /// The convenience renderer passes what transformers' apply_chat_template passes.
    @Test(arguments: CaseLibrary.all().filter { $0.name.hasPrefix("builtin-") && $0.expected != nil })
    func convenienceRenderMatchesJinja2(_ testCase: TemplateCase) throws {
        let context = try TemplateValue(json: try #require(CaseLibrary.read(testCase.context)))
        let object = try #require(context.objectValue)
        let messages = try #require(object["messages"]?.arrayValue).map { m in
            ChatMessage(role: m.objectValue?["role"]?.stringValue ?? "", content: m.objectValue?["content"]?.stringValue ?? "")
        }
        let template = try ChatTemplate(source: try #require(CaseLibrary.read(testCase.template)))
        let output = try template.render(
            messages: messages, addGenerationPrompt: object["add_generation_prompt"] == .bool(true),
            bosToken: object["bos_token"]?.stringValue ?? "", eosToken: object["eos_token"]?.stringValue ?? "")
        #expect(output == testCase.expected)
    }
}
