// KingletTraining: train a llama-architecture model from scratch on the CPU and export it as GGUF.
//
// Folders, one idea each:
//   Ops/         forward and backward of every op, side by side (fp32)
//   Model/       presets, the trainable llama (parameters, activations, forward/backward)
//   Optim/       AdamW, learning-rate schedule, gradient clipping
//   Data/        token shards (tokenized text, memory-mapped), validation split, batch windows
//   Checkpoint/  atomic checkpoints (a GGUF file) and resume
//   Export/      checkpoint → runnable GGUF (f32/f16/q8_0/q4_0) with the tokenizer's metadata
//   Trainer/     the training loop, progress, metrics.jsonl
