/// How a model writes a function call, chosen from its chat template as llama.cpp chooses.
///
/// - `hermes`: templates that render tools themselves and show calls as
///   `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>` (Qwen 2.5/3, Hermes 2/3,
///   SmolLM3 and others).
/// - `llama3`: Llama 3.1+ templates (`ipython` role): a call is the whole answer,
///   `{"name": ..., "parameters": {...}}`, optionally after `<|python_tag|>`.
/// - `generic`: every other template. The tools are described in a system message (see
///   ``ToolPlan``) and the answer is always one JSON object, constrained by a grammar:
///   `{"tool_calls": [{"name": ..., "arguments": {...}}]}` or `{"response": "..."}`.
public enum ToolCallFormat: String, Sendable, CaseIterable {
    case hermes
    case llama3
    case generic

    /// The format a chat template's source implies.
    public static func detect(template source: String) -> ToolCallFormat {
        guard source.contains("tools") else { return .generic }
        if source.contains("<tool_call>") { return .hermes }
        if source.contains("<|python_tag|>") || source.contains("ipython") { return .llama3 }
        return .generic
    }

    /// The key a call's arguments object goes under.
    var argumentsKey: String { self == .llama3 ? "parameters" : "arguments" }
}
