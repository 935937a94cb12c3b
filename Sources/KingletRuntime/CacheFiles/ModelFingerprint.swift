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
        // The header from the file, the samples from the tensor data wherever it lives (the
        // same bytes; reading them from the file mapping would make its pages resident again).
        let bytes = gguf.fileBytes
        var hash = SHA256()
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hash.update(bufferPointer: $0) }
        let header = min(max(0, gguf.dataOffset), bytes.count)
        hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[0 ..< header]))
        let data = gguf.tensorData
        if data.count <= samples * sampleBytes {
            hash.update(bufferPointer: data)
        } else {
            let stride = (data.count - sampleBytes) / (samples - 1)
            for i in 0 ..< samples {
                let start = i * stride
                hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: data[start ..< start + sampleBytes]))
            }
        }
        return Digests.hex(hash.finalize())
    }
}
