# Generates tokenizer cases and llama.cpp's ids for them with ./tokref.
# usage: gencases.py OUT_DIR  (needs vocab-<pre>.gguf variants made by mkvariant.py)
import json, os, random, subprocess, sys, tempfile

HAND = [
    "", " ", "  ", "\n", "\n\n", " \n", "\t", "\t\t", "\r\n", "a", "a b", "a  b", "a   b", "a    b",
    "a\tb", "a\t\tb", "a \tb", "a\n b", "a \n b", "a\n\nb", "a \n\n b", "end   ", "end \n", " \n \n ",
    "   leading", "trailing   ", "x\u00a0y", "x\u00a0\u00a0y", "x\u3000y", "x\u2028y", "x\u0085y", "x\u001fy",
    "x\u000by\u000cz", "\u2003\u2003word",
    "It's", "it's", "IT'S", "we'll", "WE'LL", "they've", "They'Ve", "I'm", "I'M", "you'd", "YOU'D", "we're",
    "WE'RE", "don't", "DON'T", "'s", "'", "''", "'''s", "rock 'n' roll", "the dog's bone's", "o'clock",
    "0", "1", "12", "123", "1234", "12345", "1234567", "3.14159", "1,000,000", "-42", "+7", "1e10",
    "x1y2z3", " 9", "  9", "a  1", "a 1", "½ ¾ ⅓", "x²+y³", "Ⅻ Ⅳ", "٣٤٥", "१२३", "１２３", "①②",
    "Hello, World!", "Hello world.", "hello   world", "(hello)", "[hello]", "{hello}", "\"quoted\"",
    "«guillemets»", "—dash—", "…", "a...b", "?!", " ?", "Wait ... what ?", "x = y + z", "a->b", "a=>b",
    "foo_bar_baz", "camelCaseWord", "snake_case_123", "http://example.com/path?q=1&r=2",
    "user@example.com", "#hashtag", "@mention", "$100", "100%", "C++", "C#", "f(x)=x^2",
    "def f(x):\n    return x + 1\n", "if (a && b) { c(); }", "    indented\n        more\n",
    "\tint main() {\n\t\treturn 0;\n\t}\n", "<div class=\"a\">text</div>", "SELECT * FROM t;",
    "Ünïcödé", "naïve café", "Straße", "İstanbul", "ǅ ǈ ǋ", "Ελληνικά", "Русский язык", "עברית", "العربية",
    "हिन्दी", "ภาษาไทย", "中文字符", "日本語のテキスト", "한국어 텍스트", "Tiếng Việt", "ქართული",
    "e\u0301", "a\u0300\u0301\u0302", "\u0301start", "x\u200by", "x\u200dy", "\ufeffbom",
    "😀", "😀😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷🇩🇪", "❤️", "a😀b", " 😀", "😀 ", "🎉 party 🎉",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟘𝟙𝟚", "𐍈", "\U0001F9D1\u200D\U0001F4BB",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "a<|im_end|>b", "a <|im_end|> b", "<|im_start|><|im_end|>", "<|im_start|>x<|im_start|>",
    "<|im_start", "im_start|>", "<|im_start|", "<<|im_end|>>", "<|<|im_end|>|>", "<|endoftext|><|endoftext|>",
    "<repo_name>x<file_sep>y<filename>z", "<fim_prefix>a<fim_suffix>b<fim_middle>",
    "<jupyter_code>print(1)<jupyter_output>1", "<empty_output>", "text<gh_stars>5",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ababababababababababababababab", "          ", "\n\n\n\n\n\n", "!!!!!!!!!!", "..........",
    "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX! the_quick-brown.fox",
    "\u0000", "a\u0000b", "\u0001\u0002\u0003", "\u007f", "\u0080\u0081", "\u00ad",
    "</s> x", "<s> a </s> b", "x </s>\n\ny", "<|end|>\n<|user|>\nhi<|end|>\n<|assistant|>\n",
    "<|eot_id|> \n next", "<|begin_of_text|>  hi", "<mask> m", "a <unk> b",
    "\u1c89\u1c8a", "x\U0001FAE8y", "\u0c5c\u0c5d", "\U00016D40\U00016D41",
]

POOL = (list("abcXYZ019 '\t\n\r.,!?-_()<>|") + ["  ", "'s", "'LL", "\u00a0", "\u3000", "é", "ß", "中", "😀",
        "👍🏽", "\u200d", "½", "²", "١", "<|im_start|>", "<|im_end|>", "<|", "|>", "\u0301", "Ω", "ǅ", "\u2028"])

def rand_wide(n, seed):
    """Random strings over the whole code space, special-token texts and whitespace."""
    rng = random.Random(seed)
    def cp():
        r = rng.random()
        if r < 0.3: return chr(rng.randint(0x20, 0x7e))
        if r < 0.4: return rng.choice([" ", "  ", "\n", "\t", "\r\n", "'", "'s", "'LL", "\u00a0", "\u3000", "\u2028", "\u0085"])
        if r < 0.5: return rng.choice(["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|begin_of_text|>", "<|eot_id|>",
                                       "<s>", "</s>", "<unk>", "<|end|>", "<|user|>", "<|", "|>", "<|im_"])
        if r < 0.6: return chr(rng.randint(0x80, 0x2fff))
        if r < 0.7: return chr(rng.randint(0x3000, 0xd7ff))
        if r < 0.8: return chr(rng.randint(0xe000, 0xffff))
        if r < 0.9: return chr(rng.randint(0x10000, 0x10ffff))
        return rng.choice(["\u1c89", "\U0001FAE8", "\u0c5c", "\U00016D40", "\u0897", "\u2c2f"])  # Unicode 16/17
    return ["".join(cp() for _ in range(rng.randint(1, 40))) for _ in range(n)]

def rand_cases(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(1, 24)
        out.append("".join(rng.choice(POOL) for _ in range(k)))
    return out

def run(model, texts, flags):
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, t in enumerate(texts):
            p = os.path.join(d, f"{i}.txt")
            with open(p, "wb") as f:
                f.write(t.encode("utf-8"))
            paths.append(p)
        res = subprocess.run(["./tokref", model] + flags + paths, capture_output=True, check=True)
        lines = res.stdout.decode().split("\n")[:len(texts)]
        return [[int(x) for x in l.split()] for l in lines]

def detok(model, texts):
    """llama.cpp's detokenization of each text's ids (remove_special false, unparse_special true)."""
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, t in enumerate(texts):
            p = os.path.join(d, f"{i}.txt")
            with open(p, "wb") as f:
                f.write(t.encode("utf-8"))
            paths.append(p)
        res = subprocess.run(["./tokref", model, "--detok"] + paths, capture_output=True, check=True)
        return res.stdout.decode().split("\n")[:len(texts)]

def case(t, a, b, h):
    c = {"text": t, "ids": a, "ids_no_special": b}
    if bytes.fromhex(h) != t.encode("utf-8"):
        c["decoded_hex"] = h  # only where decoding does not give the text back
    return c

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    texts = HAND + rand_cases(400, 1234) + rand_wide(150, 4321)
    for pre in ["smollm", "gpt-2", "llama-bpe", "qwen2"]:
        model = f"vocab-{pre}.gguf"
        ids = run(model, texts, [])
        raw = run(model, texts, ["--nospecial"])
        cases = [case(t, a, b, h) for t, a, b, h in zip(texts, ids, raw, detok(model, texts))]
        with open(os.path.join(out, f"{pre}.json"), "w", encoding="utf-8") as f:
            f.write('{"pre": %s,\n"producer": "llama.cpp 0c1e570, llama_tokenize(add_special: true, parse_special: true / false)",\n"cases": [\n' % json.dumps(pre))
            f.write(",\n".join(json.dumps(c, ensure_ascii=True) for c in cases))
            f.write("\n]}\n")
        print(pre, len(cases))

if __name__ == "__main__":
    main()
