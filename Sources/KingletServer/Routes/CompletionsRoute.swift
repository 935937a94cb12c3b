import Foundation
import Hummingbird
import KingletRuntime

/// `POST /v1/completions`: continues a raw prompt (no chat template), answered whole or streamed
/// as `text_completion` events.
struct CompletionsRoute: Sendable {
    let host: ModelHost
    let maxBody: Int
    let maxTokensLimit: Int?

    func respond(_ request: Request, context: some RequestContext) async throws -> Response {
        try await GenerationRequest(host: host, maxBody: maxBody).run(request, context: context) { bytes, model, box in
            let req = try WireJSON.decode(CompletionRequest.self, from: bytes)
            guard host.accepts(req.model) else { throw APIError.modelNotFound(req.model ?? "", served: host.modelID) }
            let text = try req.promptText()
            var params = try req.sampling.parameters(maxTokensParam: "max_tokens", limit: maxTokensLimit)
            if req.hasConstraintFields { params.constraint = try ConstraintFields.constraint(root: try ConstraintFields.orderedBody(bytes)) }
            let logprobs = try req.logprobCount()
            let prompt = model.engine.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
            let ticket = try GenerationRequest.submit(prompt: prompt, promptParam: "prompt", parameters: params, logprobs: logprobs,
                                                      model: model, box: box)
            let id = GenerationRequest.requestID("cmpl-")
            let created = GenerationRequest.now
            let fingerprint = model.systemFingerprint
            let modelID = host.modelID
            if req.stream == true {
                let includeUsage = req.streamOptions?.includeUsage == true
                let offset = OffsetCounter()
                @Sendable func chunk(_ choices: [TextCompletion.Choice], usage: Usage? = nil) -> [UInt8] {
                    WireJSON.encode(TextCompletion(id: id, created: created, model: modelID, systemFingerprint: fingerprint,
                                                   choices: choices, usage: usage, includeUsage: includeUsage))
                }
                return GenerationRequest.eventStream(ticket, first: nil, delta: { text, logprob in
                    var lp: CompletionLogprobs?
                    if logprobs != nil {
                        lp = CompletionLogprobs()
                        if let logprob { lp!.append(logprob, offset: offset.value) }
                    }
                    offset.add(text.utf8.count)
                    return [chunk([.init(text: text, logprobs: lp)])]
                }, finished: { s in
                    var out = [chunk([.init(text: "", finishReason: wireFinishReason(s.finishReason))])]
                    if includeUsage { out.append(chunk([], usage: Usage(s))) }
                    return out
                })
            }
            let out = try await GenerationRequest.collect(ticket)
            var lp: CompletionLogprobs?
            if logprobs != nil {
                lp = CompletionLogprobs()
                for (l, offset) in out.logprobs { lp!.append(l, offset: offset) }
            }
            let choice = TextCompletion.Choice(text: out.text, logprobs: lp, finishReason: wireFinishReason(out.summary!.finishReason))
            return jsonResponse(TextCompletion(id: id, created: created, model: modelID, systemFingerprint: fingerprint,
                                               choices: [choice], usage: Usage(out.summary!)))
        }
    }
}

/// Bytes of text streamed so far (the `text_offset` of the next token).
final class OffsetCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = 0
    var value: Int { lock.withLock { bytes } }
    func add(_ n: Int) { lock.withLock { bytes += n } }
}
