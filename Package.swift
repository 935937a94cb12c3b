// swift-tools-version: 6.1
// Kinglet: small language models on the device.
//
// Layering (lowest first, acyclic):
//   KingletGGUF            GGUF format: read (mmap) / write; no dependencies
//   KingletText            JSON values, the one strict JSON parser and decoding errors in words, source locations, HTML and hex text; no dependencies
//   CKingletKernels        C intrinsics for the few kernels where Swift SIMD is too slow
//   KingletKernels         block types, reference + fast kernels, thread pool, dispatch table
//   KingletTokenizer       byte-level BPE, pre-tokenizers, streaming detokenizer
//   KingletChatTemplate    Jinja chat-template interpreter (Hugging Face conventions); on KingletText
//   KingletGrammar         GBNF grammars, JSON Schema → grammar, per-step token masks; on KingletText
//   KingletArchitectures   model config, weights, KV cache, forward pass per architecture
//   KingletRuntime         samplers, generation loop, chat prompts, resource checks, model store (pull)
//   Kinglet                the library apps import (re-exports the runtime API)
//   KingletTraining        backward passes, optimizer, token shards, checkpoints, GGUF export
//   KingletDistill         teacher data and scores, distillation losses, reports
//   KingletServer          OpenAI-compatible HTTP server (Hummingbird): routes, wire types, batch scheduler
//   KingletCLI             the `kinglet` executable
import PackageDescription
#if canImport(Glibc)
import Glibc
#endif

// KINGLET_LEAN=1 leaves out the server's test target (HummingbirdTesting pulls AsyncHTTPClient and
// BoringSSL into the build): a quicker cold build for work that does not touch the server.
let lean = Context.environment["KINGLET_LEAN"] != nil

// The `kinglet` executable on Linux is linked by GNU ld with packed relative relocations (DT_RELR):
// its relocation table, read at every start and resident after, shrinks from 1.6 MB to 0.4 MB,
// and a SmolLM2 bench run's peak RSS from ~150.7 to ~148.5 MB (Zen 3, medians of 7; gold, the
// default linker, has no RELR). glibc applies DT_RELR from 2.36 on and refuses such a binary
// before, so it is asked for only where the building machine's glibc reads it.
let packRelativeRelocations: Bool = {
    #if canImport(Glibc)
    var text = [CChar](repeating: 0, count: 64)  // "glibc 2.36"
    guard confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0,
          let number = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
              .split(separator: " ").last else { return false }
    let version = number.split(separator: ".").compactMap { Int($0) }
    return version.count >= 2 && (version[0], version[1]) >= (2, 36)
    #else
    return false
    #endif
}()

let package = Package(
    name: "Kinglet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Kinglet", targets: ["Kinglet"]),
        .executable(name: "kinglet", targets: ["KingletCLI"]),
        .executable(name: "kinglet-kernel-bench", targets: ["KingletKernelBench"]),
        .executable(name: "kinglet-grammar-bench", targets: ["KingletGrammarBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already dependencies of Hummingbird; named for the two modules the server imports directly.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // SHA-256 for verifying pulled models.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // HTTP client for remote teachers (connection pool, timeouts, TLS); Hummingbird's tests use it too.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The server's /metrics: a Prometheus registry (and swift-metrics' API for apps that add theirs).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Ordered dictionaries (the template interpreter's Python dicts) and a heap (SentencePiece's merges).
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // `swift package generate-documentation`: DocC for the public API (a build plugin only).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "KingletGGUF"),
        .target(name: "KingletText"),
        .target(
            name: "CKingletKernels",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        .target(name: "KingletKernels", dependencies: ["CKingletKernels"]),
        .executableTarget(name: "KingletKernelBench", dependencies: ["KingletKernels"]),
        .target(name: "KingletTokenizer", dependencies: ["KingletGGUF", "KingletText", .product(name: "HeapModule", package: "swift-collections")]),
        .target(name: "KingletChatTemplate", dependencies: ["KingletText", .product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "KingletGrammar", dependencies: ["KingletText"]),
        .executableTarget(name: "KingletGrammarBench", dependencies: ["KingletGrammar", "KingletGGUF", "KingletTokenizer", "KingletKernels"]),
        .target(name: "KingletArchitectures", dependencies: ["KingletGGUF", "KingletKernels"]),
        .target(
            name: "KingletRuntime",
            dependencies: [
                "KingletGGUF", "KingletKernels", "KingletTokenizer", "KingletChatTemplate", "KingletArchitectures", "KingletGrammar", "KingletText",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "KingletTraining",
            dependencies: ["KingletGGUF", "KingletKernels", "KingletTokenizer", "KingletArchitectures"]
        ),
        .target(
            name: "KingletDistill",
            dependencies: ["KingletTraining", "KingletRuntime", "KingletArchitectures", "KingletKernels", "KingletTokenizer", "KingletChatTemplate", "KingletGGUF", "KingletText",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio")]
        ),
        .target(name: "Kinglet", dependencies: ["KingletRuntime", "KingletKernels", "KingletArchitectures", "KingletTokenizer", "KingletChatTemplate", "KingletGGUF", "KingletGrammar", "KingletText"]),
        .target(
            name: "KingletServer",
            dependencies: [
                "KingletRuntime",
                "KingletArchitectures",
                "KingletChatTemplate",
                "KingletGrammar",
                "KingletText",
                .product(name: "Hummingbird", package: "hummingbird"),
                // The child channel, wrapped with connection limits (Connections/).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                // HTTP/1 request and response parts, for the request-phase handler.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // Escalations to an upstream server (Routing/).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "KingletCLI",
            dependencies: [
                "Kinglet",
                "KingletServer",
                "KingletTraining",
                "KingletDistill",
                "KingletGGUF",
                "KingletKernels",
                "KingletTokenizer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: packRelativeRelocations
                ? [.unsafeFlags(["-use-ld=bfd", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux]))]
                : []
        ),
        // Shared by the test targets that run the real model or the `kinglet` executable.
        .target(name: "KingletTestSupport", dependencies: ["KingletRuntime", "KingletArchitectures", "KingletGGUF"], path: "Tests/KingletTestSupport"),
        .testTarget(name: "KingletGGUFTests", dependencies: ["KingletGGUF"]),
        .testTarget(name: "KingletKernelsTests", dependencies: ["KingletKernels", "CKingletKernels"]),
        .testTarget(name: "KingletTokenizerTests", dependencies: ["KingletTokenizer", "KingletGGUF", "KingletTestSupport"]),
        .testTarget(
            name: "KingletArchitecturesTests",
            dependencies: ["KingletArchitectures", "KingletGGUF", "KingletKernels", "KingletTestSupport"]
        ),
        .testTarget(name: "KingletChatTemplateTests", dependencies: ["KingletChatTemplate", "KingletTestSupport"]),
        .testTarget(name: "KingletGrammarTests", dependencies: ["KingletGrammar"]),
        .testTarget(name: "KingletTextTests", dependencies: ["KingletText"]),
        .testTarget(name: "KingletRuntimeTests", dependencies: ["KingletRuntime", "KingletGrammar", "KingletChatTemplate", "KingletArchitectures", "KingletGGUF", "KingletKernels", "KingletTokenizer", "KingletTestSupport"]),
        .testTarget(
            name: "KingletIntegrationTests",
            dependencies: ["KingletRuntime", "KingletGGUF", "KingletTokenizer", "KingletArchitectures", "KingletKernels", "KingletChatTemplate", "KingletTestSupport"]
        ),
        .testTarget(
            name: "KingletTrainingTests",
            dependencies: ["KingletTraining", "KingletArchitectures", "KingletGGUF", "KingletKernels", "KingletTokenizer"]
        ),
        .testTarget(
            name: "KingletDistillTests",
            dependencies: ["KingletDistill", "KingletTraining", "KingletRuntime", "KingletArchitectures", "KingletKernels", "KingletGGUF", "KingletTokenizer", "KingletChatTemplate", "KingletTestSupport"]
        ),
    ] + (lean ? [] : [
        .testTarget(
            name: "KingletServerTests",
            dependencies: [
                "KingletServer",
                "KingletRuntime",
                "KingletChatTemplate",
                "KingletTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                // A capturing log handler (the upstream key never reaches a log).
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]),
    swiftLanguageModes: [.v6]
)
