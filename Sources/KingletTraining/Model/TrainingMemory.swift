import Foundation
import KingletArchitectures

/// The memory a training step holds — the parameters, their gradients, AdamW's two moments and the
/// activations of a B×T batch — checked before any of it is allocated, so that a batch, sequence
/// length or model shape too large for the machine (a flag, a typo) is a typed error, not a crash
/// in the allocator at the first step.
public enum TrainingMemory {
    /// Bytes of a run of `config` on batches of `batch` × `length` tokens (in Double: absurd
    /// sizes do not overflow).
    public static func bytes(config: ModelConfig, batch: Int, length: Int) -> Double {
        let parameters = parameterCount(config)
        return 4 * (4 * parameters + Activations.floatCount(config: config, batch: batch, length: length, training: true))
    }

    /// The parameters of `config`'s trainable llama (`ParameterLayout.count`), in Double.
    public static func parameterCount(_ c: ModelConfig) -> Double {
        let D = Double(c.embeddingSize), F = Double(c.feedForwardSize)
        let qDim = Double(c.headCount * c.headSize), kvDim = Double(c.kvHeadCount * c.headSize)
        return Double(c.vocabularySize) * D + Double(c.layerCount) * (2 * D + 2 * qDim * D + 2 * kvDim * D + 3 * F * D) + D
    }

    /// Refuses a run whose `bytes` exceed `physicalMemory`.
    public static func check(config: ModelConfig, batch: Int, length: Int,
                             physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) throws(TrainingMemoryError) {
        let need = bytes(config: config, batch: batch, length: length)
        guard need <= Double(physicalMemory) else {
            throw TrainingMemoryError(parameters: parameterCount(config), batch: batch, length: length, bytes: need,
                                      physicalMemory: physicalMemory)
        }
    }
}

/// A training run that does not fit in this machine's memory.
public struct TrainingMemoryError: Error, LocalizedError, Sendable, Equatable {
    public var parameters: Double
    public var batch: Int
    public var length: Int
    public var bytes: Double
    public var physicalMemory: UInt64

    public var errorDescription: String? {
        String(format: "training %.0f parameters on batches of %d × %d tokens needs %@ (weights, gradients, AdamW moments "
               + "and activations), but this machine has %@ of memory. Use a smaller batch, sequence length or model.",
               parameters, batch, length, Self.format(bytes), Self.format(Double(physicalMemory)))
    }

    static func format(_ bytes: Double) -> String {
        bytes >= Double(1 << 30) ? String(format: "%.1f GiB", bytes / Double(1 << 30)) : String(format: "%.1f MiB", bytes / Double(1 << 20))
    }
}
