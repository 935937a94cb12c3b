import Foundation
import KingletChatTemplate

/// The jinja2-referenced cases in Tests/Data/templates (see scripts/render-templates-jinja2.py).
/// Setting KINGLET_TEMPLATE_CASES to another folder of cases in the same layout runs those instead.
struct TemplateCase: Sendable, CustomStringConvertible {
    var name: String
    var template: URL
    var context: URL
    /// jinja2's exact output, when it rendered.
    var expected: String?
    /// "ExceptionType: message", when jinja2 raised.
    var error: String?

    var description: String { name }
}

enum CaseLibrary {
    static let builtinDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/templates")

    static var directory: URL {
        if let custom = ProcessInfo.processInfo.environment["KINGLET_TEMPLATE_CASES"], !custom.isEmpty {
            return URL(fileURLWithPath: custom)
        }
        return builtinDirectory
    }

    /// The instant the reference script's `strftime_now` reads: 2024-07-26 09:05:03.
    static let fixedNow: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: 2024, month: 7, day: 26, hour: 9, minute: 5, second: 3))!
    }()

    static func read(_ url: URL) -> String? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func all() -> [TemplateCase] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().map { file in
            let name = String(file.dropLast(5))
            var template = directory.appendingPathComponent(name + ".jinja")
            if !FileManager.default.fileExists(atPath: template.path) {
                let family = name.components(separatedBy: "--")[0]
                template = directory.appendingPathComponent(family + ".jinja")
            }
            return TemplateCase(
                name: name, template: template, context: directory.appendingPathComponent(file),
                expected: read(directory.appendingPathComponent(name + ".expected")),
                error: read(directory.appendingPathComponent(name + ".error")))
        }
    }

    /// Renders a case the way the reference script does (fixed clock, UTC).
    static func render(_ testCase: TemplateCase) throws -> String {
        guard let source = read(testCase.template), let contextText = read(testCase.context) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        var template = try ChatTemplate(source: source)
        template.now = { fixedNow }
        template.timeZone = TimeZone(identifier: "UTC")!
        let context = try TemplateValue(json: contextText)
        var variables: [String: TemplateValue] = [:]
        for (key, value) in context.objectValue?.entries ?? [] { variables[key] = value }
        return try template.render(variables)
    }
}
