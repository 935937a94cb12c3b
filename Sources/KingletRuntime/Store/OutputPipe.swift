import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe for a child process's stdout or stderr, read as it comes on a thread of its own with
/// `poll(2)` and `read(2)`: the one way Kinglet (and its tests) collect a running child's output.
///
/// Foundation's `FileHandle.readabilityHandler` reads through libdispatch sources, and on Linux
/// setting those up and tearing them down on several threads at once can crash the whole process
/// (a use-after-free in the dispatch manager thread, swift-corelibs-libdispatch issue 949). This
/// reader uses no dispatch source. Both ends are created close-on-exec, so only the child it is
/// given to holds the write end.
///
/// Start the child with `Process.run(stdout:stderr:)` (or give it ``writeEnd`` and call
/// ``childStarted()`` once it runs), and call ``finish(waitingUpTo:)`` once it has exited. `onData` gets each chunk as it is read, then one empty chunk at the end of
/// the output (end of file, a read error, or `finish` giving up), always on the reader thread.
public final class OutputPipe: @unchecked Sendable {
    /// The end the child writes to: `Process.standardOutput` or `.standardError`.
    public let writeEnd: FileHandle
    private let readFD: Int32
    private let ended = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var abandoned = false
    private var writeEndClosed = false

    /// A new pipe whose reader thread is already waiting for output.
    public init(onData: @escaping @Sendable (Data) -> Void) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE)
        }
        // (Glibc's module does not offer pipe2; Foundation's Process closes every other
        // descriptor in its children anyway, so this guards only other ways of spawning.)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        readFD = fds[0]
        writeEnd = FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)
        let thread = Thread { [readFD, ended, weak self] in
            Self.drain(readFD, onData: onData, abandoned: { self?.isAbandoned ?? true })
            close(readFD)
            ended.signal()
        }
        thread.start()
    }

    /// Closes this process's copy of the write end, so the output ends when the child's does.
    /// Call it once the child has started (or failed to).
    public func childStarted() {
        lock.withLock {
            guard !writeEndClosed else { return }
            writeEndClosed = true
            try? writeEnd.close()
        }
    }

    /// Waits up to `seconds` for the end of the output; whether it came. A descendant of the child
    /// that inherited the pipe can hold the output open after the child exits: then reading stops
    /// (within a tenth of a second), and what was read so far is all there is.
    @discardableResult
    public func finish(waitingUpTo seconds: Double) -> Bool {
        childStarted()
        if ended.wait(timeout: .now() + seconds) == .success {
            ended.signal()  // later calls return at once
            return true
        }
        lock.withLock { abandoned = true }
        return false
    }

    private var isAbandoned: Bool { lock.withLock { abandoned } }

    deinit {
        childStarted()
        lock.withLock { abandoned = true }
    }

    /// The reader thread's loop: waits at most 100 ms at a time, so an abandoned pipe is let go.
    private static func drain(_ fd: Int32, onData: (Data) -> Void, abandoned: () -> Bool) {
        let size = 64 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate(); onData(Data()) }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !abandoned() {
            let ready = poll(&p, 1, 100)
            if ready < 0 && errno != EINTR { return }
            if ready <= 0 { continue }
            let n = read(fd, buffer, size)
            if n > 0 {
                onData(Data(bytes: buffer, count: n))
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                return  // end of file, or the pipe is unusable
            }
        }
    }
}

extension Process {
    /// Starts the process with its stdout and stderr (where given; otherwise as set) written to
    /// output pipes, whose copies of the write ends are then closed here.
    public func run(stdout: OutputPipe?, stderr: OutputPipe?) throws {
        if let stdout { standardOutput = stdout.writeEnd }
        if let stderr { standardError = stderr.writeEnd }
        defer { stdout?.childStarted(); stderr?.childStarted() }
        try run()
    }
}

/// Bytes appended on an ``OutputPipe``'s reader thread, read on any other.
public final class LockedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    public init() {}
    public func append(_ d: Data) { lock.withLock { data.append(d) } }
    public var string: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
