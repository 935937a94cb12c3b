// Bookkeeping for the kernel checks: one group per kernel (or harness part), pass/fail/skip
// counts, the first few failures spelled out, and a digest of every input and reference so the
// AArch64 and x86-64 runs can show they saw the same cases.
#pragma once
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[48];
    const char *detail;     // what "ok" means for this group
    int64_t passed, failed, skipped;
    const char *skip_reason;
    int exact_only;         // every check is bit-exact (no tolerance line)
    double worst, tol;      // tolerance checks: max |got − want| / Σ|terms|, and the bound
    int failures_shown;
} check_group;

enum { MAX_GROUPS = 48, MAX_FAILURES_SHOWN = 6 };
static check_group groups[MAX_GROUPS];
static int group_count;

/// The group named `name`, created on first use.
static check_group *group_named(const char *name, const char *detail) {
    for (int i = 0; i < group_count; i++)
        if (strcmp(groups[i].name, name) == 0) return &groups[i];
    if (group_count == MAX_GROUPS) { fprintf(stderr, "too many check groups\n"); exit(2); }
    check_group *g = &groups[group_count++];
    snprintf(g->name, sizeof g->name, "%s", name);
    g->detail = detail;
    g->exact_only = 1;
    return g;
}

__attribute__((format(printf, 2, 3)))
static void check_fail(check_group *g, const char *fmt, ...) {
    g->failed++;
    if (g->failures_shown++ >= MAX_FAILURES_SHOWN) return;
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s: ", g->name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void check_expect(check_group *g, int ok, const char *what) {
    if (ok) g->passed++;
    else check_fail(g, "%s", what);
}

/// One line per group: ok / FAIL / skip.
static void report_groups(void) {
    for (int i = 0; i < group_count; i++) {
        const check_group *g = &groups[i];
        if (g->passed + g->failed == 0) {
            printf("skip %-26s %" PRId64 " checks not run: this CPU lacks %s\n", g->name, g->skipped, g->skip_reason);
            continue;
        }
        printf("%-4s %-26s %5" PRId64 " passed %" PRId64 " failed  %s", g->failed ? "FAIL" : "ok", g->name,
               g->passed, g->failed, g->detail);
        if (!g->exact_only) printf("; max err %.1e x sum|terms| (tol %.0e)", g->worst, g->tol);
        printf("\n");
    }
}

// MARK: - Digest of inputs and references (FNV-1a 64)

static uint64_t case_digest = 0xCBF29CE484222325ull;

static void digest_bytes(const void *p, size_t n) {
    const uint8_t *b = (const uint8_t *)p;
    for (size_t i = 0; i < n; i++) case_digest = (case_digest ^ b[i]) * 0x100000001B3ull;
}
