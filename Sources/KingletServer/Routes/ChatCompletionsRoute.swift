import Foundation
import Hummingbird
import KingletRuntime

/// `POST /v1/chat/completions`: the conversation through the model's chat template, then one
/// generation, answered whole or streamed as `chat.completion.chunk` events.
struct ChatCompletionsRoute: Sendable {
    let host: ModelHost
    let maxBody: Int
    let maxTokensLimit: Int?

    func respond(_ request: Request, context: some RequestContext) async throws -> Response {
        try await GenerationRequest(host: host, maxBody: maxBody).run(request, context: context) { bytes, model, box in
            let req = try WireJSON.decode(ChatCompletionRequest.self, from: bytes)
            guard host.accepts(req.model) else { throw APIError.modelNotFound(req.model ?? "", served: host.modelID) }
            let messages = try req.chatMessages()
            var params = try req.sampling.parameters(maxTokensParam: req.maxTokensParam, limit: maxTokensLimit)
            if req.hasConstraintFields { params.constraint = try ConstraintFields.constraint(body: bytes) }
            let logprobs = try req.logprobCount()
            let prompt = try await model.renderer.prompt(messages, engine: model.engine)
            let ticket = try GenerationRequest.submit(model: req.model, prompt: prompt, promptParam: "messages", parameters: params, logprobs: logprobs,
                                                      host: host, model: model, box: box)
            let id = GenerationRequest.requestID("chatcmpl-")
            let created = GenerationRequest.now
            let fingerprint = "kinglet-\(model.engine.config.architecture)"
            if req.stream == true {
                return stream(ticket, id: id, created: created, fingerprint: fingerprint,
                              includeUsage: req.streamOptions?.includeUsage == true, logprobs: logprobs != nil)
            }
            let out = try await GenerationRequest.collect(ticket)
            let summary = out.summary!
            let choice = ChatCompletion.Choice(
                message: .init(content: out.text),
                logprobs: logprobs == nil ? nil : ChatLogprobs(content: out.logprobs.map { .init($0.0) }),
                finishReason: wireFinishReason(summary.finishReason))
            return jsonResponse(ChatCompletion(id: id, created: created, model: host.modelID, systemFingerprint: fingerprint,
                                               choices: [choice], usage: Usage(summary)))
        }
    }

    private func stream(_ ticket: GenerationTicket, id: String, created: Int, fingerprint: String,
                        includeUsage: Bool, logprobs: Bool) -> Response {
        let modelID = host.modelID
        @Sendable func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil) -> [UInt8] {
            WireJSON.encode(ChatCompletionChunk(id: id, created: created, model: modelID, systemFingerprint: fingerprint,
                                                choices: choices, usage: usage, includeUsage: includeUsage))
        }
        let first = chunk([.init(delta: .init(role: "assistant", content: ""))])
        return GenerationRequest.eventStream(ticket, { update in
            switch update {
            case .delta(let text, let logprob):
                if text.isEmpty && logprob == nil { return [] }
                let lp = logprobs ? ChatLogprobs(content: logprob.map { [.init($0)] } ?? []) : nil
                return [chunk([.init(delta: .init(content: text), logprobs: lp)])]
            case .finished(let s):
                var out = [chunk([.init(delta: .init(), finishReason: wireFinishReason(s.finishReason))])]
                if includeUsage { out.append(chunk([], usage: Usage(s))) }
                return out
            case .failed(let why):
                return [WireJSON.encode(APIError.internalError("Generation failed: \(why)").body)]
            }
        }, first: first)
    }
}
