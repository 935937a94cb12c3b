// kinglet-kernel-bench: throughput of Kernels.matmul per weight type and shape, fast table vs
// reference, 1 and 2 threads. Shapes are SmolLM2-135M's (n_embd 576, n_ff 1536, vocab 49152);
// the types only Gemma 3 270M Q4_K_M uses get its shapes (n_embd 640, n_ff 2048, q 1024), and
// Q2_K/Q3_K/Q5_K (whose rows must be whole 256-element super-blocks) its K = 1024 and 2048 shapes.
//
//   swift run -c release --scratch-path .build-k kinglet-kernel-bench [--quick] [--reference] [TYPE…]
//   swift run -c release kinglet-kernel-bench sgemm [--quick] [SHAPE…]   (fp32 GEMM; SgemmBench.swift)
//
// GFLOP/s counts 2·R·K·n (multiply + add) per call; GB/s is weight bytes streamed per call.
// Times are the 25th percentile of individually timed calls (see timeCall).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KingletKernels

struct Options {
    var quick = false
    var reference = false
    var types: [QuantType] = [.q4_1, .q4_0, .q8_0, .f16, .bf16, .f32, .q5_0, .q5_1, .q4_K, .q6_K, .q2_K, .q3_K, .q5_K]

    init(_ args: [String]) {
        var picked: [QuantType] = []
        for arg in args {
            switch arg {
            case "--quick": quick = true
            case "--reference": reference = true
            default:
                if let t = QuantType.allCases.first(where: { $0.description.lowercased() == arg.lowercased() }) { picked.append(t) }
                else { print("unknown argument \(arg)"); exit(2) }
            }
        }
        if !picked.isEmpty { types = picked }
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Owns a random `rows` × `cols` matrix of `type` with sane scales.
final class BenchWeights {
    let bytes: UnsafeMutableRawPointer
    let matrix: WeightMatrix
    init(_ type: QuantType, rows: Int, cols: Int) {
        let count = rows * type.rowBytes(cols: cols)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
        var state: UInt64 = 0x1234_5678
        for i in stride(from: 0, to: count & ~7, by: 8) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes.storeBytes(of: state, toByteOffset: i, as: UInt64.self)
        }
        for b in 0..<rows * cols / type.blockSize {
            let block = bytes + b * type.blockBytes
            switch type {
            case .f32: block.storeBytes(of: Float(b % 13) * 0.01 - 0.06, as: Float.self)
            case .f16: block.storeBytes(of: floatToHalf(Float(b % 13) * 0.01 - 0.06), as: UInt16.self)
            case .bf16: block.storeBytes(of: floatToBF16(Float(b % 13) * 0.01 - 0.06), as: UInt16.self)
            case .q6_K: block.storeBytes(of: floatToHalf(0.001), toByteOffset: 208, as: UInt16.self)
            case .q3_K: block.storeBytes(of: floatToHalf(0.001), toByteOffset: 108, as: UInt16.self)
            case .q2_K:
                block.storeBytes(of: floatToHalf(0.001), toByteOffset: 80, as: UInt16.self)
                block.storeBytes(of: floatToHalf(0.002), toByteOffset: 82, as: UInt16.self)
            default:
                let kQuant = [.q4_K, .q5_K].contains(type)
                block.storeBytes(of: floatToHalf(kQuant ? 0.001 : 0.01), as: UInt16.self)
                if kQuant || [.q4_1, .q5_1].contains(type) {   // m (dmin for Q4_K, Q5_K)
                    block.storeBytes(of: floatToHalf(kQuant ? 0.002 : -0.08), toByteOffset: 2, as: UInt16.self)
                }
            }
        }
        matrix = try! WeightMatrix(type: type, rows: rows, cols: cols, data: bytes)
    }
    deinit { bytes.deallocate() }
}


/// `v` with `digits` decimals.
func fmt(_ v: Double, _ digits: Int = 1) -> String {
    var s = String(Int((v * pow(10, Double(digits))).rounded()))
    if digits > 0 {
        while s.count <= digits { s = "0" + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
    }
    return s
}

/// Per-call times: each call timed alone, repeated for at least `minSeconds` (and 5 calls).
/// `wall` is the 25th percentile of wall-clock times: the machine is shared, so a mean would
/// mostly measure how often this process was descheduled. `cpu` is the mean CPU time of the
/// process per call (all threads, spinning included): for one thread, the kernel's own time.
func timeCall(minSeconds: Double, _ body: () -> Void) -> (wall: Double, cpu: Double) {
    body()   // warm-up
    var samples: [Double] = []
    let start = now(), cpuStart = cpuNow()
    repeat {
        let t0 = now()
        body()
        samples.append(now() - t0)
    } while now() - start < minSeconds || samples.count < 5
    let cpu = (cpuNow() - cpuStart) / Double(samples.count)
    samples.sort()
    return (samples[samples.count / 4], cpu)
}

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

// `--single TYPE R K n threads calls`: one fixed workload, for `perf stat` (cycles per call).
if CommandLine.arguments.count == 8, CommandLine.arguments[1] == "--single" {
    let a = CommandLine.arguments
    let type = QuantType.allCases.first { $0.description.lowercased() == a[2].lowercased() }!
    let (rows, cols, n, threads, calls) = (Int(a[3])!, Int(a[4])!, Int(a[5])!, Int(a[6])!, Int(a[7])!)
    let weights = BenchWeights(type, rows: rows, cols: cols)
    let x = [Float](repeating: 0.5, count: n * cols)
    var out = [Float](repeating: 0, count: n * rows)
    let pool = ThreadPool(threads: threads)
    let start = now()
    for _ in 0..<calls { Kernels.matmul(weights.matrix, x, n: n, &out, pool: pool) }
    print("\(type) \(rows)x\(cols) n=\(n) threads=\(threads): \(fmt((now() - start) / Double(calls) * 1e6)) µs/call")
    exit(0)
}
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "sgemm" {
    runSgemmBench(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
let options = Options(Array(CommandLine.arguments.dropFirst()))
let fast = KernelTable.native
let reference = KernelTable.reference()
print("backend: \(Kernels.backendDescription); physical cores: \(ThreadPool.physicalCoreCount())")
let pools = [1, 2].map { ThreadPool(threads: $0) }
let minSeconds = options.quick ? 0.05 : 0.3

print("| type | R × K | n | threads | impl | wall µs/call (p25) | GFLOP/s (wall) | weight GB/s (wall) | CPU µs/call | GFLOP/s per CPU-s |")
print("|---|---|---|---|---|---|---|---|---|---|")
/// (type, rows, cols, n, threads) → seconds per call of the fast table.
var fastTimes: [String: Double] = [:]

@MainActor func bench(_ type: QuantType, rows: Int, cols: Int, ns: [Int]) {
    let weights = BenchWeights(type, rows: rows, cols: cols)
    for n in ns {
        var x = [Float](repeating: 0, count: n * cols)        // [n, K]
        for i in x.indices { x[i] = Float((i * 7919) % 1000) * 0.002 - 1 }
        var out = [Float](repeating: 0, count: n * rows)      // [n, R]
        let flops = 2.0 * Double(rows) * Double(cols) * Double(n)
        let weightBytes = Double(rows * weights.matrix.rowBytes)
        for pool in pools {
            var tables = [fast]
            // The scalar reference is ~100× slower: only on request, and only where it finishes.
            if options.reference && flops <= 2e9 { tables.append(reference) }
            for table in tables {
                let (seconds, cpu) = timeCall(minSeconds: minSeconds) {
                    Kernels.matmul(weights.matrix, x, n: n, &out, pool: pool, table: table)
                }
                if table.name == fast.name { fastTimes["\(type) \(rows) \(cols) \(n) \(pool.threadCount)"] = seconds }
                print("| \(type) | \(rows) × \(cols) | \(n) | \(pool.threadCount) | \(table[type].implementation) | "
                      + "\(fmt(seconds * 1e6)) | \(fmt(flops / seconds / 1e9)) | \(fmt(weightBytes / seconds / 1e9, 2)) | "
                      + "\(fmt(cpu * 1e6)) | \(fmt(flops / cpu / 1e9)) |")
            }
        }
    }
}

let ns = options.quick ? [1, 64] : [1, 64, 512]
for type in options.types {
    // Gemma 3 270M: Q5_0 q/gate/up (1024 × 640, 2048 × 640), Q4_K attn_output, Q6_K ffn_down.
    let shapes: [(Int, Int)] = switch type {
    case .q5_0, .q5_1: [(1024, 640), (2048, 640)]
    case .q4_K: [(640, 1024)]
    case .q6_K: [(640, 2048)]
    case .q2_K, .q3_K, .q5_K: [(640, 1024), (640, 2048)]   // rows must be whole 256-element super-blocks
    default: [(576, 576), (1536, 576), (576, 1536)]
    }
    for (rows, cols) in shapes {
        bench(type, rows: rows, cols: cols, ns: ns)
    }
}
if options.types.contains(.q8_0) { bench(.q8_0, rows: 49152, cols: 576, ns: [1]) }
if options.types.contains(.q4_1) { bench(.q4_1, rows: 192, cols: 576, ns: ns) }

// SmolLM2-135M per token: 30 layers × (q, o: 576×576; k, v: 192×576; gate, up: 1536×576;
// down: 576×1536), all Q4_1, plus the Q8_0 output 49152×576, which a prompt batch needs for its
// last token only.
if options.types.contains(.q4_1), options.types.contains(.q8_0) {
    for threads in [1, 2] {
        for n in [1, 64, 512] where !(options.quick && n == 512) {
            func t(_ type: QuantType, _ r: Int, _ c: Int, _ n: Int) -> Double? { fastTimes["\(type) \(r) \(c) \(n) \(threads)"] }
            guard let qo = t(.q4_1, 576, 576, n), let kv = t(.q4_1, 192, 576, n), let ff = t(.q4_1, 1536, 576, n),
                  let down = t(.q4_1, 576, 1536, n), let output = t(.q8_0, 49152, 576, 1) else { continue }
            let perToken = (30 * (2 * qo + 2 * kv + 2 * ff + down) + output) / Double(n)
            print("SmolLM2-135M matmuls (wall p25), \(threads) thread(s), n = \(n): \(fmt(perToken * 1e3, 3)) ms/token → "
                  + "\(fmt(1 / perToken)) tokens/s")
        }
    }
}
