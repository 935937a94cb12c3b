import Foundation
@testable import KingletGGUF
import Testing

/// Putting a finished file in place: whole, replacing what was there, no temporary left behind,
/// and on failure the old file untouched with the reason named.
@Suite struct DurableFileTests {
    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-durable-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func contents(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map(Array.init) }

    @Test func writeReplacesTheFileWholeAndLeavesNoTemporary() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.gguf"
        try DurableFile.write([1, 2, 3], to: path)
        #expect(contents(path) == [1, 2, 3])
        let big = (0 ..< 3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try DurableFile.write(Data(big), to: path)  // Data, and more than one write(2) may take
        #expect(contents(path) == big)
        try DurableFile.write([UInt8](), to: path)
        #expect(contents(path) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.gguf"])
    }

    @Test func moveRenamesOverTheDestination() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([9, 9]).write(to: URL(fileURLWithPath: dir + "/out"))
        try Data([7]).write(to: URL(fileURLWithPath: dir + "/out.partial"))
        try DurableFile.move(dir + "/out.partial", to: dir + "/out")
        #expect(contents(dir + "/out") == [7])
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.partial"))
    }

    @Test func aFolderThatIsNotThereIsNamedAndNothingIsLeft() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/missing/out.gguf"
        do {
            try DurableFile.write([1], to: path)
            Issue.record("wrote into a folder that does not exist")
        } catch {
            #expect(error.path == path)
            #expect(error.reason.contains("cannot create") && error.reason.contains("No such file or directory"), "\(error.reason)")
            #expect(error.errorDescription?.hasPrefix("cannot write \(path): ") == true)
        }
        #expect(throws: DurableFileError.self) { try DurableFile.move(dir + "/nothing-here", to: dir + "/out") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func aFailedMoveLeavesTheOldFileAsItWas() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([5, 6]).write(to: URL(fileURLWithPath: dir + "/keep"))
        // The destination is a non-empty folder: rename(2) refuses to replace it with a file.
        try FileManager.default.createDirectory(atPath: dir + "/taken/sub", withIntermediateDirectories: true)
        do {
            try DurableFile.write([1, 2], to: dir + "/taken")
            Issue.record("replaced a folder with a file")
        } catch {
            #expect(error.reason.contains("cannot rename"), "\(error.reason)")
        }
        #expect(contents(dir + "/keep") == [5, 6])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["keep", "taken"], "the temporary was removed")
    }

    @Test func theTemporaryIsBesideTheFile() {
        #expect(DurableFile.folder(of: "model.gguf") == ".")
        #expect(DurableFile.folder(of: "/a/b/c.gguf") == "/a/b")
        #expect(DurableFile.folder(of: "runs/c.gguf") == "runs")
    }
}
