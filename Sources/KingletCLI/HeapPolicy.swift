#if canImport(Glibc)
import Glibc
#endif

/// How the `kinglet` process asks the C heap to hold memory: set once, first thing in `main`, before
/// flags are parsed and any model is loaded (the Swift runtime has allocated a little by then).
///
/// glibc pads every growth of a heap by 128 KiB (`M_TOP_PAD`) and keeps that much when it trims
/// one; with a heap per thread (the pool's workers, Swift's cooperative threads) the padding, and
/// where arenas land, varied a bench run's peak RSS by up to 5 MB. With no padding the heaps grow
/// and shrink by what is used: SmolLM2 `kinglet bench` (p512 n128, 2 threads) peak RSS 148.8–152.4
/// MB → 148.7–149.0 MB over six alternated runs (Zen 3). A process-wide policy, so the executable
/// sets it, not the library.
enum HeapPolicy {
    static func apply() {
        #if canImport(Glibc)
        _ = glibcMallopt(-2, 0)  // M_TOP_PAD (malloc.h), which the Glibc module does not export
        #endif
    }
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
