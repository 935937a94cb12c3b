import Foundation
import KingletKernels
import KingletRuntime

/// A built-in prompt generator: a template with `{slot}` placeholders and a word list per slot.
/// Every combination of words is a distinct prompt; `prompts(count:seed:)` draws `count` of them
/// without repeats, deterministically from the seed. Draws are prefix-stable: the first `n`
/// prompts for a seed are the same whatever `count` is, so raising `--count` reuses the samples
/// already generated.
public struct PromptPreset: Sendable {
    /// A placeholder and the words it takes.
    public struct Slot: Sendable {
        public var name: String
        public var values: [String]

        public init(_ name: String, _ values: [String]) {
            self.name = name
            self.values = values
        }
    }

    /// The name `--preset` takes.
    public let name: String
    /// One line for help texts.
    public let summary: String
    /// The system message put before each prompt (nil: none).
    public let system: String?
    /// The user message, with `{name}` for each slot.
    public let template: String
    /// The slots, in the order their indices are mixed into a combination number.
    public let slots: [Slot]

    /// A preset from its parts.
    public init(name: String, summary: String, system: String?, template: String, slots: [Slot]) {
        self.name = name
        self.summary = summary
        self.system = system
        self.template = template
        self.slots = slots
    }

    /// The built-in presets.
    public static let all: [PromptPreset] = [.stories, .tips]

    /// The preset called `name`.
    public static func named(_ name: String) throws(PromptError) -> PromptPreset {
        guard let p = all.first(where: { $0.name == name.lowercased() }) else {
            throw .unknownPreset(name, available: all.map(\.name))
        }
        return p
    }

    /// How many distinct prompts the preset makes (the product of the slot sizes, saturating).
    public var combinationCount: Int {
        slots.reduce(1) { n, s in
            let (p, overflow) = n.multipliedReportingOverflow(by: s.values.count)
            return overflow ? Int.max : p
        }
    }

    /// The user message for combination `index` (mixed radix over the slots).
    public func text(combination index: Int) -> String {
        precondition(index >= 0 && index < combinationCount, "combination \(index) out of range")
        var rest = index
        var text = template
        for slot in slots {
            let value = slot.values[rest % slot.values.count]
            rest /= slot.values.count
            text = text.replacingOccurrences(of: "{\(slot.name)}", with: value)
        }
        // An empty optional slot at the end leaves a trailing space.
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// `count` distinct prompts drawn from the seed, ids `NAME-000000` up.
    public func prompts(count: Int, seed: UInt64, system override: String? = nil) throws(PromptError) -> [DistillPrompt] {
        let total = combinationCount
        guard count <= total else { throw .tooMany(preset: name, requested: count, available: total) }
        let width = max(6, String(max(count - 1, 0)).count)
        return SparseShuffle.prefix(count: max(count, 0), of: total, seed: seed).enumerated().map { i, c in
            let number = String(i)
            let id = "\(name)-" + String(repeating: "0", count: max(0, width - number.count)) + number
            return DistillPrompt(id: id, user: text(combination: c), system: override ?? system)
        }
    }
}

/// A preset as a `PromptSource`.
public struct PresetPromptSource: PromptSource {
    public let preset: PromptPreset
    public let count: Int
    public let seed: UInt64
    /// Replaces the preset's system message when set.
    public let system: String?

    public init(preset: PromptPreset, count: Int, seed: UInt64, system: String? = nil) {
        self.preset = preset
        self.count = count
        self.seed = seed
        self.system = system
    }

    public func prompts() throws -> [DistillPrompt] { try preset.prompts(count: count, seed: seed, system: system) }
}

/// The first `count` entries of a seeded random permutation of `0 ..< n`, in O(count) memory:
/// Fisher–Yates where the swapped-away entries live in a dictionary. Independent of `count`, so
/// shorter draws are prefixes of longer ones.
enum SparseShuffle {
    static func prefix(count: Int, of n: Int, seed: UInt64) -> [Int] {
        precondition(count <= n)
        var rng = Xoshiro256StarStar(seed: seed)
        var moved: [Int: Int] = [:]
        var out: [Int] = []
        out.reserveCapacity(count)
        for i in 0 ..< count {
            let j = i + Int(uniform(below: UInt64(n - i), &rng))
            let atJ = moved[j] ?? j
            moved[j] = moved[i] ?? i
            out.append(atJ)
        }
        return out
    }

    /// Uniform in `0 ..< bound` without modulo bias (rejection), the same on every platform.
    static func uniform(below bound: UInt64, _ rng: inout Xoshiro256StarStar) -> UInt64 {
        precondition(bound > 0)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = rng.next()
            if x < limit { return x % bound }
        }
    }
}
