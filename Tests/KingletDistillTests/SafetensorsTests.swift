import Foundation
import Testing
@testable import KingletDistill

/// The hand-written safetensors writer: header layout, round trip, and its refusals.
@Suite struct SafetensorsTests {
    @Test func headerRoundTripsAndDataLandsAtItsOffsets() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        let tensors = [Safetensors.TensorInfo(name: "a", dtype: .f32, shape: [2, 3]), .init(name: "b\"é", dtype: .i64, shape: [3]),
                       .init(name: "empty", dtype: .i32, shape: [0, 4]), .init(name: "c", dtype: .u8, shape: [5])]
        let a: [Float] = [1, -2, 3.5, -.infinity, 0, 6], b: [Int64] = [-1, 1 << 40, 7], c: [UInt8] = [1, 2, 3, 4, 5]
        try Safetensors.write(to: url, tensors: tensors, metadata: ["format": "test", "k": "4"]) { i, write in
            switch i {
            case 0: try a.withUnsafeBytes { try write($0) }
            case 1: try b.withUnsafeBytes { try write($0) }
            case 2: break
            default: try c.withUnsafeBytes { try write($0) }
            }
        }
        let bytes = Array(try Data(contentsOf: url))
        let n = Int(bytes[0 ..< 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect(n % 8 == 0 && bytes[8] == UInt8(ascii: "{"), "the header is a JSON object padded to 8 bytes")
        #expect(bytes.count == 8 + n + 24 + 24 + 0 + 5)
        let (read, metadata) = try Safetensors.readHeader(bytes)
        #expect(metadata == ["format": "test", "k": "4"])
        #expect(read.map(\.name) == ["a", "b\"é", "empty", "c"])
        #expect(read.map(\.dtype) == [.f32, .i64, .i32, .u8] && read.map(\.shape) == [[2, 3], [3], [0, 4], [5]])
        #expect(read.map(\.offsets) == [0 ..< 24, 24 ..< 48, 48 ..< 48, 48 ..< 53])
        let data = Array(bytes[(8 + n)...])
        let readA = data[0 ..< 24].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let readB = data[24 ..< 48].withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
        #expect(readA == a && readB == b && Array(data[48 ..< 53]) == c)
    }

    @Test func refusesDuplicateNamesAndShortTensors() {
        #expect(throws: TeacherDataExportError.self) {
            try Safetensors.header([.init(name: "x", dtype: .f32, shape: [1]), .init(name: "x", dtype: .f32, shape: [1])], metadata: [:])
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        #expect(throws: TeacherDataExportError.self) {
            try Safetensors.write(to: url, tensors: [.init(name: "x", dtype: .f32, shape: [2])], metadata: [:]) { _, write in
                try [Float(1)].withUnsafeBytes { try write($0) }
            }
        }
    }

    @Test func readerRefusesOffsetsThatDoNotFitTheShape() {
        var json = Array(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        let bytes = (0 ..< 8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + json + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: TeacherDataExportError.self) { try Safetensors.readHeader(bytes) }
    }
}
