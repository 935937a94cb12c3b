import KingletKernels

/// Keys and values of the evaluated positions, per layer, stored as F16 (as llama.cpp does by
/// default), F32, or ggml's Q8_0 / Q4_0 blocks (`Precision`; llama.cpp's `-ctk/-ctv`).
///
/// Each layer keeps what its attention can still read (`Layout`): a global layer every position
/// of the context, a sliding-window layer a ring of its window plus room for the new positions of
/// one round of a forward pass (position p in slot p mod capacity), so a local layer's memory does
/// not grow with the context.
///
/// Storage: k, v: [Σ capacity(l), Hkv·Dh], layer l's slots from `layerBase[l]`; in a block
/// precision [Σ capacity(l), rowBytes] bytes, each KV head Dh / 32 whole blocks. Memory is
/// reserved for every layer's capacity but only touched as positions fill.
public final class KVCache: @unchecked Sendable {

    /// What each layer keeps: derived from the model configuration, so the runtime creates the
    /// right cache for any architecture without knowing it.
    public struct Layout: Sendable, Equatable {
        public enum Layer: Sendable, Equatable {
            /// Every position of the context (global attention).
            case full
            /// Attention reads the last `window` positions (the new one included).
            case sliding(window: Int)
        }

        public var layers: [Layer]    // [L]
        public var contextLength: Int // C: positions a sequence may reach
        public var rowSize: Int       // Hkv·Dh
        /// New positions a sliding layer has room for beyond its window (llama.cpp keeps
        /// window + batch): a forward pass stores and attends at most `batchRoom + 1` rows of a
        /// sequence at a time on such a layer.
        public var batchRoom: Int

        public static let defaultBatchRoom = 512

        public init(layers: [Layer], contextLength: Int, rowSize: Int, batchRoom: Int = Layout.defaultBatchRoom) {
            precondition(batchRoom >= 0, "batchRoom must not be negative")
            self.layers = layers
            self.contextLength = contextLength
            self.rowSize = rowSize
            self.batchRoom = batchRoom
        }

        /// The layout a model's configuration asks for: sliding layers where it has a window.
        /// `contextLength`: a shorter context than the model's (a scoring pass sized to its sequence).
        public init(_ config: ModelConfig, contextLength: Int? = nil, batchRoom: Int = Layout.defaultBatchRoom) {
            self.init(layers: (0 ..< config.layerCount).map { config.slidingWindow(layer: $0).map { .sliding(window: $0) } ?? .full },
                      contextLength: contextLength ?? config.contextLength,
                      rowSize: config.kvHeadCount * config.headSize, batchRoom: batchRoom)
        }

        /// Slots layer `l` keeps: the context, or a ring of window + batchRoom when that is smaller.
        public func capacity(layer l: Int) -> Int {
            switch layers[l] {
            case .full: return contextLength
            case .sliding(let w):
                let (ring, overflow) = w.addingReportingOverflow(batchRoom)
                return overflow ? contextLength : min(contextLength, ring)
            }
        }

        /// Bytes the keys and values of one sequence take, or nil when the sum overflows.
        public func byteCount(precision: Precision) -> Int? {
            guard let row = precision.rowBytes(rowSize) else { return nil }
            var slots = 0
            for l in layers.indices {
                let (s, overflow) = slots.addingReportingOverflow(capacity(layer: l))
                if overflow { return nil }
                slots = s
            }
            var n = 2  // keys and values
            for factor in [slots, row] {
                guard factor >= 0 else { return nil }
                let (p, overflow) = n.multipliedReportingOverflow(by: factor)
                if overflow { return nil }
                n = p
            }
            return n
        }
    }

    public let layout: Layout
    public let layers: Int
    /// C: the positions a sequence may reach (the context), whatever the layers keep.
    public let capacity: Int
    public let rowSize: Int           // Hkv·Dh
    public let precision: Precision
    /// Positions evaluated so far (the next token goes at `count`).
    public internal(set) var count: Int = 0

    let layerCapacity: [Int]          // [L] slots per layer
    let layerBase: [Int]              // [L] first slot of each layer
    /// The oldest position each layer still holds (0 for a full layer). [L]
    var firstHeld: [Int]

    let k16: UnsafeMutablePointer<UInt16>?, v16: UnsafeMutablePointer<UInt16>?  // F16 bits
    let k32: UnsafeMutablePointer<Float>?, v32: UnsafeMutablePointer<Float>?
    let kBlocks: UnsafeMutableRawPointer?, vBlocks: UnsafeMutableRawPointer?       // [slots, rowBytes]
    /// The memory behind whichever pair of pointers the precision uses.
    private let storage: (k: PageMemory, v: PageMemory)
    /// Bytes of one cached row (one position's keys, or values, of every KV head), as stored.
    public let rowBytes: Int
    /// The kernels of a block precision (this CPU's table); nil for f16 and f32.
    let blockKernels: KVBlockKernels?

    /// Bytes of a cache where every layer keeps the whole context, or nil when the product overflows.
    public static func byteCount(layers: Int, capacity: Int, rowSize: Int, precision: Precision) -> Int? {
        guard layers >= 0 else { return nil }
        return Layout(layers: Array(repeating: .full, count: layers), contextLength: capacity, rowSize: rowSize)
            .byteCount(precision: precision)
    }

    /// The caller checks the size first (`Layout.byteCount`) and a block precision's head size
    /// (`KVCache.validate`): an absurd size, or rows that are not whole blocks, trap here.
    public init(layout: Layout, precision: Precision = .f16, kernels: KernelTable = .native) {
        self.layout = layout
        layers = layout.layers.count
        capacity = layout.contextLength
        rowSize = layout.rowSize
        self.precision = precision
        layerCapacity = layout.layers.indices.map { layout.capacity(layer: $0) }
        var base: [Int] = [], slots = 0
        for c in layerCapacity { base.append(slots); slots += c }
        layerBase = base
        firstHeld = Array(repeating: 0, count: layers)
        rowBytes = precision.rowBytes(layout.rowSize)!
        let half = precision == .f16, single = precision == .f32
        if let type = precision.blockType {
            precondition(rowSize % type.blockSize == 0,
                         "a \(precision) KV cache needs rows of whole \(type.blockSize)-element blocks, not \(rowSize) (KVCache.validate)")
            blockKernels = kernels.kvBlocks(type)
        } else {
            blockKernels = nil
        }
        // Keys and values on pages of their own: resident as far as positions are written.
        let bytes = slots * rowBytes
        let storage = (k: PageMemory(byteCount: bytes), v: PageMemory(byteCount: bytes))
        self.storage = storage
        k16 = half ? storage.k.typed(UInt16.self) : nil; v16 = half ? storage.v.typed(UInt16.self) : nil
        k32 = single ? storage.k.typed(Float.self) : nil; v32 = single ? storage.v.typed(Float.self) : nil
        kBlocks = blockKernels != nil ? storage.k.pointer : nil; vBlocks = blockKernels != nil ? storage.v.pointer : nil
    }

    /// A cache where every layer keeps the whole context (`capacity` positions).
    public convenience init(layers: Int, capacity: Int, rowSize: Int, precision: Precision = .f16, kernels: KernelTable = .native) {
        self.init(layout: Layout(layers: Array(repeating: .full, count: layers), contextLength: capacity, rowSize: rowSize),
                  precision: precision, kernels: kernels)
    }

    /// Forgets positions from `position` on (for example to rewind to a shared prefix) and returns
    /// the positions kept. A sliding layer's ring no longer holds the window before a position far
    /// behind `count`: rewinding there keeps nothing (returns 0), and the caller evaluates the
    /// sequence again from its start.
    @discardableResult
    public func truncate(to position: Int) -> Int {
        var n = max(0, min(count, position))
        for l in 0 ..< layers {
            guard case .sliding(let w) = layout.layers[l] else { continue }
            if max(0, n - w + 1) < firstHeld[l] { n = 0 }
        }
        count = n
        if n == 0 { firstHeld = Array(repeating: 0, count: layers) }
        return n
    }

    /// Resident bytes for `count` positions (a ring never more than its slots).
    public var usedBytes: Int {
        layerCapacity.reduce(0) { $0 + min(count, $1) } * rowBytes * 2
    }

    /// The window of a sliding layer; nil for a full one.
    func window(layer l: Int) -> Int? {
        if case .sliding(let w) = layout.layers[l], layerCapacity[l] < capacity { return w }
        return nil
    }

    /// Rows of one sequence a forward pass may store on layer `l` before attending: all of them on
    /// a full layer; on a ring, as many as leave the window before the first of them intact.
    func rowsPerRound(layer l: Int) -> Int {
        guard let w = window(layer: l) else { return .max }
        return layerCapacity[l] - w + 1
    }

    /// Byte offset of `position`'s slot on layer `l` (in any precision).
    @inline(__always) func byteOffset(layer l: Int, position: Int) -> Int {
        (layerBase[l] + position % layerCapacity[l]) * rowBytes
    }

    /// Element offset of `position`'s slot on layer `l`.
    @inline(__always) func offset(layer l: Int, position: Int) -> Int {
        (layerBase[l] + position % layerCapacity[l]) * rowSize
    }

    /// The slots of positions `range` on layer `l`, in position order: one run, or two when the
    /// ring wraps. The caller reads only positions the layer still holds.
    @inline(__always) func slotRuns(layer l: Int, positions range: Range<Int>) -> (Range<Int>, Range<Int>) {
        let c = layerCapacity[l]
        let first = range.lowerBound % c
        let end = first + range.count
        if end <= c { return (first ..< end, 0 ..< 0) }
        return (first ..< c, 0 ..< end - c)
    }

    /// Marks positions up to `newCount` as evaluated (after a forward pass's last layer).
    func commit(count newCount: Int) {
        count = newCount
        for l in 0 ..< layers { firstHeld[l] = max(firstHeld[l], newCount - layerCapacity[l]) }
    }

    /// Stores one position's key and value rows ([Hkv·Dh] each).
    func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let o = offset(layer: layer, position: position)
        if let k16, let v16 {
            HalfVector.native.toHalf(key, k16 + o, count: rowSize)
            HalfVector.native.toHalf(value, v16 + o, count: rowSize)
        } else if let k32, let v32 {
            (k32 + o).update(from: key, count: rowSize)
            (v32 + o).update(from: value, count: rowSize)
        } else if let kBlocks, let vBlocks, let blockKernels {
            let b = byteOffset(layer: layer, position: position)
            blockKernels.store(key, into: kBlocks + b, count: rowSize)
            blockKernels.store(value, into: vBlocks + b, count: rowSize)
        }
    }
}
