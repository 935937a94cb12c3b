import Foundation

/// Linear warm-up from 0 to `peak` over `warmup` steps, then cosine decay to `floor` at `total`.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public var peak: Float
    public var warmup: Int
    public var total: Int
    public var floor: Float

    public init(peak: Float, warmup: Int, total: Int, floor: Float? = nil) {
        self.peak = peak
        self.warmup = warmup
        self.total = total
        self.floor = floor ?? peak / 10
    }

    /// The rate for 0-based step `step`.
    public func rate(at step: Int) -> Float {
        if step < warmup { return peak * Float(step + 1) / Float(warmup) }
        let span = max(total - warmup, 1)
        let progress = min(Double(step - warmup) / Double(span), 1)
        return floor + Float(0.5 * (1 + cos(Double.pi * progress))) * (peak - floor)
    }
}
