import ArgumentParser
import Foundation
import Kinglet

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a known model into the cache and print its path.")

    @Argument(help: "A known model name (see `kinglet list`).")
    var name: String = KnownModel.defaultAlias

    @Flag(help: "Download again even if the model is cached.")
    var force = false

    func run() async throws {
        try await reportingErrors {
            guard let model = KnownModel.named(name) else {
                throw StoreError.unknownModel(name, known: KnownModel.all.map(\.alias))
            }
            let path = try ModelStore().pull(model, force: force) { Terminal.status($0) }
            print(path.path)
        }
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show cached models and the known model names.")

    @Flag(help: "Re-read every pulled known model and check it against its pinned sha256.")
    var verify = false

    func run() async throws {
        let store = ModelStore()
        if verify {
            try await reportingErrors {
                var bad: [String] = []
                for m in KnownModel.all where store.isPulled(m) {
                    do {
                        try store.verify(m)
                        print("  \(m.alias)  ok  sha256 \(m.sha256)")
                    } catch {
                        print("  \(m.alias)  FAILED: \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
                        bad.append(m.alias)
                    }
                }
                if !bad.isEmpty {
                    Terminal.status("error: \(bad.count) model file(s) do not match their pinned sha256: \(bad.joined(separator: ", ")). Pull them again with `kinglet pull --force NAME`.")
                    throw ExitCode.failure
                }
            }
            return
        }
        print("Cached in \(store.modelsDirectory.path):")
        let files = store.cachedFiles()
        if files.isEmpty { print("  (none)") }
        for f in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: f.path)[.size] as? Int) ?? 0
            print(String(format: "  %@  %.1f MB", f.path, Double(size) / 1e6))
        }
        print("Known models:")
        for m in KnownModel.all {
            let mark = store.isPulled(m) ? "pulled" : "not pulled"
            print("  \(m.alias)\(m.alias == KnownModel.defaultAlias ? " (default)" : "")  [\(mark)]  \(m.summary)")
        }
    }
}
