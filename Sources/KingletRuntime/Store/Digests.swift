import Crypto

/// SHA-256 (swift-crypto's) and the two ways Kinglet writes a digest.
public enum Digests {
    /// The digest of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(bytes)))
    }

    /// Lowercase hex, as `sha256sum` prints it.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in digest { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return s
    }

    /// URL-safe base64 without padding, as a wheel's RECORD writes it.
    public static func urlSafeBase64(_ digest: some Sequence<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let bytes = Array(digest)
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0, b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            let chars = min(4, (bytes.count - i) * 8 / 6 + 1)
            for j in 0 ..< chars { out.append(alphabet[(n >> (18 - 6 * j)) & 63]) }
            i += 3
        }
        return out
    }
}
