import KingletGrammar
import KingletKernels

/// `kinglet-grammar-bench sample SCHEMA.json COUNT [SEED]`: random sentences of a schema's grammar,
/// one per line as a JSON string literal, for scripts/check-schema-samples.py to validate with an
/// independent validator. Bytes are drawn uniformly among those the grammar allows (so UTF-8,
/// escapes and every alternative come up); past 120 bytes closing bytes are preferred and the
/// sentence ends as soon as the grammar accepts. Sentences longer than 4,000 bytes are dropped.
func sampleSentences(schemaText: String, count: Int, seed: UInt64) throws -> [String] {
    let grammar = try Grammar(jsonSchema: schemaText)
    var rng = SplitMix64(state: seed)
    let closing = Array("\"}]0123456789el".utf8)
    var out: [String] = []
    var attempts = 0
    while out.count < count && attempts < count * 4 {
        attempts += 1
        let m = try GrammarMatcher(grammar: grammar)
        var bytes: [UInt8] = []
        while bytes.count < 4000 {
            if m.isAccepting && (bytes.count > 120 || rng.next() % 8 == 0 || !m.canContinue) { break }
            let allowed = m.allowedBytes
            guard !allowed.isEmpty else { break }
            var pick = allowed[Int(rng.next() % UInt64(allowed.count))]
            if bytes.count > 120, let c = closing.first(where: { allowed.contains($0) }) { pick = c }
            try m.accept(byte: pick)
            bytes.append(pick)
        }
        if m.isAccepting { out.append(JSONValue.quote(String(decoding: bytes, as: UTF8.self))) }
    }
    return out
}
