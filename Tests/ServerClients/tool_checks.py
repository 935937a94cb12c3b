"""Structured output and tool calls through the official openai client against a running
`kinglet serve`: `chat.completions.parse` into a Pydantic model, tool calls with `required`, a
named function and `auto` (parsed by the client into typed arguments), streamed tool-call deltas,
and a round trip of a function's result. Usage: tool_checks.py BASE_URL MODEL"""
import json
import sys
from typing import Literal

import openai
from pydantic import BaseModel

from common import check, finish

base, model = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=180)


class Pick(BaseModel):
    colour: Literal["red", "green", "blue"]
    count: int


class GetWeather(BaseModel):
    """The current weather in a city."""
    city: str
    unit: Literal["celsius", "fahrenheit"]


# --- response_format from a Pydantic model (the client sends a strict json_schema and parses)
for seed in (1, 2):
    r = client.chat.completions.parse(model=model, messages=[{"role": "user", "content": "Pick a colour and a number."}],
                                      response_format=Pick, max_tokens=96, temperature=0.8, seed=seed)
    m = r.choices[0].message
    check(r.choices[0].finish_reason == "stop" and isinstance(m.parsed, Pick),
          f"parse(response_format=Pick) seed {seed}: {m.parsed!r} from {m.content!r}")

# --- tools: required, then a named function; the client parses arguments into GetWeather
weather = openai.pydantic_function_tool(GetWeather)
ask = [{"role": "user", "content": "What is the weather in Paris?"}]
for choice in ("required", {"type": "function", "function": {"name": "GetWeather"}}):
    r = client.chat.completions.parse(model=model, messages=ask, tools=[weather], tool_choice=choice,
                                      parallel_tool_calls=False, max_tokens=128, temperature=0)
    c = r.choices[0]
    calls = c.message.tool_calls or []
    check(c.finish_reason == "tool_calls" and len(calls) == 1, f"tool_choice={choice}: one call, finish_reason {c.finish_reason}")
    if calls:
        call = calls[0]
        check(call.id.startswith("call_") and call.type == "function" and call.function.name == "GetWeather",
              f"call id/type/name: {call.id} {call.type} {call.function.name}")
        check(isinstance(call.function.parsed_arguments, GetWeather), f"arguments parse as GetWeather: {call.function.arguments}")

# --- streamed tool-call deltas join to valid arguments
stream = client.chat.completions.create(model=model, messages=ask, tools=[weather], tool_choice="required",
                                        parallel_tool_calls=False, max_tokens=128, temperature=0, stream=True)
names, args, finish_reason = {}, {}, None
for chunk in stream:
    if not chunk.choices:
        continue
    d = chunk.choices[0]
    finish_reason = d.finish_reason or finish_reason
    for t in d.delta.tool_calls or []:
        if t.function and t.function.name:
            names[t.index] = t.function.name
        args[t.index] = args.get(t.index, "") + ((t.function and t.function.arguments) or "")
check(finish_reason == "tool_calls" and names == {0: "GetWeather"}, f"streamed call: {names} finish_reason {finish_reason}")
try:
    GetWeather.model_validate_json(args.get(0, ""))
    check(True, f"streamed arguments validate: {args.get(0)!r}")
except Exception as e:  # noqa: BLE001 - any validation failure is the check failing
    check(False, f"streamed arguments validate: {args.get(0)!r}: {e}")

# --- round trip: the call and its result go back; auto lets the model answer or call again
r = client.chat.completions.create(model=model, messages=ask, tools=[weather], tool_choice="required",
                                   parallel_tool_calls=False, max_tokens=128, temperature=0)
call = (r.choices[0].message.tool_calls or [None])[0]
if check(call is not None, "a call to answer"):
    history = ask + [r.choices[0].message.model_dump(exclude_none=True),
                     {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature": 18, "sky": "sunny"})}]
    r2 = client.chat.completions.create(model=model, messages=history, tools=[weather], tool_choice="auto",
                                        max_tokens=160, temperature=0)
    c2 = r2.choices[0]
    ok = (c2.finish_reason == "tool_calls" and bool(c2.message.tool_calls)) or \
         (c2.finish_reason in ("stop", "length") and isinstance(c2.message.content, str) and not c2.message.tool_calls)
    check(ok, f"auto after the result: {c2.finish_reason} {c2.message.content!r} {c2.message.tool_calls}")
    r3 = client.chat.completions.create(model=model, messages=history, tools=[weather], tool_choice="none",
                                        max_tokens=48, temperature=0)
    check(not r3.choices[0].message.tool_calls and bool(r3.choices[0].message.content),
          f"tool_choice none: text {r3.choices[0].message.content!r}")

# --- a schema keyword that cannot be enforced is refused up front
try:
    client.chat.completions.create(model=model, messages=ask, max_tokens=8, tools=[{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "patternProperties": {"^x": {}}}}}])
    check(False, "unsupported parameters keyword: 400")
except openai.BadRequestError as e:
    check("patternProperties" in str(e), f"unsupported parameters keyword: 400 naming it ({e.message[:80]})")

finish()
