import Foundation
import Kinglet

/// What `kinglet perplexity` prints: the running estimate on stderr (llama.cpp's `[chunk]ppl,`
/// line), the result on stdout as text in llama-perplexity's words or as JSON.
struct PerplexityReport {
    let format: PerplexityCommand.Format

    func progress(_ p: PerplexityProgress) {
        FileHandle.standardError.write(Data(String(format: "[%d]%.4f,", p.chunk, p.estimate.perplexity).utf8))
        if p.chunk == p.chunkCount { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func progress(_ p: LogitsComparisonProgress) {
        let s = p.statistics
        Terminal.status(String(format: "%4d  PPL %9.4f ± %7.4f  ln(PPL(Q)/PPL(base)) %9.5f ± %8.5f  KLD %9.5f ± %8.5f  same top p %6.3f %%",
                               p.perplexity.chunk, s.perplexity.value, s.perplexity.uncertainty, s.logRatio.value, s.logRatio.uncertainty,
                               s.kld.value, s.kld.uncertainty, 100 * s.sameTop.value))
    }

    func comparisonHeader(_ h: LogitsFileHeader, path: String) {
        Terminal.status("reference: \(path) (\(h.format.rawValue) file, \(h.storage.description)\(h.modelName.map { ", model \($0)" } ?? ""), "
                        + "\(h.chunkCount) chunks of \(h.context), vocabulary \(h.vocabularySize))")
    }

    func perplexity(_ r: PerplexityResult, saved: (path: String, storage: LogitsFileHeader.Storage)?) {
        let size = saved.flatMap { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? nil } ?? 0
        switch format {
        case .json:
            var object = Self.object(r)
            if let saved {
                object["saved_logits"] = ["path": saved.path, "storage": saved.storage.description, "bytes": size]
            }
            Self.printJSON(object)
        case .text:
            print(String(format: "%d chunks of %d tokens (%d scored), %.2f s, %.1f tokens/s", r.chunks, r.context,
                         r.estimate.count, r.seconds, r.tokensPerSecond))
            if let saved {
                print(String(format: "saved logits: %@ (%@, %.1f MiB)", saved.path, saved.storage.description, Double(size) / 1_048_576))
            }
            print(String(format: "Final estimate: PPL = %.4f +/- %.5f", r.estimate.perplexity, r.estimate.uncertainty))
        }
    }

    func comparison(_ r: LogitsComparisonResult) {
        let s = r.statistics
        switch format {
        case .json:
            var object = Self.object(r.perplexity)
            object["reference"] = ["format": r.referenceFormat.rawValue, "storage": r.referenceStorage, "model": r.referenceModel.map { $0 as Any } ?? NSNull()]
            object["kl_divergence"] = Self.jsonObject(s)
            Self.printJSON(object)
        case .text:
            print("reference storage: \(r.referenceStorage) (\(r.referenceFormat.rawValue) file)")
            print(String(format: "%d chunks of %d tokens, %.2f s, %.1f tokens/s\n", r.perplexity.chunks, r.perplexity.context,
                         r.perplexity.seconds, r.perplexity.tokensPerSecond))
            print("====== Perplexity statistics ======")
            print(String(format: "Mean PPL(Q)                   : %10.6f ± %10.6f", s.perplexity.value, s.perplexity.uncertainty))
            print(String(format: "Mean PPL(base)                : %10.6f ± %10.6f", s.basePerplexity.value, s.basePerplexity.uncertainty))
            print(String(format: "Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%", 100 * s.correlation))
            print(String(format: "Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f", s.logRatio.value, s.logRatio.uncertainty))
            print(String(format: "Mean PPL(Q)/PPL(base)         : %10.6f ± %10.6f", s.ratio.value, s.ratio.uncertainty))
            print(String(format: "Mean PPL(Q)-PPL(base)         : %10.6f ± %10.6f\n", s.difference.value, s.difference.uncertainty))
            print("====== KL divergence statistics ======")
            print(String(format: "Mean    KLD: %10.6f ± %10.6f", s.kld.value, s.kld.uncertainty))
            for p in s.kldPercentiles { print(String(format: "%@ KLD: %10.6f", Self.label(p.label), p.value)) }
            print("\n====== Token probability statistics ======")
            print(String(format: "Mean    Δp: %6.3f ± %5.3f %%", 100 * s.meanDeltaP.value, 100 * s.meanDeltaP.uncertainty))
            for p in s.deltaPPercentiles { print(String(format: "%@ Δp: %6.3f%%", Self.label(p.label), 100 * p.value)) }
            print(String(format: "RMS Δp    : %6.3f ± %5.3f %%", 100 * s.rmsDeltaP.value, 100 * s.rmsDeltaP.uncertainty))
            print(String(format: "Same top p: %6.3f ± %5.3f %%", 100 * s.sameTop.value, 100 * s.sameTop.uncertainty))
        }
    }

    /// llama.cpp's row labels: "Maximum", "99.9%  ", "Median ", " 5.0%  ".
    static func label(_ l: String) -> String {
        switch l {
        case "maximum": return "Maximum"
        case "minimum": return "Minimum"
        case "median": return "Median "
        default: return (l.count < 5 ? " " + l : l).padding(toLength: 7, withPad: " ", startingAt: 0)
        }
    }

    static func object(_ r: PerplexityResult) -> [String: Any] {
        ["perplexity": finite(r.estimate.perplexity), "uncertainty": finite(r.estimate.uncertainty), "mean_nll": finite(r.estimate.meanNLL),
         "scored_tokens": r.estimate.count, "context": r.context, "chunks": r.chunks, "text_tokens": r.textTokens,
         "seconds": r.seconds, "tokens_per_second": r.tokensPerSecond]
    }

    static func jsonObject(_ s: KLDivergenceStatistics) -> [String: Any] {
        func u(_ x: Uncertain) -> [String: Any] { ["value": finite(x.value), "uncertainty": finite(x.uncertainty)] }
        func p(_ list: [Percentile]) -> [[String: Any]] { list.map { ["label": $0.label, "value": finite($0.value)] } }
        return ["count": s.count, "ppl_q": u(s.perplexity), "ppl_base": u(s.basePerplexity), "correlation": finite(s.correlation),
                "ln_ratio": u(s.logRatio), "ratio": u(s.ratio), "difference": u(s.difference), "kld": u(s.kld),
                "kld_percentiles": p(s.kldPercentiles), "mean_delta_p": u(s.meanDeltaP), "rms_delta_p": u(s.rmsDeltaP),
                "delta_p_percentiles": p(s.deltaPPercentiles), "same_top_p": u(s.sameTop)]
    }

    /// JSON has no NaN or infinity: those become null.
    static func finite(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

    static func printJSON(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }
}
