import Foundation
import KingletTestSupport
import Testing

/// Every `kinglet` command the README shows names a real subcommand, and every `--flag` it writes
/// is one that subcommand's `--help` lists: the README cannot drift from the CLI unnoticed.
@Suite struct ReadmeCommandsTests {
    /// A command line from a ```sh block: the words after `kinglet`, continuation lines joined.
    struct Command: CustomStringConvertible {
        var line: Int
        var words: [String]
        var description: String { "README line \(line): kinglet \(words.joined(separator: " "))" }
    }

    static func readmeCommands() throws -> [Command] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var out: [Command] = []
        var inShell = false
        for (i, raw) in lines.enumerated() {
            if raw.hasPrefix("```") { inShell = !inShell && raw.hasPrefix("```sh"); continue }
            guard inShell else { continue }
            var text = raw.components(separatedBy: "#").first ?? ""  // comments
            if let r = text.range(of: "swift run -c release kinglet ") { text = "kinglet " + text[r.upperBound...] }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("kinglet ") {
                out.append(Command(line: i + 1, words: Self.words(String(trimmed.dropFirst("kinglet ".count)))))
            } else if raw.hasPrefix(" "), trimmed.hasPrefix("["), let last = out.indices.last, out[last].line < i + 1 {
                out[last].words += Self.words(trimmed)  // a synopsis continued on the next line
            }
        }
        return out
    }

    static func words(_ s: String) -> [String] { s.split(whereSeparator: { $0 == " " }).map(String.init) }

    @Test func everyReadmeFlagExists() throws {
        let kinglet = try kingletExecutable()
        let commands = try Self.readmeCommands()
        #expect(commands.count > 30, "found \(commands.count) commands in the README")
        var helps: [String: String] = [:]
        func help(_ path: [String]) throws -> String? {
            let key = path.joined(separator: " ")
            if let h = helps[key] { return h }
            let r = try ChildProcess.run(kinglet, path + ["--help"], timeout: 60)
            // An unknown subcommand with --help prints the parent's help (exit 0): check the usage line.
            guard r.status == 0, r.stdout.contains("USAGE: kinglet \(key)") else { return nil }
            helps[key] = r.stdout
            return r.stdout
        }
        for c in commands {
            guard let first = c.words.first, !first.hasPrefix("-") else { continue }
            // The deepest subcommand path whose --help works: `distill run`, `route eval`, `serve`.
            var path = [first]
            guard var text = try help(path) else {
                Issue.record("\(c): '\(first)' is not a kinglet subcommand")
                continue
            }
            if c.words.count > 1, c.words[1].allSatisfy({ $0.isLetter || $0 == "-" }), !c.words[1].hasPrefix("-"),
               let sub = try help(path + [c.words[1]]), sub != text {
                path.append(c.words[1])
                text = sub
            }
            for word in c.words where word.contains("--") {
                guard let r = word.range(of: #"--[a-z0-9][a-z0-9-]*"#, options: .regularExpression) else { continue }
                let flag = String(word[r])
                if flag == "--help" { continue }
                #expect(text.contains(flag), "\(c): \(flag) is not an option of kinglet \(path.joined(separator: " "))")
            }
        }
    }
}
