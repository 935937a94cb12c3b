// KingletDistill: train a small student on a larger teacher's outputs.
//
// Folders, one idea each:
//   Prompts/   prompt sources: JSONL files and built-in presets (stories, ...)
//   Teacher/   teacher completions from a local model or an OpenAI-compatible endpoint; the dataset
//   Scores/    the teacher's top-k log-probabilities per position (binary shards, memory-mapped)
//   Losses/    distillation losses (forward/reverse KL, generalized JSD over top-k + tail)
//   Report/    HTML/SVG and JSON reports comparing runs
//   Probe/     what a shipped GGUF gives its user: decode speed, size, greedy answers to held-out
//              prompts and the teacher's perplexity of them
//   Pipeline/  the stages as library calls (generate, score, train, report), DistillPipeline running
//              them in order, and the time-budget planner (plan.json)
