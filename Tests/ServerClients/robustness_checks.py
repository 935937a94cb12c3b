"""Malformed input, the wait queue (429) and client disconnects, against a running
`kinglet serve --parallel 1 --queue 1` (no API key). Usage: robustness_checks.py BASE_URL MODEL"""
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

import openai
from common import check, finish, is_openai_error, metric, raw, wait_until

base, model = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=120)
chat = "/v1/chat/completions"
ok_body = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4, "temperature": 0}

# --- malformed input: each a 4xx in OpenAI's shape, and the server keeps serving
cases = [
    ("broken JSON", b'{"model": "x", "messages": [', 400),
    ("not JSON at all", b"\x00\xff\xfe garbage", 400),
    ("empty body", b"", 400),
    ("JSON array body", b"[1, 2, 3]", 400),
    ("messages is a string", {"messages": "hello"}, 400),
    ("messages missing", {"model": model}, 400),
    ("content is a number", {"messages": [{"role": "user", "content": 5}]}, 400),
    ("role missing", {"messages": [{"content": "hi"}]}, 400),
    ("empty messages", {"messages": []}, 400),
    ("unknown role", {"messages": [{"role": "wizard", "content": "hi"}]}, 400),
    ("image part", {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, 400),
    ("max_tokens negative", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": -5}, 400),
    ("max_tokens a string", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": "ten"}, 400),
    ("stop a number", {"messages": [{"role": "user", "content": "hi"}], "stop": 7}, 400),
    ("temperature NaN-ish", {"messages": [{"role": "user", "content": "hi"}], "temperature": 1e308 * 10}, 400),
    ("top_logprobs without logprobs", {"messages": [{"role": "user", "content": "hi"}], "top_logprobs": 2}, 400),
    ("n = 0", {"messages": [{"role": "user", "content": "hi"}], "n": 0}, 400),
    ("unknown model", {"model": "gpt-17", "messages": [{"role": "user", "content": "hi"}]}, 404),
    ("1 MB+ body", {"messages": [{"role": "user", "content": "a" * (1 << 20)}]}, 413),
    ("5 MB body", b"{" + b" " * (5 << 20) + b"}", 413),
]
for name, body, want in cases:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, got = raw(base, "POST", chat, body=payload)
    check(status == want and is_openai_error(got), f"{name}: {status} (want {want}) {got[:160]!r}")
for name, body, want in [("completions: prompt missing", {"model": model}, 400),
                         ("completions: prompt list of two", {"prompt": ["a", "b"]}, 400),
                         ("completions: logprobs 99", {"prompt": "a", "logprobs": 99}, 400)]:
    status, _, got = raw(base, "POST", "/v1/completions", body=body)
    check(status == want and is_openai_error(got), f"{name}: {status} (want {want})")
status, _, got = raw(base, "GET", chat)
check(status in (404, 405) and is_openai_error(got), f"GET on a POST route: {status}")
status, _, got = raw(base, "DELETE", "/v1/models")
check(400 <= status < 500 and is_openai_error(got), f"DELETE /v1/models: {status}")

# a slow, truncated body: the client sends half of what Content-Length says and hangs up
u = urllib.parse.urlparse(base)
s = socket.create_connection((u.hostname, u.port), timeout=10)
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"messages\": [")
s.close()

status, _, _ = raw(base, "GET", "/health")
check(status == 200, "still healthy after malformed input")
status, _, got = raw(base, "POST", chat, body=ok_body)
check(status == 200 and json.loads(got)["choices"][0]["message"]["content"] is not None, "still generating after malformed input")

# --- 429: one slot (busy with a stream), one queue place (taken), the next request is refused
active = lambda: metric(base, "kinglet_active_sequences")
queued = lambda: metric(base, "kinglet_queue_depth")
cancelled = lambda: metric(base, 'kinglet_generations_total{reason="cancelled"}')
cancelled0 = cancelled()
count = {"role": "user", "content": "Count from 1 to 1000, separated by commas."}
stream = client.chat.completions.create(model=model, messages=[count], max_tokens=2000, temperature=0, stream=True)
it = iter(stream)
next(it)
next(it)  # generating now
check(active() == 1, "one sequence active")
queued_result = {}
def waiter():
    try:
        queued_result["r"] = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
    except Exception as e:  # noqa: BLE001
        queued_result["e"] = e
t = threading.Thread(target=waiter)
t.start()
check(wait_until(lambda: queued() == 1, 10), "second request waits in the queue")
try:
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
    check(False, "third request: 429")
except openai.RateLimitError as e:
    check(e.status_code == 429 and e.body.get("code") == "queue_full", f"third request: 429 {e.body}")

# --- a streaming client that disconnects frees its slot; the queued request then runs
stream.close()
check(wait_until(lambda: cancelled() == cancelled0 + 1, 10), "closed stream: generation cancelled")
t.join(60)
check("r" in queued_result and queued_result["r"].choices[0].message.content is not None, "queued request served after the slot freed")
check(wait_until(lambda: active() == 0 and queued() == 0, 10), "nothing active or queued")

# --- a non-streaming client that hangs up cancels its generation too
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
conn.request("POST", "/v1/completions", body=json.dumps({"prompt": "1, 2, 3, 4, 5, 6, 7, 8,", "max_tokens": 3000, "temperature": 0}),
             headers={"Content-Type": "application/json"})
check(wait_until(lambda: active() == 1, 10), "non-streaming generation running")
time.sleep(0.5)
conn.sock.shutdown(socket.SHUT_RDWR)
conn.close()
check(wait_until(lambda: cancelled() == cancelled0 + 2, 10), "hung-up non-streaming request: generation cancelled")
check(wait_until(lambda: active() == 0, 10), "its slot is free")

status, _, got = raw(base, "POST", chat, body=ok_body)
check(status == 200, "serving normally at the end")
finish()
