import Foundation

/// How much of the thread's stack parsing or rendering has used since it began.
///
/// The nesting limits (`Parser.maxDepth`, `RenderBudget.maxDepth`) bound recursion, but not its
/// bytes: frames differ by build and platform. Measured on x86-64 Linux, an optimized build uses
/// about 2.6 KiB per level of parentheses while parsing, so about 99 levels fill 256 KiB (half of
/// a 512 KiB thread, the size of secondary threads on macOS); a debug build's frames are several
/// times larger (about 22 KiB per level of macro recursion). Past `limit`, the guard stops the
/// parse or render with a `.stack` budget error instead of letting it overflow the stack.
struct StackGuard {
    /// Bytes of stack parsing or rendering may use below where it started: half the thread's
    /// stack (the caller has the other half), at least 128 KiB and at most 4 MiB.
    let limit: Int
    private let base: UInt

    init() {
        base = StackGuard.address()
        let size = Thread.current.stackSize
        limit = size > 0 ? min(max(size / 2, 128 << 10), 4 << 20) : 256 << 10
    }

    /// Bytes used since `init` (stacks grow down on every platform Swift runs on).
    var used: Int {
        let here = StackGuard.address()
        return here < base ? Int(clamping: base - here) : 0
    }

    /// Throws `.budgetExceeded(.stack, ...)` once more than `limit` bytes are in use.
    @inline(__always)
    func check(at location: SourceLocation) throws(TemplateError) {
        let bytes = used
        if bytes > limit {
            throw .budgetExceeded(.stack, limit: limit, reached: bytes, at: location)
        }
    }

    /// An address in the caller's frame, near the top of the stack.
    @inline(never)
    private static func address() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}
