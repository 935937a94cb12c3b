/// Where a newly admitted sequence goes: which slot, and how much of that slot's KV cache it keeps.
///
/// This is the prompt cache's hook. A slot keeps its cache and the tokens in it after its
/// sequence retires; a placement that reuses `k` tokens keeps the first `k` cache positions and
/// prefills only the rest of the prompt (`LongestCachedPrefix`, the server's default), or starts
/// from an empty cache (`FirstFreeSlot`).
public struct SlotPlacement: Sendable, Equatable {
    /// The chosen slot's index (one of the free slots offered).
    public var slot: Int
    /// At most how many leading prompt tokens are taken from the slot's cache instead of
    /// evaluated: at most `PromptCache.reusable` of the prompt and the slot's `cachedTokens` (the
    /// common prefix, less than the prompt's length). A sliding-window cache may keep fewer.
    public var reuse: Int

    public init(slot: Int, reuse: Int = 0) {
        self.slot = slot
        self.reuse = reuse
    }
}

/// A free slot as admission sees it.
public struct FreeSlot: Sendable {
    /// The slot's index (stable for the stepper's life).
    public let index: Int
    /// The tokens whose keys and values the slot's cache holds, in position order: what its last
    /// sequence evaluated (empty for a slot never used, or after a failed forward pass).
    public let cachedTokens: [Int32]
    /// When its last sequence ended, on a clock that only grows (0: never used): the smallest is
    /// the least recently used.
    public let lastUsed: Int

    public init(index: Int, cachedTokens: [Int32], lastUsed: Int) {
        self.index = index
        self.cachedTokens = cachedTokens
        self.lastUsed = lastUsed
    }
}

/// Chooses the slot (and the reused cache prefix) for each admitted prompt.
public protocol SlotPlacementPolicy {
    /// Called with the prompt and every free slot, lowest index first (never empty).
    func place(prompt: [Int32], among free: [FreeSlot]) -> SlotPlacement
}

/// The lowest-numbered free slot, from an empty cache. Slots get their caches on first use, so
/// taking the lowest keeps the number of caches made to the most sequences ever active at once.
public struct FirstFreeSlot: SlotPlacementPolicy {
    public init() {}

    public func place(prompt: [Int32], among free: [FreeSlot]) -> SlotPlacement {
        SlotPlacement(slot: free[0].index)
    }
}

/// The prompt cache's placement: the free slot whose cache shares the longest reusable prefix
/// with the prompt (`PromptCache.reusable`), the least recently used among equals, reusing that
/// prefix. A prompt that shares nothing with any slot so takes the least recently used one (a
/// slot never used first), evicting its cache.
public struct LongestCachedPrefix: SlotPlacementPolicy {
    public init() {}

    public func place(prompt: [Int32], among free: [FreeSlot]) -> SlotPlacement {
        var best = SlotPlacement(slot: free[0].index, reuse: PromptCache.reusable(cached: free[0].cachedTokens, prompt: prompt))
        var bestUsed = free[0].lastUsed
        for f in free.dropFirst() {
            let reuse = PromptCache.reusable(cached: f.cachedTokens, prompt: prompt)
            if reuse > best.reuse || (reuse == best.reuse && f.lastUsed < bestUsed) {
                best = SlotPlacement(slot: f.index, reuse: reuse)
                bestUsed = f.lastUsed
            }
        }
        return best
    }
}
