#!/usr/bin/env bash
# Abuses `kinglet serve` on loopback with hostile clients, all at once, and checks it stays up and
# correct: 64 concurrent streaming chats (each compared with the same prompt answered alone,
# greedy), 1,000 idle sockets, a slowloris, and one request that trips a hostile chat template
# (only when a message says BOOM, it builds a 30 MB string 400,000 times: within the interpreter's
# iteration limit, hours of work). Then a normal request must still succeed. Bounded in time;
# stops the server itself; exits 1 on any failure.
#
# Usage: scripts/abuse-serve.sh            (the server is built already: swift build -c release)
# Environment: KINGLET (the executable; default .build/release/kinglet),
#   KINGLET_ABUSE_MODEL (default smollm2-135m), ABUSE_DEADLINE (seconds for the clients, default 400),
#   ABUSE_SERVE_ARGS (extra `kinglet serve` flags).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kinglet=${KINGLET:-}
if [[ -z $kinglet ]]; then
    for candidate in "$root/.build/release/kinglet"; do
        [[ -x $candidate ]] && { kinglet=$candidate; break; }
    done
fi
[[ -n $kinglet && -x $kinglet ]] || { echo "abuse-serve: no kinglet executable; build it (swift build -c release --product kinglet) or set KINGLET" >&2; exit 1; }
model=${KINGLET_ABUSE_MODEL:-smollm2-135m}
deadline=${ABUSE_DEADLINE:-400}

# 1,000 idle sockets on the client side, as many on the server's: both inherit this limit.
hard=$(ulimit -Hn)
want=4096
if [[ $hard == unlimited || $hard -ge $want ]]; then ulimit -n $want; else ulimit -n "$hard"; fi
if [[ $(ulimit -n) -lt 1200 ]]; then
    echo "abuse-serve: FAIL the open-file limit is $(ulimit -n) (hard $hard); 1,000 idle sockets need about 1,200" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kinglet-abuse.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -INT "$server_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# ChatML like SmolLM2's; hostile only when a message contains BOOM.
cat > "$work/hostile.jinja" <<'TEMPLATE'
{%- for message in messages -%}
{%- if 'BOOM' in message.content -%}
{%- for i in range(400000) -%}{%- set ballast = ('BOOM' * 7500000) | length -%}{%- endfor -%}
{%- endif -%}
<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
{% endfor -%}
{%- if add_generation_prompt %}<|im_start|>assistant
{% endif -%}
TEMPLATE

echo "abuse-serve: $kinglet serve --model $model --port 0 --parallel 16 --queue 64 --chat-template-file hostile.jinja ${ABUSE_SERVE_ARGS:-}"
# shellcheck disable=SC2086
"$kinglet" serve --model "$model" --port 0 --threads 2 --parallel 16 --queue 64 \
    --chat-template-file "$work/hostile.jinja" ${ABUSE_SERVE_ARGS:-} >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

base=
for _ in $(seq 1200); do  # the ready line, within 120 s (the model is loaded, or pulled, first)
    base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/stdout" | head -1 || true)
    [[ -n $base ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $base ]]; then
    echo "abuse-serve: FAIL the server did not become ready; its stderr:" >&2
    cat "$work/stderr" >&2
    exit 1
fi
echo "abuse-serve: serving at $base (pid $server_pid); limits: $(ulimit -n) open files"

status=0
timeout --signal=KILL $((deadline + 30)) python3 -u "$root/scripts/abuse_serve_clients.py" "$base" --deadline "$deadline" || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "abuse-serve: FAIL the server is gone; its stderr:" >&2
    tail -20 "$work/stderr" >&2
    exit 1
fi
if [[ $status -ne 0 ]]; then
    echo "abuse-serve: FAIL (clients exited $status); the server's stderr ends:" >&2
    tail -20 "$work/stderr" >&2
    exit 1
fi
echo "abuse-serve: ok (the server survived and served throughout)"
