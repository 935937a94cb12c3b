// llama-reference: runs llama.cpp (libllama) on a GGUF and prints what Kinglet's golden tests hold
// it to, as JSON on stdout. Built by scripts/llama-reference/build.sh against a llama.cpp build;
// never part of Kinglet itself.
//
//   llama-reference tokenize -m MODEL -f TEXT
//       {"ids": [...]}   the model's default BOS handling, special tokens parsed
//   llama-reference generate -m MODEL (-f PROMPT | --ids "1 2 3") [-n 32] [--top 10]
//       {"prompt_ids", "generated_ids", "generated_pieces_hex", "top10_logits": [{"position", "top"}]}
//       greedy decoding one token at a time, then every position from the last prompt token on
//       re-evaluated in one teacher-forced batch for the top-k logits (as Tests/Data/golden).
//   llama-reference logits -m MODEL --ids "1 2 3" [--out FILE]
//       teacher-forced logits of every position in one batch; with --out, raw little-endian f32
//       [positions, vocab] written to FILE and {"positions", "vocab"} printed.
//
// Options: -t THREADS (default 2), -c CONTEXT (default: just enough), --no-bos (tokenize/generate with -f),
//          --flash-attn auto|on|off (default auto, llama.cpp's default: on for the CPU).
#include "llama.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

static void die(const std::string & why) {
    fprintf(stderr, "llama-reference: %s\n", why.c_str());
    exit(1);
}

static std::string read_file(const std::string & path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) die("cannot read " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

static std::vector<llama_token> parse_ids(const std::string & s) {
    std::vector<llama_token> ids;
    std::stringstream ss(s);
    long v;
    while (ss >> v) ids.push_back((llama_token) v);
    return ids;
}

static std::vector<llama_token> tokenize(const llama_vocab * vocab, const std::string & text, bool add_bos) {
    int n = -llama_tokenize(vocab, text.data(), (int32_t) text.size(), nullptr, 0, add_bos, true);
    std::vector<llama_token> ids(std::max(n, 0));
    if (llama_tokenize(vocab, text.data(), (int32_t) text.size(), ids.data(), (int32_t) ids.size(), add_bos, true) != n) {
        die("tokenization failed");
    }
    return ids;
}

static std::string piece_hex(const llama_vocab * vocab, llama_token t) {
    char buf[512];
    int n = llama_token_to_piece(vocab, t, buf, sizeof buf, 0, true);
    if (n < 0) die("token piece too long");
    std::string hex;
    char h[3];
    for (int i = 0; i < n; i++) { snprintf(h, sizeof h, "%02x", (unsigned char) buf[i]); hex += h; }
    return hex;
}

static void print_ids(const char * key, const std::vector<llama_token> & ids) {
    printf("\"%s\": [", key);
    for (size_t i = 0; i < ids.size(); i++) printf("%s%d", i ? ", " : "", ids[i]);
    printf("]");
}

// Evaluates `ids` from an empty cache in one batch, logits for positions >= first_logit.
static void decode_all(llama_context * ctx, const std::vector<llama_token> & ids, size_t first_logit) {
    llama_memory_clear(llama_get_memory(ctx), true);
    llama_batch batch = llama_batch_init((int32_t) ids.size(), 0, 1);
    for (size_t i = 0; i < ids.size(); i++) {
        batch.token[i] = ids[i];
        batch.pos[i] = (llama_pos) i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = i >= first_logit;
    }
    batch.n_tokens = (int32_t) ids.size();
    if (llama_decode(ctx, batch) != 0) die("llama_decode failed");
    llama_batch_free(batch);
}

int main(int argc, char ** argv) {
    if (argc < 2) die("usage: llama-reference tokenize|generate|logits -m MODEL ...");
    std::string mode = argv[1], model_path, text_path, ids_arg, out_path;
    int n_gen = 32, top = 10, threads = 2, n_ctx = 0;
    bool no_bos = false;
    llama_flash_attn_type flash = LLAMA_FLASH_ATTN_TYPE_AUTO;
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { if (i + 1 >= argc) die("missing value for " + a); return argv[++i]; };
        if (a == "-m") model_path = next();
        else if (a == "-f") text_path = next();
        else if (a == "--ids") ids_arg = next();
        else if (a == "--out") out_path = next();
        else if (a == "-n") n_gen = atoi(next().c_str());
        else if (a == "--top") top = atoi(next().c_str());
        else if (a == "-t") threads = atoi(next().c_str());
        else if (a == "-c") n_ctx = atoi(next().c_str());
        else if (a == "--no-bos") no_bos = true;
        else if (a == "--flash-attn") {
            std::string v = next();
            if (v == "auto") flash = LLAMA_FLASH_ATTN_TYPE_AUTO;
            else if (v == "on") flash = LLAMA_FLASH_ATTN_TYPE_ENABLED;
            else if (v == "off") flash = LLAMA_FLASH_ATTN_TYPE_DISABLED;
            else die("--flash-attn takes auto, on or off");
        }
        else die("unknown option " + a);
    }
    if (model_path.empty()) die("-m MODEL is required");

    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    llama_model * model = llama_model_load_from_file(model_path.c_str(), mp);
    if (!model) die("cannot load " + model_path);
    const llama_vocab * vocab = llama_model_get_vocab(model);
    const int n_vocab = llama_vocab_n_tokens(vocab);

    std::vector<llama_token> ids;
    if (!ids_arg.empty()) ids = parse_ids(ids_arg);
    else if (!text_path.empty()) ids = tokenize(vocab, read_file(text_path), !no_bos && llama_vocab_get_add_bos(vocab));
    else die("give -f TEXT or --ids");

    if (mode == "tokenize") {
        printf("{");
        print_ids("ids", ids);
        printf("}\n");
        return 0;
    }

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t) std::max<size_t>(n_ctx, ids.size() + n_gen + 1);
    cp.n_batch = cp.n_ctx;
    cp.n_ubatch = cp.n_ctx;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.flash_attn_type = flash;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) die("cannot create a context");

    if (mode == "logits") {
        decode_all(ctx, ids, 0);
        if (!out_path.empty()) {
            FILE * f = fopen(out_path.c_str(), "wb");
            if (!f) die("cannot write " + out_path);
            for (size_t i = 0; i < ids.size(); i++) fwrite(llama_get_logits_ith(ctx, (int32_t) i), sizeof(float), n_vocab, f);
            fclose(f);
            printf("{\"positions\": %zu, \"vocab\": %d}\n", ids.size(), n_vocab);
        } else {
            printf("{\"vocab\": %d, \"logits\": [", n_vocab);
            for (size_t i = 0; i < ids.size(); i++) {
                const float * l = llama_get_logits_ith(ctx, (int32_t) i);
                printf("%s[", i ? ", " : "");
                for (int v = 0; v < n_vocab; v++) printf("%s%.7g", v ? ", " : "", l[v]);
                printf("]");
            }
            printf("]}\n");
        }
        return 0;
    }
    if (mode != "generate") die("unknown mode " + mode);

    // Greedy, one token at a time after the prompt (as llama-simple decodes).
    std::vector<llama_token> seq = ids, gen;
    decode_all(ctx, ids, ids.size() - 1);
    for (int k = 0; k < n_gen; k++) {
        const float * l = llama_get_logits_ith(ctx, -1);
        llama_token best = (llama_token) (std::max_element(l, l + n_vocab) - l);
        gen.push_back(best);
        seq.push_back(best);
        if (llama_vocab_is_eog(vocab, best)) break;
        llama_batch b = llama_batch_get_one(&seq.back(), 1);
        if (llama_decode(ctx, b) != 0) die("llama_decode failed");
    }

    printf("{");
    print_ids("prompt_ids", ids);
    printf(", ");
    print_ids("generated_ids", gen);
    printf(", \"generated_pieces_hex\": [");
    for (size_t i = 0; i < gen.size(); i++) printf("%s\"%s\"", i ? ", " : "", piece_hex(vocab, gen[i]).c_str());
    printf("], \"top%d_logits\": [", top);
    // Teacher-forced: the prompt and the continuation in one batch.
    decode_all(ctx, seq, ids.size() - 1);
    for (size_t p = ids.size() - 1, e = 0; p < seq.size(); p++, e++) {
        const float * l = llama_get_logits_ith(ctx, (int32_t) p);
        std::vector<int> order(n_vocab);
        for (int v = 0; v < n_vocab; v++) order[v] = v;
        std::partial_sort(order.begin(), order.begin() + top, order.end(),
                          [&](int a, int b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
        printf("%s{\"position\": %zu, \"top\": [", e ? ", " : "", p);
        for (int j = 0; j < top; j++) printf("%s[%d, %.7g]", j ? ", " : "", order[j], l[order[j]]);
        printf("]}");
    }
    printf("]}\n");
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
