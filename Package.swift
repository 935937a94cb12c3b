// swift-tools-version: 6.1
// Kinglet: small language models on the device.
//
// Layering (lowest first, acyclic):
//   KingletGGUF            GGUF format: read (mmap) / write; no dependencies
//   CKingletKernels        C intrinsics for the few kernels where Swift SIMD is too slow
//   KingletKernels         block types, reference + fast kernels, thread pool, dispatch table
//   KingletTokenizer       byte-level BPE, pre-tokenizers, streaming detokenizer
//   KingletChatTemplate    Jinja chat-template interpreter (Hugging Face conventions); no dependencies
//   KingletArchitectures   model config, weights, forward pass per architecture
//   KingletRuntime         KV cache, samplers, generation loop, model store (pull)
//   Kinglet                the library apps import (re-exports the runtime API)
//   KingletCLI             the `kinglet` executable
import PackageDescription

let package = Package(
    name: "Kinglet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Kinglet", targets: ["Kinglet"]),
        .executable(name: "kinglet", targets: ["KingletCLI"]),
        .executable(name: "kinglet-kernel-bench", targets: ["KingletKernelBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "KingletGGUF"),
        .target(
            name: "CKingletKernels",
            cSettings: [.unsafeFlags(["-O3"])]
        ),
        .target(name: "KingletKernels", dependencies: ["CKingletKernels"]),
        .executableTarget(name: "KingletKernelBench", dependencies: ["KingletKernels"]),
        .target(name: "KingletTokenizer", dependencies: ["KingletGGUF"]),
        .target(name: "KingletChatTemplate"),
        .target(name: "KingletArchitectures", dependencies: ["KingletGGUF", "KingletKernels"]),
        .target(
            name: "KingletRuntime",
            dependencies: ["KingletGGUF", "KingletKernels", "KingletTokenizer", "KingletChatTemplate", "KingletArchitectures"]
        ),
        .target(name: "Kinglet", dependencies: ["KingletRuntime", "KingletKernels", "KingletArchitectures", "KingletTokenizer", "KingletChatTemplate", "KingletGGUF"]),
        .executableTarget(
            name: "KingletCLI",
            dependencies: [
                "Kinglet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KingletGGUFTests", dependencies: ["KingletGGUF"]),
        .testTarget(name: "KingletKernelsTests", dependencies: ["KingletKernels"]),
        .testTarget(name: "KingletTokenizerTests", dependencies: ["KingletTokenizer", "KingletGGUF"]),
        .testTarget(
            name: "KingletArchitecturesTests",
            dependencies: ["KingletArchitectures", "KingletGGUF", "KingletKernels"]
        ),
        .testTarget(name: "KingletChatTemplateTests", dependencies: ["KingletChatTemplate"]),
        .testTarget(name: "KingletRuntimeTests", dependencies: ["KingletRuntime", "KingletGGUF"]),
        .testTarget(
            name: "KingletIntegrationTests",
            dependencies: ["KingletRuntime", "KingletGGUF", "KingletTokenizer", "KingletArchitectures", "KingletKernels"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
