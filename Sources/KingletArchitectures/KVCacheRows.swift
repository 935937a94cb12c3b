/// Raw access to the stored rows, for saving a cache to a file and restoring it (the bytes are
/// copied as stored: a restored cache is bit-identical to the saved one).
extension KVCache {
    /// The positions layer `l` holds: the whole sequence so far on a full layer, its last
    /// positions on a sliding-window ring.
    public func heldPositions(layer l: Int) -> Range<Int> { firstHeld[l] ..< count }

    /// The stored keys and values of `position` on layer `l`, `rowBytes` each. The position must
    /// be within the layer's capacity of what it holds or is about to hold.
    public func rows(layer l: Int, position: Int) -> (keys: UnsafeMutableRawPointer, values: UnsafeMutableRawPointer) {
        precondition(l >= 0 && l < layers && position >= 0 && position < capacity, "row \(position) of layer \(l) is outside the cache")
        let b = byteOffset(layer: l, position: position)
        if let k16, let v16 { return (UnsafeMutableRawPointer(k16) + b, UnsafeMutableRawPointer(v16) + b) }
        if let k32, let v32 { return (UnsafeMutableRawPointer(k32) + b, UnsafeMutableRawPointer(v32) + b) }
        return (kBlocks! + b, vBlocks! + b)
    }

    /// After rows were written with `rows(layer:position:)`: the cache holds `count` positions,
    /// layer `l` from `firstHeld[l]` (which must leave each sliding layer its window).
    public func restore(count newCount: Int, firstHeld held: [Int]) {
        precondition(newCount >= 0 && newCount <= capacity && held.count == layers, "restoring \(newCount) positions into a cache of \(capacity)")
        for l in 0 ..< layers {
            precondition(held[l] >= max(0, newCount - layerCapacity[l]) && held[l] <= newCount, "layer \(l) cannot hold positions from \(held[l])")
        }
        count = newCount
        firstHeld = held
    }
}
