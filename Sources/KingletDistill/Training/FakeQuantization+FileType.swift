import KingletGGUF
import KingletKernels
import KingletRuntime
import KingletTraining

extension FakeQuantization {
    /// The rounding a model of `layout` gets when `kinglet quantize` writes it as `fileType`: each
    /// matrix at the type `TensorTypePlan` gives it (llama-quantize's rules, fallbacks included:
    /// SmolLM2's tied 576-wide embedding goes to Q8_0 in a Q4_1 file), norms left in F32.
    public init(layout: ParameterLayout, fileType: QuantizeFileType) throws(FakeQuantizationError) {
        let c = layout.config
        let infos = layout.tensors.map { t in
            GGUFTensorInfo(name: t.name, dims: t.ggufDims, type: .f32, offset: t.offset * 4, byteCount: t.count * 4)
        }
        let plan = TensorTypePlan(tensors: infos, model: .init(architecture: "llama", layers: c.layerCount,
                                                               heads: c.headCount, kvHeads: c.kvHeadCount),
                                  fileType: fileType)
        let byName = Dictionary(uniqueKeysWithValues: layout.tensors.map { ($0.name, $0) })
        var entries: [Entry] = []
        for e in plan.entries where e.to != .f32 {
            guard let t = byName[e.name] else { continue }
            guard let type = QuantType(rawValue: e.to.rawValue) else { throw .noQuantizer(tensor: e.name, type: "\(e.to)") }
            entries.append(Entry(name: t.name, offset: t.offset, rows: t.rows, cols: t.cols, type: type))
        }
        try self.init(target: fileType.rawValue, entries: entries.sorted { $0.offset < $1.offset }, layout: layout)
    }
}
