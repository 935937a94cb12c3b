import Crypto
import KingletGGUF

/// A digest that tells model files apart, cheap enough to take at every cache save and restore:
/// SHA-256 over the file's length, its whole header (metadata, so the tokenizer and chat template,
/// and the tensor table) and 16 evenly spaced 64 KiB samples of its tensor data. Two different
/// files of the same architecture (a fine-tune, another quantization) differ in all three; only a
/// file edited in place outside the samples would pass, and such a file is not a model anyone ships.
public enum ModelFingerprint {
    static let samples = 16
    static let sampleBytes = 64 << 10

    /// Lowercase hex of the digest of `gguf`'s bytes.
    public static func of(_ gguf: GGUFFile) -> String {
        let bytes = gguf.fileBytes
        var hash = SHA256()
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hash.update(bufferPointer: $0) }
        let header = min(max(0, gguf.dataOffset), bytes.count)
        hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[0 ..< header]))
        let data = bytes.count - header
        if data <= samples * sampleBytes {
            hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[header...]))
        } else {
            let stride = (data - sampleBytes) / (samples - 1)
            for i in 0 ..< samples {
                let start = header + i * stride
                hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[start ..< start + sampleBytes]))
            }
        }
        return Digests.hex(hash.finalize())
    }
}
