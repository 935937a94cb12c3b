#!/usr/bin/env python3
"""Build a throw-away case folder from real chat templates, to check Kinglet against jinja2
beyond the committed cases:

    python3 scripts/make-template-corpus.py DIR_WITH_JINJA_FILES /tmp/corpus
    python3 scripts/render-templates-jinja2.py /tmp/corpus
    KINGLET_TEMPLATE_CASES=/tmp/corpus swift test --scratch-path .build-j --filter KingletChatTemplateTests

Each template FAMILY.jinja gets FAMILY--CONVERSATION.json contexts, shaped as
transformers' apply_chat_template passes them (tools=None and documents=None when absent).
"""
import json
import pathlib
import re
import shutil
import sys

SYSTEM = {"role": "system", "content": "You are a careful assistant."}
USER1 = {"role": "user", "content": "Hi! What is 2+2?"}
ASSISTANT1 = {"role": "assistant", "content": "It is 4."}
USER2 = {"role": "user", "content": "Now in «French», please.\n"}
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City"}},
                       "required": ["city"]}}}
CALL = {"role": "assistant", "content": "", "tool_calls": [{"id": "call12345", "type": "function",
        "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}
RESULT = {"role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": "{\"temp\": 18}"}

CONVERSATIONS = {
    "user": ([USER1], True, None),
    "system-multiturn": ([SYSTEM, USER1, ASSISTANT1, USER2], True, None),
    "no-generation": ([USER1, ASSISTANT1], False, None),
    "tools": ([SYSTEM, USER1, CALL, RESULT, {"role": "assistant", "content": "18 degrees."}], True, [TOOL]),
    "reasoning": ([USER1, dict(ASSISTANT1, reasoning_content="Add them."), USER2], True, None),
}


def main() -> int:
    source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    for template in sorted(source.glob("*.jinja")):
        family = re.sub(r"[^A-Za-z0-9._]+", "_", template.stem)
        shutil.copy(template, target / f"{family}.jinja")
        for name, (messages, generation, tools) in CONVERSATIONS.items():
            context = {"messages": messages, "tools": tools, "documents": None,
                       "add_generation_prompt": generation, "bos_token": "<s>", "eos_token": "</s>"}
            (target / f"{family}--{name}.json").write_text(json.dumps(context, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
