// Reference tokenizer: prints llama.cpp's ids for each file given (one line per file).
// usage: tokref MODEL [--eog] [--nospecial] [--noadd] FILE...
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void quiet(enum ggml_log_level l, const char *t, void *u) { (void)l; (void)t; (void)u; }
int main(int argc, char **argv) {
    llama_log_set(quiet, NULL);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.vocab_only = true;
    struct llama_model *m = llama_model_load_from_file(argv[1], mp);
    if (!m) { fprintf(stderr, "load failed\n"); return 1; }
    const struct llama_vocab *v = llama_model_get_vocab(m);
    int parse_special = 1, add_special = 1, detok = 0;
    for (int a = 2; a < argc; a++) {
        if (!strcmp(argv[a], "--eog")) {
            int n = llama_vocab_n_tokens(v);
            for (int i = 0; i < n; i++) if (llama_vocab_is_eog(v, i)) printf("%d ", i);
            printf("\n"); continue;
        }
        if (!strcmp(argv[a], "--nospecial")) { parse_special = 0; continue; }
        if (!strcmp(argv[a], "--noadd")) { add_special = 0; continue; }
        if (!strcmp(argv[a], "--detok")) { detok = 1; continue; }
        FILE *f = fopen(argv[a], "rb"); if (!f) { perror(argv[a]); return 1; }
        fseek(f, 0, SEEK_END); long len = ftell(f); fseek(f, 0, SEEK_SET);
        char *buf = malloc(len + 1); fread(buf, 1, len, f); fclose(f);
        int cap = len * 2 + 16; llama_token *ids = malloc(sizeof(llama_token) * cap);
        int n = llama_tokenize(v, buf, (int)len, ids, cap, add_special, parse_special);
        if (detok) {
            // the detokenized text (remove_special: false, unparse_special: true), as hex
            int cap2 = len * 4 + 64; char *out = malloc(cap2);
            int m = llama_detokenize(v, ids, n, out, cap2, false, true);
            for (int i = 0; i < m; i++) printf("%02x", (unsigned char)out[i]);
            free(out);
        } else {
            for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
        }
        printf("\n");
        free(ids); free(buf);
    }
    return 0;
}
