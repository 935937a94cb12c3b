/// Finds special tokens by their text and derives the end-of-generation set, following
/// llama.cpp's `llama_vocab::impl::load` (the GGUF does not mark these reliably).
///
/// Where llama.cpp picks "the first match" while iterating a hash map (so, arbitrarily), this
/// picks the first match in the order of the candidate lists below.
enum SpecialTokenDetection {
    static let eotCandidates = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]
    static let eomCandidates = ["<|eom_id|>"]
    static let fimPreCandidates = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|code_prefix|>", "<|prefix|>",
    ]
    static let fimSufCandidates = [
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
        "<|code_suffix|>", "<|suffix|>",
    ]
    static let fimMidCandidates = [
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
        "<|code_middle|>", "<|middle|>",
    ]
    static let fimPadCandidates = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    static let fimRepCandidates = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    static let fimSepCandidates = ["<|file_sep|>"]
    /// Texts that end generation wherever they appear in a vocabulary.
    static let eogTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]
    /// gpt-oss tokens that llama.cpp always renders (forced to user-defined).
    static let alwaysRendered: Set<String> = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]

    /// Fills unset ids by text, marks detected tokens as control, and returns the EOG set.
    static func apply(to vocab: inout Vocabulary, special: inout SpecialTokenIDs) -> Set<Int32> {
        func detect(_ path: WritableKeyPath<SpecialTokenIDs, Int32?>, _ candidates: [String]) {
            guard special[keyPath: path] == nil else { return }
            for text in candidates {
                if let id = vocab.id(text) {
                    special[keyPath: path] = id
                    vocab.attributes[Int(id)].insert(.control)
                    return
                }
            }
        }
        detect(\.eot, eotCandidates)
        detect(\.eom, eomCandidates)
        detect(\.fimPre, fimPreCandidates)
        detect(\.fimSuf, fimSufCandidates)
        detect(\.fimMid, fimMidCandidates)
        detect(\.fimPad, fimPadCandidates)
        detect(\.fimRep, fimRepCandidates)
        detect(\.fimSep, fimSepCandidates)

        // Control tokens whose text says "unused" are unused.
        for i in vocab.attributes.indices where vocab.attributes[i].contains(.control) {
            if vocab.text(i).contains("unused") { vocab.attributes[i].insert(.unused) }
        }

        var eog = Set<Int32>()
        for id in [special.fimPad, special.fimRep, special.fimSep] { if let id { eog.insert(id) } }
        for text in eogTexts {
            guard let id = vocab.id(text) else { continue }
            eog.insert(id)
            vocab.attributes[Int(id)].insert(.control)
        }
        for text in alwaysRendered {
            if let id = vocab.id(text) { vocab.attributes[Int(id)] = .userDefined }
        }
        for id in [special.eos, special.eot, special.eom] { if let id { eog.insert(id) } }

        // o200k_harmony / solar-open: "<|end|>" only ends a message, not the generation.
        let eogTextSet = Set(eog.map { vocab.text(Int($0)) })
        let hasCall = eogTextSet.contains("<|call|>") || eogTextSet.contains("<|calls|>")
        let hasOther = eogTextSet.contains("<|return|>") || eogTextSet.contains("<|flush|>")
        if hasCall && hasOther, let end = eog.first(where: { vocab.text(Int($0)) == "<|end|>" }) {
            eog.remove(end)
            vocab.attributes[Int(end)] = .userDefined
        }
        // Gemma 4 and PLaMo use "</s>" as an ordinary token.
        if eogTextSet.contains("<|tool_response>") || eogTextSet.contains("<|plamo:eos|>"),
           let s = eog.first(where: { vocab.text(Int($0)) == "</s>" }) {
            eog.remove(s)
            vocab.attributes[Int(s)] = .normal
        }
        return eog
    }

    /// llama.cpp's per-model whitespace stripping around special tokens (the GGUF does not carry
    /// these attributes): Phi-3 strips after every special token but `<unk>`, `<s>` and
    /// `<|endoftext|>`; some Jina / Nomic / ModernBERT vocabularies strip before their mask token.
    static func applyStripRules(to vocab: inout Vocabulary, modelName: String?, architecture: String?, pre: String?) {
        let name = (modelName ?? "").lowercased()
        func set(_ text: String, _ attr: TokenAttributes, _ on: Bool) {
            guard let id = vocab.id(text) else { return }
            if on { vocab.attributes[Int(id)].insert(attr) } else { vocab.attributes[Int(id)].remove(attr) }
        }
        let pre = pre ?? "", arch = architecture ?? ""
        if ["jina-v2-de", "jina-v2-es", "jina-v2-code"].contains(where: pre.contains)
            || ["nomic-bert-moe", "jina-bert-v3"].contains(where: arch.contains) {
            set("<mask>", .leftStrip, true)
        } else if name.contains("phi-3") || name.contains("phi3") {
            for i in vocab.attributes.indices where !vocab.attributes[i].isDisjoint(with: .partitioned) {
                vocab.attributes[i].insert(.rightStrip)
            }
            set("</s>", .rightStrip, true)
            for text in ["<unk>", "<s>", "<|endoftext|>"] { set(text, .rightStrip, false) }
        } else if name.contains("modern-bert") {
            set("[MASK]", .leftStrip, true)
        }
    }
}
