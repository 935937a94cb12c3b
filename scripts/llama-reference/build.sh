#!/usr/bin/env bash
# Builds llama-reference against a llama.cpp build made with static libraries, for instance:
#   cmake -S $LLAMA_SRC -B $LLAMA_BUILD -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
#         -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF
#   cmake --build $LLAMA_BUILD -j2 --target llama
# usage: scripts/llama-reference/build.sh [LLAMA_SRC] [LLAMA_BUILD] [OUT]
#   defaults: the llama.cpp vendored in llama-cpp-python 0.3.36 unpacked under /tmp/llama,
#   its build in /tmp/llama/build, output /tmp/llama/build/bin/llama-reference.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp}
build=${2:-/tmp/llama/build}
out=${3:-$build/bin/llama-reference}
libs=("$build/src/libllama.a" "$build/ggml/src/libggml.a" "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a")
for l in "${libs[@]}"; do [[ -f $l ]] || { echo "missing $l: build llama.cpp with -DBUILD_SHARED_LIBS=OFF first" >&2; exit 1; }; done
mkdir -p "$(dirname "$out")"
${CXX:-g++} -O2 -std=c++17 -I"$src/include" -I"$src/ggml/include" "$here/llama-reference.cpp" \
    -Wl,--start-group "${libs[@]}" -Wl,--end-group -fopenmp -lpthread -ldl -o "$out"
echo "$out"
