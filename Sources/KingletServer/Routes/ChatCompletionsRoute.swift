import Foundation
import Hummingbird
import KingletChatTemplate
import KingletRuntime

/// `POST /v1/chat/completions`: the conversation through the model's chat template, then one
/// generation, answered whole or streamed as `chat.completion.chunk` events. With `tools`, the
/// answer is read for calls in the template's format (``ToolPlan``) and they are answered as
/// OpenAI's `tool_calls`.
struct ChatCompletionsRoute: Sendable {
    let host: ModelHost
    let maxBody: Int
    let maxTokensLimit: Int?

    func respond(_ request: Request, context: some RequestContext) async throws -> Response {
        try await GenerationRequest(host: host, maxBody: maxBody).run(request, context: context) { bytes, model, box in
            let req = try WireJSON.decode(ChatCompletionRequest.self, from: bytes)
            guard host.accepts(req.model) else { throw APIError.modelNotFound(req.model ?? "", served: host.modelID) }
            var messages = try req.chatMessages()
            var params = try req.sampling.parameters(maxTokensParam: req.maxTokensParam, limit: maxTokensLimit)
            let root = req.hasConstraintFields || req.hasToolFields ? try ConstraintFields.orderedBody(bytes) : nil
            if req.hasConstraintFields, let root { params.constraint = try ConstraintFields.constraint(root: root) }
            let plan = try Self.toolPlan(try root.flatMap(ToolFields.read), messages: messages, constraint: params.constraint != nil,
                                         template: model.renderer.formatter.template)
            if let plan {
                messages = plan.messages
                if plan.constraint != nil { params.constraint = plan.constraint }
            }
            let logprobs = try req.logprobCount()
            let prompt = try await model.renderer.prompt(messages, tools: plan?.templateTools, engine: model.engine)
            let ticket = try GenerationRequest.submit(prompt: prompt, promptParam: "messages", parameters: params, logprobs: logprobs,
                                                      model: model, box: box)
            let id = GenerationRequest.requestID("chatcmpl-")
            let created = GenerationRequest.now
            let fingerprint = model.systemFingerprint
            let parser = plan?.parser ?? ToolCallParser(format: nil)
            if req.stream == true {
                return stream(ticket, id: id, created: created, fingerprint: fingerprint,
                              includeUsage: req.streamOptions?.includeUsage == true, logprobs: logprobs != nil, parser: parser)
            }
            let out = try await GenerationRequest.collect(ticket)
            let summary = out.summary!
            let answer = parser.result(out.text)
            let choice = ChatCompletion.Choice(
                message: .init(content: parser.format == nil ? out.text : answer.content, toolCalls: answer.calls.map(WireCall.init)),
                logprobs: logprobs == nil ? nil : ChatLogprobs(content: out.logprobs.map { .init($0.0) }),
                finishReason: wireFinishReason(summary.finishReason, calledTools: !answer.calls.isEmpty))
            return jsonResponse(ChatCompletion(id: id, created: created, model: host.modelID, systemFingerprint: fingerprint,
                                               choices: [choice], usage: Usage(summary)))
        }
    }

    /// The plan for a request that offers tools or carries earlier calls; nil for plain chat.
    private static func toolPlan(_ fields: ToolFields?, messages: [ChatMessage], constraint: Bool,
                                 template: ChatTemplate) throws(APIError) -> ToolPlan? {
        let history = messages.contains { $0.role == "tool" || $0.extra["tool_calls"] != nil }
        guard fields != nil || history else { return nil }
        let f = fields ?? ToolFields(tools: [], choice: .none, parallel: true)
        let plan: ToolPlan
        do {
            plan = try ToolPlan(tools: f.tools, choice: f.choice, parallel: f.parallel, messages: messages, template: template)
        } catch {
            switch error {
            case .unknownFunction: throw .invalid("'tool_choice': \(error)", param: "tool_choice")
            case .unsupportedParameters(let name, _):
                let i = f.tools.firstIndex { $0.name == name } ?? 0
                throw .invalid("'tools[\(i)].function.parameters': \(error)", param: "tools[\(i)].function.parameters", code: "unsupported_schema_keyword")
            }
        }
        if plan.constraint != nil && constraint {
            throw .invalid("'tools' (with this 'tool_choice' and model) and 'response_format' / 'grammar' / 'json_schema' both constrain the answer; send one.",
                           param: "response_format")
        }
        return plan
    }

    private func stream(_ ticket: GenerationTicket, id: String, created: Int, fingerprint: String,
                        includeUsage: Bool, logprobs: Bool, parser: ToolCallParser) -> Response {
        let modelID = host.modelID
        @Sendable func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil) -> [UInt8] {
            WireJSON.encode(ChatCompletionChunk(id: id, created: created, model: modelID, systemFingerprint: fingerprint,
                                                choices: choices, usage: usage, includeUsage: includeUsage))
        }
        let first = chunk([.init(delta: .init(role: "assistant", content: ""))])
        let calls = ToolCallBox(parser: parser)
        return GenerationRequest.eventStream(ticket, first: first, delta: { text, logprob in
            let lp = logprobs ? ChatLogprobs(content: logprob.map { [.init($0)] } ?? []) : nil
            guard parser.format != nil else { return [chunk([.init(delta: .init(content: text), logprobs: lp)])] }
            let deltas = calls.append(text)
            if deltas.isEmpty { return lp == nil ? [] : [chunk([.init(delta: .init(), logprobs: lp)])] }
            return deltas.enumerated().map { k, d in chunk([.init(delta: d, logprobs: k == 0 ? lp : nil)]) }
        }, finished: { s in
            var out = calls.finish().map { chunk([.init(delta: $0)]) }
            out.append(chunk([.init(delta: .init(), finishReason: wireFinishReason(s.finishReason, calledTools: calls.called))]))
            if includeUsage { out.append(chunk([], usage: Usage(s))) }
            return out
        })
    }
}

/// A streamed answer's ``ToolCallStream``, shared by the stream's callbacks.
private final class ToolCallBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stream: ToolCallStream

    init(parser: ToolCallParser) { stream = ToolCallStream(parser: parser) }

    func append(_ text: String) -> [AssistantDelta] { lock.withLock { stream.append(text).map(Self.delta) } }
    func finish() -> [AssistantDelta] { lock.withLock { stream.finish().map(Self.delta) } }
    var called: Bool { lock.withLock { !stream.calls.isEmpty } }

    private static func delta(_ e: ToolCallStream.Event) -> AssistantDelta {
        switch e {
        case .content(let text): return .init(content: text)
        case .callStart(let index, let id, let name):
            return .init(toolCalls: [WireCallDelta(index: index, id: id, type: "function", function: .init(name: name, arguments: ""))])
        case .arguments(let index, let text):
            return .init(toolCalls: [WireCallDelta(index: index, function: .init(arguments: text))])
        }
    }
}
