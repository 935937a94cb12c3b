/// Chat templates for GGUF files that carry no `tokenizer.chat_template` (the Gemma 3 270M
/// conversion, for one), written as Jinja and rendered by the same engine. Their output matches
/// llama.cpp's built-in formats, except that Gemma and Llama 3 start with `bos_token` as their
/// official templates do: tokenize the rendered prompt without adding another BOS.
///
/// `Tests/Data/templates/builtin-NAME.jinja` holds the same text, rendered there by jinja2.
public enum BuiltinChatTemplate: String, Sendable, CaseIterable {
    /// `<|im_start|>role\ncontent<|im_end|>\n` — Qwen, SmolLM, and llama.cpp's default.
    case chatml
    /// `<start_of_turn>user\n...<end_of_turn>\n`, assistant as `model`, system text merged
    /// into the next user turn.
    case gemma
    /// `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`.
    case llama3
    /// `<|role|>\ncontent<|end|>\n`.
    case phi3
    /// `<|im_start|>role<|im_sep|>content<|im_end|>`.
    case phi4

    /// The Jinja source.
    public var source: String {
        switch self {
        case .chatml: return Self.chatmlSource
        case .gemma: return Self.gemmaSource
        case .llama3: return Self.llama3Source
        case .phi3: return Self.phi3Source
        case .phi4: return Self.phi4Source
        }
    }

    /// The parsed template. The sources are fixed and tested, so this cannot fail in practice.
    public func template() throws(TemplateError) -> ChatTemplate {
        try ChatTemplate(source: source)
    }

    /// Picks the format for a model without a template, the way llama.cpp recognises formats:
    /// by the architecture (`general.architecture`) for the Gemma family, otherwise by the special
    /// tokens its vocabulary has, falling back to ChatML as llama.cpp does.
    ///
    /// - Parameters:
    ///   - architecture: GGUF `general.architecture`, e.g. `gemma3`, `llama`, `qwen2`, `phi3`.
    ///   - hasToken: whether the vocabulary contains a token with exactly this text.
    public static func choose(architecture: String, hasToken: (String) -> Bool) -> BuiltinChatTemplate {
        let arch = architecture.lowercased()
        if arch.hasPrefix("gemma") { return .gemma }
        if hasToken("<|im_start|>") { return hasToken("<|im_sep|>") ? .phi4 : .chatml }
        if hasToken("<|start_header_id|>") && hasToken("<|end_header_id|>") { return .llama3 }
        if hasToken("<start_of_turn>") { return .gemma }
        if hasToken("<|assistant|>") && hasToken("<|end|>") { return .phi3 }
        if arch.hasPrefix("phi3") { return .phi3 }
        return .chatml
    }

    /// `choose(architecture:hasToken:)` with the vocabulary's token texts as a set.
    public static func choose(architecture: String, tokenTexts: Set<String>) -> BuiltinChatTemplate {
        choose(architecture: architecture, hasToken: tokenTexts.contains)
    }

    private static let chatmlSource =
        #"""
        {%- for message in messages %}
            {{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
        {%- endif %}
        """#

    private static let gemmaSource =
        #"""
        {{- bos_token }}
        {#- Gemma has no system turn: system text is merged into the next user turn, untrimmed, as the official Gemma 3 template does (llama.cpp's built-in trims it). #}
        {%- set ns = namespace(system='') %}
        {%- for message in messages %}
            {%- if message['role'] == 'system' %}
                {%- set ns.system = ns.system + message['content'] %}
            {%- else %}
                {%- set role = 'model' if message['role'] == 'assistant' else message['role'] %}
                {{- '<start_of_turn>' + role + '\n' }}
                {%- if ns.system and role != 'model' %}
                    {{- ns.system + '\n\n' }}
                    {%- set ns.system = '' %}
                {%- endif %}
                {{- message['content'] | trim + '<end_of_turn>\n' }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<start_of_turn>model\n' }}
        {%- endif %}
        """#

    private static let llama3Source =
        #"""
        {{- bos_token }}
        {%- for message in messages %}
            {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
        {%- endif %}
        """#

    private static let phi3Source =
        #"""
        {%- for message in messages %}
            {{- '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|assistant|>\n' }}
        {%- endif %}
        """#

    private static let phi4Source =
        #"""
        {%- for message in messages %}
            {{- '<|im_start|>' + message['role'] + '<|im_sep|>' + message['content'] + '<|im_end|>' }}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant<|im_sep|>' }}
        {%- endif %}
        """#
}
