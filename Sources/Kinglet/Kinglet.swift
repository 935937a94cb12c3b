// The library apps import: `import Kinglet` brings the runtime API (Engine, Prompt,
// GenerateParameters, GenerationEvent, ModelStore) and the layers beneath it.
@_exported import KingletArchitectures
@_exported import KingletChatTemplate
@_exported import KingletGGUF
@_exported import KingletGrammar
@_exported import KingletKernels
@_exported import KingletRuntime
@_exported import KingletText
@_exported import KingletTokenizer
