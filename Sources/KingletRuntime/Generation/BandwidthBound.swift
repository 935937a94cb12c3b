import Foundation
import KingletArchitectures
import KingletKernels

/// How fast generation could be if reading memory were all it did: each generated token reads every
/// weight matrix once (and the KV cache so far), so tokens/s ≤ read bandwidth / bytes per token.
/// `kinglet bench` reports the bound beside tg and the fraction of it reached.
public enum MemoryBandwidth {
    /// Bytes per second `pool`'s threads read from memory: the best of `passes` parallel sums over a
    /// buffer of `bytes` (far larger than the caches, so every pass reads DRAM). Each thread sums
    /// its own contiguous share, as a matrix-vector product's rows are split.
    public static func measure(pool: ThreadPool, bytes: Int = 512 << 20, passes: Int = 5) -> Double {
        let lanes = MemoryLayout<SIMD16<UInt32>>.stride
        let vectors = max(bytes / lanes, pool.threadCount * 64)
        let buffer = UnsafeMutablePointer<SIMD16<UInt32>>.allocate(capacity: vectors)
        defer { buffer.deallocate() }
        // Written first, in parallel, so every page is backed (and placed near the thread that reads it).
        pool.parallelFor(vectors) { r in
            for i in r { buffer[i] = SIMD16(repeating: UInt32(truncatingIfNeeded: i)) }
        }
        var best = 0.0
        for _ in 0 ..< passes {
            let t0 = DispatchTime.now().uptimeNanoseconds
            pool.parallelFor(vectors) { r in
                var a = SIMD16<UInt32>(), b = SIMD16<UInt32>(), c = SIMD16<UInt32>(), d = SIMD16<UInt32>()
                var i = r.lowerBound
                while i + 4 <= r.upperBound {
                    a &+= buffer[i]; b &+= buffer[i + 1]; c &+= buffer[i + 2]; d &+= buffer[i + 3]
                    i += 4
                }
                while i < r.upperBound { a &+= buffer[i]; i += 1 }
                // stored in the chunk's own first vector, so the reads cannot be optimized away
                buffer[r.lowerBound][0] = (a &+ b &+ c &+ d).wrappedSum()
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = max(best, Double(vectors * lanes) / seconds)
        }
        return best
    }
}

extension Engine {
    /// Bytes one generated token reads at `position` (tokens already cached): every weight tensor
    /// of the file except the token embedding, which is read whole only when it is also the output
    /// head (otherwise one row), plus the keys and values of every layer's attention span.
    public func bytesReadPerToken(position: Int, precision: KVCache.Precision? = nil) -> Int {
        let tied = gguf.tensorIfPresent(TensorNames.output) == nil
        var bytes = 0
        for t in gguf.tensorInfos where t.name != TensorNames.tokenEmbedding || tied {
            bytes += t.byteCount
        }
        let p = precision ?? options.cachePrecision
        let row = p.rowBytes(config.kvHeadCount * config.headSize) ?? 0
        for layer in 0 ..< config.layerCount {
            let span = config.slidingWindow(layer: layer).map { min($0, position + 1) } ?? position + 1
            bytes += 2 * row * span
        }
        return bytes
    }
}
