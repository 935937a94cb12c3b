import Foundation
import KingletText

/// `onpolicy.json` in an on-policy directory: which student made the samples, from which teacher
/// data. A rerun with the same values continues; other values are refused, so samples of two
/// students (or a student file rewritten in place) never mix in one directory.
struct OnPolicyManifest: Codable, Equatable {
    var student: String
    var studentBytes: Int
    var teacher: String
    var teacherData: String
    var seed: UInt64
    var temperature: Float
    var topP: Float
    var maxTokens: Int

    static func url(in directory: URL) -> URL { directory.appendingPathComponent("onpolicy.json") }

    /// Writes the manifest, or checks it against the one already there.
    func claim(_ directory: URL) throws {
        let url = Self.url(in: directory)
        if let data = try? Data(contentsOf: url) {
            let stored: OnPolicyManifest
            do { stored = try JSONDecoder().decode(Self.self, from: data) } catch {
                throw DatasetError.badRecord(path: url.path, line: 1, reason: DecodingError.describe(error))
            }
            for (field, a, b) in differences(from: stored) {
                throw OnPolicyError.manifestMismatch(directory: directory.path, field: field, stored: a, given: b)
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try e.encode(self).write(to: url, options: .atomic)
        } catch {
            throw DatasetError.io(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    private func differences(from s: OnPolicyManifest) -> [(String, String, String)] {
        var out: [(String, String, String)] = []
        if s.student != student || s.studentBytes != studentBytes {
            out.append(("student", "\(s.student), \(s.studentBytes) bytes", "\(student), \(studentBytes) bytes"))
        }
        if s.teacher != teacher { out.append(("teacher", s.teacher, teacher)) }
        if s.teacherData != teacherData { out.append(("teacher dataset", s.teacherData, teacherData)) }
        if s.seed != seed || s.temperature != temperature || s.topP != topP || s.maxTokens != maxTokens {
            out.append(("sampling", "seed \(s.seed), T \(s.temperature), top-p \(s.topP), \(s.maxTokens) tokens",
                        "seed \(seed), T \(temperature), top-p \(topP), \(maxTokens) tokens"))
        }
        return out
    }
}
