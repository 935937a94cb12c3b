import ArgumentParser
import Foundation
import Kinglet

/// `--json`, `--json-schema FILE`, `--grammar FILE`: constrain the output (at most one).
struct ConstraintOptions: ParsableArguments {
    @Flag(help: "Output one JSON object (any).")
    var json = false

    @Option(name: .customLong("json-schema"),
            help: ArgumentHelp("Output JSON that validates against the JSON Schema in this file (a keyword that cannot be enforced is an error).", valueName: "file"))
    var jsonSchema: String?

    @Option(help: ArgumentHelp("Output a sentence of the llama.cpp GBNF grammar in this file (rule root).", valueName: "file"))
    var grammar: String?

    func validate() throws {
        if [json, jsonSchema != nil, grammar != nil].filter({ $0 }).count > 1 {
            throw ValidationError("--json, --json-schema and --grammar exclude each other: pass one")
        }
    }

    /// The constraint the flags ask for (nil: free text). Grammar errors propagate typed;
    /// `FlagHints` names the flag.
    func constraint() throws -> OutputConstraint? {
        if json { return .jsonObject }
        if let jsonSchema { return try .jsonSchema(try Self.read(jsonSchema, flag: "--json-schema")) }
        if let grammar { return try .gbnf(try Self.read(grammar, flag: "--grammar")) }
        return nil
    }

    private static func read(_ path: String, flag: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError(text: "\(flag): cannot read '\(path)': \(error.localizedDescription)")
        }
    }
}
