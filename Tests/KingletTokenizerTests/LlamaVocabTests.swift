import Foundation
import KingletGGUF
import KingletTokenizer
import Testing

/// llama.cpp's ids on llama.cpp's own vocabulary-only test files (`models/ggml-vocab-*.gguf` in
/// its source tree): real GPT-2, Llama 3, Qwen 2, StarCoder, Refact, Command-R, MPT vocabularies
/// and three SentencePiece ones (Llama 2, Phi-3, Baichuan).
///
/// The vocabularies are not in this repository (about 40 MB): `KINGLET_LLAMA_VOCABS` may point at
/// that `models/` directory; otherwise they are fetched once with pip from the llama-cpp-python
/// source distribution (which vendors llama.cpp) into `$KINGLET_HOME/test-vocabs`, installing the
/// sdist's build backend (scikit-build-core, cmake) with pip first when missing. Never skipped.
@Suite("Reference: llama.cpp's vocabulary test files")
struct LlamaVocabTests {
    struct File: Decodable {
        let vocab: String
        let cases: [ReferenceCasesTests.Case]
    }

    static let names = ["gpt-2", "llama-bpe", "qwen2", "starcoder", "refact", "command-r", "mpt",
                        "llama-spm", "phi-3", "baichuan"]

    @Test("encodes and decodes like llama.cpp", arguments: names)
    func encode(name: String) throws {
        let dir = try LlamaVocabs.directory.get()
        let tok = try Tokenizer(gguf: GGUFFile(path: dir + "/ggml-vocab-\(name).gguf"))
        let data = try Data(contentsOf: TestData.root.appendingPathComponent("tokenizer/llama-vocabs/\(name).json"))
        let file = try JSONDecoder().decode(File.self, from: data)
        #expect(file.cases.count > 300)
        var misses = 0
        for c in file.cases {
            for parseSpecial in [true, false] {
                let expected = parseSpecial ? c.ids : c.ids_no_special
                let got = tok.encode(c.text, parseSpecial: parseSpecial)
                guard got != expected else { continue }
                misses += 1
                if misses <= 5 {
                    Issue.record("\(name): \(c.text.debugDescription) (parseSpecial: \(parseSpecial)): expected \(expected), got \(got)")
                }
            }
        }
        #expect(misses == 0, "\(name): \(misses) of \(2 * file.cases.count) encodings differ from llama.cpp")

        var decodeMisses = 0
        for c in file.cases where tok.decodeBytes(c.ids) != c.expectedDecoding {
            decodeMisses += 1
            if decodeMisses <= 5 { Issue.record("\(name): \(c.text.debugDescription) decoded \(tok.decode(c.ids).debugDescription)") }
        }
        #expect(decodeMisses == 0, "\(name): \(decodeMisses) of \(file.cases.count) decodings differ from llama.cpp")
    }
}

enum LlamaVocabs {
    struct Unavailable: Error, CustomStringConvertible { let description: String }

    /// `$KINGLET_LLAMA_VOCABS`, or the cached copy, fetched on first use.
    static let directory: Result<String, Unavailable> = {
        if let d = ProcessInfo.processInfo.environment["KINGLET_LLAMA_VOCABS"], !d.isEmpty {
            return exists(d) ? .success(d) : .failure(Unavailable(description: "KINGLET_LLAMA_VOCABS=\(d) is not a directory"))
        }
        let env = ProcessInfo.processInfo.environment
        let home = env["KINGLET_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache/kinglet")
        let dir = home + "/test-vocabs/llama-cpp-python-0.3.36"
        if FileManager.default.fileExists(atPath: dir + "/ggml-vocab-gpt-2.gguf") { return .success(dir) }
        return fetch(into: dir)
    }()

    static func exists(_ d: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: d, isDirectory: &isDir) && isDir.boolValue
    }

    /// pip-downloads the sdist and extracts `vendor/llama.cpp/models/ggml-vocab-*.gguf`.
    static func fetch(into dir: String) -> Result<String, Unavailable> {
        let script = """
        import glob, os, shutil, subprocess, sys, tarfile, tempfile
        dest = sys.argv[1]
        shutil.rmtree(dest + '.partial', ignore_errors=True)
        shutil.rmtree(dest, ignore_errors=True)
        # pip prepares an sdist's metadata even to download it: llama-cpp-python's build backend
        # (scikit-build-core) and the CMake it looks for must be there first.
        need = []
        try:
            import scikit_build_core  # noqa: F401
        except ImportError:
            need.append('scikit-build-core')
        try:
            import cmake  # noqa: F401
        except ImportError:
            if shutil.which('cmake') is None:
                need.append('cmake')
        if need:
            subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', *need], check=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '--no-binary', ':all:',
                            '--no-build-isolation', '-d', tmp, 'llama-cpp-python==0.3.36'], check=True,
                           stdout=subprocess.DEVNULL)
            sdist = glob.glob(os.path.join(tmp, '*.tar.gz'))[0]
            os.makedirs(dest + '.partial', exist_ok=True)
            with tarfile.open(sdist) as t:
                for m in t.getmembers():
                    name = os.path.basename(m.name)
                    if '/vendor/llama.cpp/models/' in m.name and name.startswith('ggml-vocab-') and name.endswith('.gguf'):
                        with t.extractfile(m) as src, open(os.path.join(dest + '.partial', name), 'wb') as out:
                            out.write(src.read())
            os.replace(dest + '.partial', dest)
        """
        try? FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, dir]
        do { try p.run() } catch { return .failure(Unavailable(description: "cannot run python3: \(error)")) }
        p.waitUntilExit()
        guard p.terminationStatus == 0, exists(dir) else {
            return .failure(Unavailable(description: "could not fetch llama.cpp's vocabulary files with pip (exit \(p.terminationStatus)); set KINGLET_LLAMA_VOCABS to llama.cpp's models/ directory"))
        }
        return .success(dir)
    }
}
