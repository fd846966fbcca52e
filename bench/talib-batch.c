/* TA-Lib's C batch functions behind the 20 FeatureVector fields, timed without any Node binding in between.
 * Built and run by indicators.bench.ts against the TA-Lib compiled by bench/install-talib.sh:
 *   talib-batch SERIES_FILE REPEATS
 * SERIES_FILE holds n high values, then n low, n close and n volume values as little-endian doubles.
 * Prints the median seconds of one pass over all functions. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ta_libc.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: talib-batch SERIES_FILE REPEATS\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  int n = (int)(bytes / (4 * sizeof(double)));
  double *data = malloc(bytes);
  if (!data || fread(data, 1, bytes, f) != (size_t)bytes) { fprintf(stderr, "short read\n"); return 1; }
  fclose(f);
  double *h = data, *l = data + n, *c = data + 2 * n, *v = data + 3 * n;
  double *o1 = malloc(n * sizeof(double)), *o2 = malloc(n * sizeof(double)), *o3 = malloc(n * sizeof(double));
  int repeats = atoi(argv[2]);
  double *times = malloc(repeats * sizeof(double));
  int b, ne;
  TA_Initialize();
  for (int r = 0; r < repeats; r++) {
    double t0 = now();
    TA_SMA(0, n - 1, c, 20, &b, &ne, o1);
    TA_EMA(0, n - 1, c, 12, &b, &ne, o1);
    TA_EMA(0, n - 1, c, 26, &b, &ne, o1);
    TA_RSI(0, n - 1, c, 14, &b, &ne, o1);
    TA_MACD(0, n - 1, c, 12, 26, 9, &b, &ne, o1, o2, o3);
    TA_BBANDS(0, n - 1, c, 20, 2, 2, TA_MAType_SMA, &b, &ne, o1, o2, o3);
    TA_ATR(0, n - 1, h, l, c, 14, &b, &ne, o1);
    TA_STOCH(0, n - 1, h, l, c, 14, 3, TA_MAType_SMA, 3, TA_MAType_SMA, &b, &ne, o1, o2);
    TA_OBV(0, n - 1, c, v, &b, &ne, o1);
    TA_ADX(0, n - 1, h, l, c, 14, &b, &ne, o1);
    TA_CCI(0, n - 1, h, l, c, 20, &b, &ne, o1);
    TA_MFI(0, n - 1, h, l, c, v, 14, &b, &ne, o1);
    TA_WILLR(0, n - 1, h, l, c, 14, &b, &ne, o1);
    TA_ROCR(0, n - 1, c, 1, &b, &ne, o1);
    TA_LN(0, ne - 1, o1, &b, &ne, o2);
    TA_STDDEV(0, ne - 1, o2, 20, 1.0, &b, &ne, o3);
    times[r] = now() - t0;
  }
  qsort(times, repeats, sizeof(double), compare);
  printf("%.9f\n", times[repeats / 2]);
  return 0;
}
