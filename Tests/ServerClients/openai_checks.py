"""Drives a running `kinglet serve` with the official openai client: shapes, streaming, logprobs,
stop strings, usage, and every error status. Usage: openai_checks.py BASE_URL API_KEY MODEL"""
import sys

import openai
from common import check, finish, is_openai_error, raw

base, key, model = sys.argv[1], sys.argv[2], sys.argv[3]
client = openai.OpenAI(base_url=base + "/v1", api_key=key, max_retries=0, timeout=120)
auth = {"Authorization": "Bearer " + key}
hello = [{"role": "system", "content": "You are a helpful assistant."},
         {"role": "user", "content": "Name three colours."}]

# --- models
models = client.models.list()
check([m.id for m in models.data] == [model], f"models.list serves exactly {model}")

# --- non-streaming chat, greedy
r = client.chat.completions.create(model=model, messages=hello, max_tokens=24, temperature=0, seed=1)
text = r.choices[0].message.content
check(r.object == "chat.completion" and r.choices[0].message.role == "assistant", "chat completion shape")
check(isinstance(text, str) and len(text) > 0, f"chat reply is non-empty: {text!r}")
check(r.choices[0].finish_reason in ("stop", "length"), f"finish_reason {r.choices[0].finish_reason}")
u = r.usage
check(u.prompt_tokens > 10 and 0 < u.completion_tokens <= 24 and u.total_tokens == u.prompt_tokens + u.completion_tokens,
      f"usage counts {u.prompt_tokens}+{u.completion_tokens}={u.total_tokens}")

# --- streaming reassembles to the same text and usage
chunks = list(client.chat.completions.create(model=model, messages=hello, max_tokens=24, temperature=0, seed=1,
                                             stream=True, stream_options={"include_usage": True}))
streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
check(streamed == text, f"stream reassembles to the non-streamed text ({streamed!r})")
check(chunks[0].choices[0].delta.role == "assistant", "first chunk carries the role")
finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
check(len(finals) == 1 and finals[0].choices[0].finish_reason == r.choices[0].finish_reason, "one chunk with the finish_reason")
check(chunks[-1].choices == [] and chunks[-1].usage is not None
      and chunks[-1].usage.completion_tokens == u.completion_tokens and chunks[-1].usage.prompt_tokens == u.prompt_tokens,
      "include_usage: a last chunk with the same usage")
check(all(c.usage is None for c in chunks[:-1]), "usage is null before the last chunk")
cached = chunks[-1].usage.prompt_tokens_details.cached_tokens
check(cached == u.prompt_tokens - 1, f"prompt cache: the repeated prompt reuses all but its last token ({cached} of {u.prompt_tokens})")

# --- sampling with a seed: streaming and non-streaming agree
story = [{"role": "user", "content": "Tell me a short story about a kinglet."}]
a = client.chat.completions.create(model=model, messages=story, max_tokens=32, temperature=0.9, top_p=0.95, seed=1234)
b = "".join(c.choices[0].delta.content or "" for c in
            client.chat.completions.create(model=model, messages=story, max_tokens=32, temperature=0.9, top_p=0.95,
                                           seed=1234, stream=True) if c.choices)
check(a.choices[0].message.content == b, "seeded sampling: stream == non-stream")
pen = client.chat.completions.create(model=model, messages=story, max_tokens=16, temperature=0, presence_penalty=1.5,
                                     frequency_penalty=1.0, user="someone")
check(pen.choices[0].message.content != "", "presence/frequency penalties and user accepted")

# --- logprobs
lp = client.chat.completions.create(model=model, messages=hello, max_tokens=12, temperature=0, logprobs=True, top_logprobs=3)
content = lp.choices[0].logprobs.content
check(len(content) == lp.usage.completion_tokens or len(content) == lp.usage.completion_tokens - 1,
      f"one logprob entry per token ({len(content)} for {lp.usage.completion_tokens})")
check(all(e.logprob <= 0 and len(e.top_logprobs) == 3 for e in content), "logprob <= 0, 3 alternatives each")
check(all([t.logprob for t in e.top_logprobs] == sorted([t.logprob for t in e.top_logprobs], reverse=True) for e in content),
      "alternatives sorted, most likely first")
check(all(e.top_logprobs[0].token == e.token and abs(e.top_logprobs[0].logprob - e.logprob) < 1e-6 for e in content),
      "greedy: the chosen token is the top alternative")
check(bytes(b for e in content for b in e.bytes).decode("utf-8", "replace") == lp.choices[0].message.content,
      "token bytes concatenate to the content")
slp = [c for c in client.chat.completions.create(model=model, messages=hello, max_tokens=12, temperature=0, logprobs=True,
                                                 top_logprobs=2, stream=True) if c.choices and c.choices[0].logprobs]
check(len(slp) > 0 and all(len(e.top_logprobs) == 2 for c in slp for e in c.choices[0].logprobs.content), "streamed logprobs")

# --- stop strings: cut before the first occurrence, finish_reason stop
long = client.chat.completions.create(model=model, messages=hello, max_tokens=40, temperature=0).choices[0].message.content
stop = long[len(long) // 2: len(long) // 2 + 3]
cut = client.chat.completions.create(model=model, messages=hello, max_tokens=40, temperature=0, stop=[stop, "zzzz-never"])
check(cut.choices[0].message.content == long[:long.index(stop)] and cut.choices[0].finish_reason == "stop",
      f"stop {stop!r}: {cut.choices[0].message.content!r}")
scut = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
    model=model, messages=hello, max_tokens=40, temperature=0, stop=stop, stream=True) if c.choices)
check(scut == long[:long.index(stop)], "streamed stop string (single string form)")

# --- length
short = client.chat.completions.create(model=model, messages=hello, max_completion_tokens=3, temperature=0)
check(short.choices[0].finish_reason == "length" and short.usage.completion_tokens == 3, "max_completion_tokens 3: length")

# --- content as text parts
parts = client.chat.completions.create(model=model, max_tokens=24, temperature=0, seed=1, messages=[
    hello[0], {"role": "user", "content": [{"type": "text", "text": "Name three "}, {"type": "text", "text": "colours."}]}])
check(parts.choices[0].message.content == text, "content as text parts == content as a string")

# --- text completions
c1 = client.completions.create(model=model, prompt="The capital of France is", max_tokens=8, temperature=0, logprobs=2)
check(c1.object == "text_completion" and c1.choices[0].text != "", f"completion: {c1.choices[0].text!r}")
check(c1.usage.completion_tokens <= 8 and c1.usage.prompt_tokens > 0, "completion usage")
check(len(c1.choices[0].logprobs.tokens) == len(c1.choices[0].logprobs.token_logprobs) > 0
      and all(len(t) <= 2 for t in c1.choices[0].logprobs.top_logprobs), "completion logprobs")
s1 = "".join(c.choices[0].text for c in client.completions.create(
    model=model, prompt="The capital of France is", max_tokens=8, temperature=0, stream=True) if c.choices)
check(s1 == c1.choices[0].text, "streamed completion == non-streamed")

# --- error statuses through the client
def status_of(call):
    try:
        call()
        return 200
    except openai.APIStatusError as e:
        return e.status_code


check(status_of(lambda: client.chat.completions.create(model=model, messages=hello, n=2)) == 400, "n=2: 400")
check(status_of(lambda: client.chat.completions.create(model=model, messages=hello, temperature=5)) == 400, "temperature 5: 400")
check(status_of(lambda: client.chat.completions.create(model=model, messages=[])) == 400, "empty messages: 400")
check(status_of(lambda: client.chat.completions.create(model=model, messages=[{"role": "wizard", "content": "hi"}])) == 400,
      "unknown role: 400")
check(status_of(lambda: client.chat.completions.create(model="no-such-model", messages=hello)) == 404, "unknown model: 404")
bad = openai.OpenAI(base_url=base + "/v1", api_key="wrong-key", max_retries=0)
check(status_of(lambda: bad.models.list()) == 401, "wrong API key: 401")
check(status_of(lambda: client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x" * 1_200_000}])) == 413,
      "1.2 MB body: 413")
try:
    client.chat.completions.create(model=model, messages=hello, n=3)
except openai.BadRequestError as e:
    check(e.body is not None and e.body.get("param") == "n" and "1" in e.body.get("message", ""), f"400 names the field: {e.body}")

# --- raw HTTP: routes, auth, error shapes
status, _, body = raw(base, "GET", "/v1/nothing-here", headers=auth)
check(status == 404 and is_openai_error(body), "unknown route: 404 in OpenAI's shape")
status, _, body = raw(base, "GET", "/v1/models")
check(status == 401 and is_openai_error(body), "no API key: 401 in OpenAI's shape")
status, _, body = raw(base, "GET", "/health")
check(status == 200 and b'"ok"' in body, "health needs no key")
status, headers, body = raw(base, "GET", "/metrics", headers=auth)
check(status == 200 and b"kinglet_generated_tokens_total" in body and b"kinglet_queue_depth" in body, "metrics text")
finish()
