#!/usr/bin/env bash
# Tests CKingletKernels' AArch64 kernels on an x86-64 machine. Cross-compiles the real sources
# (Sources/CKingletKernels/*.c at -O3, as Package.swift builds them) and Tests/ArmKernels with
# clang --target=aarch64-linux-gnu, links them statically with Debian's aarch64 gcc, and runs the
# checks under qemu twice:
#   -cpu max          NEON + dot product: the neon and neon-dotprod kernel sets
#   -cpu cortex-a53   NEON only: the dotprod kernels are reported as skipped, never executed
# Then builds the same checks natively and runs them on the x86 twins (avx2, and avx512-vnni where
# the CPU has it): the same seeded cases (the inputs+references digest must match across all
# three runs) held to the same scalar references, so the two ports stay in step.
#
# Usage: scripts/test-arm-kernels.sh [--self-check]
#   --self-check  also breaks the kernels on purpose (sed on copies in the temp dir; Sources is
#                 never touched) and fails unless the checks catch every mutant.
# Needs clang (Swift's is enough), aarch64-linux-gnu-gcc and qemu-aarch64:
#   apt-get update && apt-get install -y gcc-aarch64-linux-gnu qemu-user
# The last line is `N passed, 0 failed` (N summed over the three runs); any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

self_check=0
case "${1:-}" in
    "") ;;
    --self-check) self_check=1 ;;
    *) echo "usage: $0 [--self-check]" >&2; exit 2 ;;
esac

clang="${CLANG:-$(command -v clang || echo /opt/swift/usr/bin/clang)}"
missing=()
[[ -x "$clang" ]] || missing+=("clang (Swift's toolchain has one; or set CLANG=...)")
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=("aarch64-linux-gnu-gcc (apt package gcc-aarch64-linux-gnu)")
command -v qemu-aarch64 >/dev/null || missing+=("qemu-aarch64 (apt package qemu-user)")
if ((${#missing[@]})); then
    echo "error: the AArch64 kernel tests need a cross toolchain and qemu; missing:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "install them with: apt-get update && apt-get install -y gcc-aarch64-linux-gnu qemu-user" >&2
    exit 1
fi

work="$(mktemp -d -t kinglet-arm-kernels.XXXXXX)"
trap 'rm -rf "$work"' EXIT
test_sources=(Tests/ArmKernels/kernel_checks.c)
test_flags=(-O2 -ffp-contract=off -Wall -Wextra)   # the reference rounds alike on both ISAs

# build <kernel source dir> <out dir> <aarch64|native>: the kernels as Package.swift compiles them
# (every .c, -O3; files for the other ISA compile to nothing), the checks, one static binary.
build() {
    local src="$1" out="$2" arch="$3" f
    local target=() link=("$clang")
    [[ "$arch" == aarch64 ]] && target=(--target=aarch64-linux-gnu) && link=(aarch64-linux-gnu-gcc -static)
    mkdir -p "$out"
    for f in "$src"/*.c; do
        "$clang" "${target[@]}" -O3 -I"$src/include" -c "$f" -o "$out/$(basename "$f" .c).o"
    done
    for f in "${test_sources[@]}"; do
        "$clang" "${target[@]}" "${test_flags[@]}" -I"$src/include" -c "$f" -o "$out/test_$(basename "$f" .c).o"
    done
    "${link[@]}" -o "$out/kernel-checks" "$out"/*.o -lm
}

# run <label> <command...>: prints the checks' output; fails unless it exits 0 and ends with
# `N passed, 0 failed`. Leaves the output in $work/<label>.log.
total=0
run() {
    local label="$1"; shift
    echo "== $label: $*"
    local rc=0
    "$@" >"$work/$label.log" 2>&1 || rc=$?
    cat "$work/$label.log"
    local last
    last="$(tail -n 1 "$work/$label.log")"
    if ((rc != 0)) || ! [[ "$last" =~ ^([0-9]+)\ passed,\ 0\ failed$ ]]; then
        echo "error: $label failed (exit $rc)" >&2
        exit 1
    fi
    total=$((total + BASH_REMATCH[1]))
}

digest() { grep '^inputs+references fnv1a64 ' "$work/$1.log"; }

start=$SECONDS
echo "== build: $("$clang" --version | head -n 1)"
build Sources/CKingletKernels "$work/aarch64" aarch64
build Sources/CKingletKernels "$work/native" native
echo "== built in $((SECONDS - start)) s"

run qemu-max qemu-aarch64 -cpu max "$work/aarch64/kernel-checks" --expect-dotprod
run qemu-cortex-a53 qemu-aarch64 -cpu cortex-a53 "$work/aarch64/kernel-checks" --expect-no-dotprod
run x86-twins "$work/native/kernel-checks"

if [[ "$(digest qemu-max)" != "$(digest qemu-cortex-a53)" || "$(digest qemu-max)" != "$(digest x86-twins)" ]]; then
    echo "error: the runs did not check the same inputs and references:" >&2
    grep -H '^inputs+references' "$work"/*.log >&2
    exit 1
fi
echo "== same inputs and references on AArch64 and x86-64: $(digest qemu-max)"

if ((self_check)); then
    # Each mutant changes one constant in a copy of the sources; the checks must fail on it.
    files=() exprs=() whats=()
    mutant() { files+=("$1"); exprs+=("$2"); whats+=("$3"); }
    mutant arm_quant_tile.h 's/vdupq_n_s8(8)/vdupq_n_s8(7)/g' "Q4_0 nibble offset 8 -> 7 (both NEON tile sets)"
    mutant arm_neon.c 's#const float d = amax / 127;#const float d = amax / 126;#' "activation scale amax/127 -> amax/126"
    mutant arm_neon.c 's#for (int64_t j = i; j < k; j++) s +=#for (int64_t j = i + 1; j < k; j++) s +=#' \
        "float tile tail skips its first element"
    mutant tile_walk.h 's#for (; r < kk_r1; r++) TILE(1, 1, r, 0);#for (; r <= kk_r1; r++) TILE(1, 1, r, 0);#' \
        "every tiled matvec writes one row past r1 (the walk all tile templates share)"
    mutant arm_neon.c 's#const float id = d != 0 ? 1.0f / d : 0.0f;#const float id = amax != 0 ? 127.0f / amax : 0.0f;#' \
        "ARM quantizer rounds like x86 (x * 127/amax instead of x * 1/d)"
    mutant arm_neon.c 's#vdotq_s32((acc), (a), (b))#vdotq_s32((acc), (a), (a))#' \
        "SDOT multiplies the weights by themselves (neon-dotprod only)"
    # the low-bit K-quants (Q2_K, Q3_K, Q5_K x Q8_K)
    mutant kquants_low.h 's#mn\[g\] = (int16_t)(4 \* sc\[g\]);#mn[g] = (int16_t)(3 * sc[g]);#' \
        "Q3_K weights offset by 3 instead of 4 (every K-quant tile set)"
    mutant kquants_low.h 's#((a\[i \& 1\] >> (4 \* (i >> 1)))#((a[i >> 1] >> (4 * (i \& 1)))#' \
        "Q3_K scales' low nibbles read transposed"
    mutant arm_kquants_low.h 's#KK_SHR(qh, 2 \* j + 1), one), 4)#KK_SHR(qh, 2 * j), one), 4)#' \
        "Q5_K odd sub-blocks take the even sub-block's fifth bit"
    mutant arm_kquants_low_tile.h 's#vcvtq_f32_s32(c), -(mw \* dx))#vcvtq_f32_s32(c), mw * dx)#' \
        "Q2_K/Q5_K mins added instead of subtracted"
    mutant tile_walk.h 's#case 3: TILE(RT, 3, r, t); break;#case 3: TILE(RT, 2, r, t); break;#' \
        "every tiled gemm drops the third token of a 3-token tail"
    # Q5_0 x Q8_0 and Q5_1 x Q8_1 (the 4/8-bit tile template, both NEON tile sets)
    mutant arm_quant_tile.h 's/vdupq_n_s8(16)/vdupq_n_s8(15)/g' "Q5_0 offset 16 -> 15"
    mutant arm_quant_tile.h 's#vcreate_u8(0x8040201008040201ull)#vcreate_u8(0x0102040810204080ull)#' \
        "Q5 fifth bits taken from each qh byte in reversed bit order"
    mutant arm_quant_tile.h 's#vdup_n_u8(qh\[2\]), bitsel), vtst_u8(vdup_n_u8(qh\[3\])#vdup_n_u8(qh[3]), bitsel), vtst_u8(vdup_n_u8(qh[2])#' \
        "Q5 elements 16-31 take their fifth bits from qh[3], qh[2] swapped"
    mutant arm_quant_tile.h 's#(kind == KK_Q5_0 ? 2 : 4)#(kind == KK_Q5_0 ? 2 : 2)#' \
        "Q5_1 reads qh at Q5_0's offset (over its m)"
    mutant arm_quant_tile.h 's#kind == KK_Q5_1 ? 24 : 34#kind == KK_Q5_1 ? 22 : 34#' \
        "Q5_1 blocks strided 22 bytes (Q5_0's) instead of 24"
    mutant arm_quant_tile.h 's#if (has_m) msum\[r\]\[t\] +=#if (kind == KK_Q4_1) msum[r][t] +=#' \
        "Q5_1 drops its m_w * s_x term"
    # attention over a Q8_0 / Q4_0 KV cache (arm_kv_blocks.c, kv_accum_template.h)
    mutant arm_kv_blocks.c 's/vdupq_n_s8(8)/vdupq_n_s8(7)/g' "KV cache Q4_0 nibble offset 8 -> 7"
    mutant arm_kv_blocks.c 's#kk_kv_half(kb + (TYPE_BYTES) \* b) \* kk_kv_half(qb + 34 \* b)#kk_kv_half(kb + (TYPE_BYTES) * b)#' \
        "KV scores drop the query's block scale"
    mutant kv_accum_template.h 's#FMA(s, x\[i\], acc\[PER \* g + i\])#FMA(s, x[i ^ 1], acc[PER * g + i])#' \
        "KV value sum adds neighbouring elements swapped (the template every ISA instantiates)"
    mutant arm_kv_blocks.c 's#KK_SDOT(acc, a, b) vdotq_s32((acc), (a), (b))#KK_SDOT(acc, a, b) vdotq_s32((acc), (a), (a))#' \
        "KV scores' SDOT multiplies the keys by themselves (neon-dotprod only)"
    for i in "${!files[@]}"; do
        file="${files[$i]}" what="${whats[$i]}" src="$work/mutant$i/src"
        mkdir -p "$src"
        cp -R Sources/CKingletKernels/. "$src"
        sed -i -e "${exprs[$i]}" "$src/$file"
        if cmp -s "Sources/CKingletKernels/$file" "$src/$file"; then
            echo "error: self-check mutant $((i + 1)) ($what) no longer applies to $file; update it" >&2
            exit 1
        fi
        build "$src" "$work/mutant$i" aarch64
        rc=0
        qemu-aarch64 -cpu max "$work/mutant$i/kernel-checks" >"$work/mutant$i.log" 2>&1 || rc=$?
        if ((rc == 0)); then
            echo "error: self-check mutant $((i + 1)) ($what) was NOT caught:" >&2
            cat "$work/mutant$i.log" >&2
            exit 1
        fi
        echo "== self-check mutant $((i + 1)), $file: $what: caught (exit $rc), $(tail -n 1 "$work/mutant$i.log")"
        { grep -m 1 -E '^FAIL [^ ]+: ' "$work/mutant$i.log" || true
          grep -E '^FAIL +[^ ]+ +[0-9]+ passed' "$work/mutant$i.log" || true; } | sed 's/^/     /'
    done
fi

echo "== $((SECONDS - start)) s"
echo "$total passed, 0 failed"
