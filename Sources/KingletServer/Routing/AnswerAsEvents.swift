import Foundation
import NIOCore

/// A whole answer (`chat.completion` or `text_completion` JSON) told as the Server-Sent Events a
/// streaming client expects: the text in one chunk, the finish reason, the usage when asked for,
/// then `[DONE]`. Used when the router had to see the whole local answer before deciding.
enum AnswerAsEvents {
    static func events(_ body: [UInt8], chat: Bool, includeUsage: Bool, report: RouteReport) -> ByteBuffer {
        var out = ByteBuffer()
        guard let o = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let choice = (o["choices"] as? [[String: Any]])?.first else {
            out.writeImmutableBuffer(GenerationRequest.sse(body))
            out.writeString("data: [DONE]\n\n")
            return out
        }
        var base: [String: Any] = ["object": chat ? "chat.completion.chunk" : "text_completion"]
        for key in ["id", "created", "model", "system_fingerprint"] { base[key] = o[key] }
        func chunk(_ choices: [[String: Any]], extra: [String: Any] = [:]) -> [UInt8] {
            var c = base
            c["choices"] = choices
            for (k, v) in extra { c[k] = v }
            return RoutedBody.encode(c)
        }
        let finish = choice["finish_reason"] ?? NSNull()
        if chat {
            let content = (choice["message"] as? [String: Any])?["content"] ?? ""
            out.writeImmutableBuffer(GenerationRequest.sse(chunk([["index": 0, "delta": ["role": "assistant", "content": content], "finish_reason": NSNull()]])))
            out.writeImmutableBuffer(GenerationRequest.sse(chunk([["index": 0, "delta": [String: Any](), "finish_reason": finish]], extra: ["kinglet": report.object])))
        } else {
            let text = choice["text"] ?? ""
            out.writeImmutableBuffer(GenerationRequest.sse(chunk([["index": 0, "text": text, "finish_reason": NSNull()]])))
            out.writeImmutableBuffer(GenerationRequest.sse(chunk([["index": 0, "text": "", "finish_reason": finish]], extra: ["kinglet": report.object])))
        }
        if includeUsage, let usage = o["usage"] { out.writeImmutableBuffer(GenerationRequest.sse(chunk([], extra: ["usage": usage]))) }
        out.writeString("data: [DONE]\n\n")
        return out
    }
}
