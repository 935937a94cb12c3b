import KingletArchitectures

/// Greedy decoding as llama.cpp's reference runs it: the prompt in one pass, then one token per
/// forward pass over `state`'s cache, each the argmax of the last logits (the lowest id on a tie,
/// as `std::max_element`). Returns the `count` tokens chosen.
public func greedyTokens(_ model: any LanguageModel, prompt: [Int32], count: Int, state: ModelState) throws -> [Int32] {
    var logits = try model.forward(prompt, state: state, logits: .last)
    var tokens: [Int32] = []
    for _ in 0 ..< count {
        let best = Int32(logits.indices.max { logits[$0] < logits[$1] }!)
        tokens.append(best)
        logits = try model.forward([best], state: state, logits: .last)
    }
    return tokens
}
