/* Data: CSV and ARFF readers (good and bad input), statistics, splits. */
#include "../harness.h"
#include "../../src/data/data_internal.h"
#include <errno.h>

static limn_ctx *ctx;

static int parse(const char *csv, const char *target, limn_dataset **ds) {
  limn_read_opts ro = limn_read_opts_default();
  ro.target = target;
  *ds = NULL;
  return limn_dataset_parse_csv(ctx, csv, strlen(csv), "t.csv", &ro, ds);
}

static void test_csv_good(void) {
  test_begin("csv good");
  limn_dataset *ds;
  const char *csv =
      "\xEF\xBB\xBFx,\"col, 2\",y\r\n1.5,\"a \"\"q\"\"\",yes\r\n-2e1,b,no\r\n\r\n3,\"a \"\"q\"\"\",yes\r\n";
  CHECK_OK(ctx, parse(csv, "y", &ds));
  if (!ds)
    return;
  const limn_schema *s = limn_dataset_schema(ds);
  CHECK_EQ(limn_dataset_nrows(ds), 3);
  CHECK_EQ(limn_schema_nfeatures(s), 2);
  CHECK(!strcmp(limn_schema_feature_name(s, 1), "col, 2"));
  CHECK_EQ(limn_schema_feature_kind(s, 0), LIMN_COL_NUMERIC);
  CHECK_EQ(limn_schema_feature_kind(s, 1), LIMN_COL_CATEGORICAL);
  CHECK(!strcmp(limn_schema_category(s, 1, 0), "a \"q\""));
  CHECK_EQ(limn_schema_nclasses(s), 2);
  CHECK(!strcmp(limn_schema_class_name(s, 0), "yes")); /* first appearance */
  const float *x = limn_dataset_x(ds), *y = limn_dataset_y(ds);
  CHECK(x[0] == 1.5f && x[2] == -20.0f && x[3] == 1.0f && x[5] == 0.0f);
  CHECK(y[0] == 0.0f && y[1] == 1.0f && y[2] == 0.0f);
  CHECK_EQ(limn_dataset_row_line(ds, 2), 5);
  limn_dataset_free(ds);
  /* quoted field spanning lines; integer target -> sorted numeric classes */
  CHECK_OK(ctx, parse("note,v,t\n\"two\nlines\",1,3\nx,2,1\nx,3,3\n", "t", &ds));
  if (ds) {
    s = limn_dataset_schema(ds);
    CHECK(!strcmp(limn_schema_class_name(s, 0), "1") && !strcmp(limn_schema_class_name(s, 1), "3"));
    CHECK(limn_dataset_y(ds)[0] == 1.0f && limn_dataset_y(ds)[1] == 0.0f);
    CHECK_EQ(limn_dataset_row_line(ds, 1), 4);
    limn_dataset_free(ds);
  }
  /* regression target: non-integer values */
  CHECK_OK(ctx, parse("a,t\n1,0.5\n2,1.5\n", "t", &ds));
  if (ds) {
    CHECK_EQ(limn_schema_task(limn_dataset_schema(ds)), LIMN_TASK_REGRESSION);
    limn_dataset_free(ds);
  }
}

static void test_csv_bad(void) {
  test_begin("csv bad");
  limn_dataset *ds;
  CHECK_ERR(ctx, parse("a,b,y\n1,2,0\n1,2\n", "y", &ds), LIMN_EPARSE,
            "t.csv line 3: expected 3 fields, got 2");
  CHECK_ERR(ctx, parse("a,y\n\"1,0\n2,1\n", "y", &ds), LIMN_EPARSE, "line 2, field 1: unbalanced quote");
  CHECK_ERR(ctx, parse("a,y\n1,0\nabc,1\n3,0\n", "y", &ds), LIMN_EPARSE,
            "line 3, column 'a': 'abc' is not a number");
  CHECK_ERR(ctx, parse("", "y", &ds), LIMN_EPARSE, "empty file");
  CHECK_ERR(ctx, parse("a,y\n", "y", &ds), LIMN_EPARSE, "header only");
  CHECK_ERR(ctx, parse("a,y\n1,0\nNaN,1\n", "y", &ds), LIMN_EPARSE,
            "line 3, column 'a': missing value 'NaN'");
  CHECK_ERR(ctx, parse("a,y\n1,0\n,1\n", "y", &ds), LIMN_EPARSE,
            "line 3, column 'a': missing value (empty field)");
  CHECK_ERR(ctx, parse("a,y\n1,0\ninf,1\n", "y", &ds), LIMN_ENONFINITE,
            "line 3, column 'a': 'inf' is not a finite number");
  CHECK_ERR(ctx, parse("a,y\n1,0\n1e999,1\n", "y", &ds), LIMN_ENONFINITE,
            "line 3, column 'a': '1e999' is not a finite number");
  CHECK_ERR(ctx, parse("a,y\n1,0\n2,1\n", "z", &ds), LIMN_ENOTFOUND,
            "unknown target column 'z' (columns (2): a, y)");
  /* close names first: the same without case, or a few edits away; every name after */
  CHECK_ERR(ctx, parse("radius,Diagnosis\n1,0\n2,1\n", "diagnosis", &ds), LIMN_ENOTFOUND,
            "(did you mean 'Diagnosis'? columns (2): radius, Diagnosis)");
  CHECK_ERR(ctx, parse("radius,diagnosis\n1,0\n2,1\n", "diagnosys", &ds), LIMN_ENOTFOUND,
            "did you mean 'diagnosis'?");
  CHECK_ERR(ctx, parse("a,y\n1,k\n2,k\n", "y", &ds), LIMN_EINVAL, "single class 'k'");
  CHECK_ERR(ctx, parse("a,a\n1,2\n", NULL, &ds), LIMN_EPARSE, "duplicate column name 'a'");
  CHECK_ERR(ctx, parse("a,y\n1\"x\",0\n", "y", &ds), LIMN_EPARSE,
            "line 2, field 1: quote inside an unquoted field");
  CHECK_ERR(ctx, parse("a,y\n\"1\"x,0\n", "y", &ds), LIMN_EPARSE, "text after the closing quote");
  CHECK_ERR(ctx, parse("a,y\n1,0\r2,1\n", "y", &ds), LIMN_EPARSE, "carriage return");
  /* NUL byte and invalid UTF-8 (overlong, lone continuation, surrogate) */
  const char nul[] = "a,y\n1,0\n2\0,1\n";
  limn_read_opts ro = limn_read_opts_default();
  CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, nul, sizeof nul - 1, "n.csv", &ro, &ds), LIMN_EPARSE,
            "n.csv line 3, byte 2: NUL byte");
  CHECK_ERR(ctx, parse("a,y\n1,\xC0\xAF\n", "y", &ds), LIMN_EPARSE, "line 2, byte 3: invalid UTF-8");
  CHECK_ERR(ctx, parse("a,y\n1,\x80\n", "y", &ds), LIMN_EPARSE, "invalid UTF-8");
  CHECK_ERR(ctx, parse("a,y\n1,\xED\xA0\x80\n", "y", &ds), LIMN_EPARSE, "invalid UTF-8");
  /* a 10 MB field */
  size_t big = 10u << 20;
  char *b = malloc(big + 32);
  memcpy(b, "a,y\n1,", 6);
  memset(b + 6, 'x', big);
  memcpy(b + 6 + big, "\n", 2);
  CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, b, big + 7, "big.csv", &ro, &ds), LIMN_EPARSE,
            "big.csv line 2, field 2: field of 10485760 bytes exceeds the limit");
  free(b);
  /* forced lists must name columns; a column cannot be both */
  const char *cats[] = {"nope"};
  ro.categorical = cats;
  ro.ncategorical = 1;
  const char *c2 = "a,y\n1,0\n2,1\n";
  CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, c2, strlen(c2), "t.csv", &ro, &ds), LIMN_ENOTFOUND,
            "categorical column 'nope' is not in the header");
  CHECK(ds == NULL);
}

static void test_forced_and_schema(void) {
  test_begin("forced kinds and schema reads");
  limn_read_opts ro = limn_read_opts_default();
  const char *cats[] = {"zip"};
  ro.categorical = cats;
  ro.ncategorical = 1;
  ro.target = "y";
  limn_dataset *ds = NULL, *d2 = NULL;
  const char *csv = "zip,v,y\n10115,1,a\n80331,2,b\n10115,3,a\n";
  CHECK_OK(ctx, limn_dataset_parse_csv(ctx, csv, strlen(csv), "t.csv", &ro, &ds));
  if (!ds)
    return;
  const limn_schema *s = limn_dataset_schema(ds);
  CHECK_EQ(limn_schema_feature_kind(s, 0), LIMN_COL_CATEGORICAL);
  CHECK_EQ(limn_schema_ncategories(s, 0), 2);
  /* columns matched by name in another order, codes follow the schema */
  limn_read_opts r2 = limn_read_opts_default();
  r2.schema = s;
  const char *other = "y,extra,v,zip\nb,q,5,80331\na,q,6,10115\n";
  CHECK_OK(ctx, limn_dataset_parse_csv(ctx, other, strlen(other), "o.csv", &r2, &d2));
  if (d2) {
    const float *x = limn_dataset_x(d2);
    CHECK(x[0] == 1.0f && x[1] == 5.0f && x[2] == 0.0f && x[3] == 6.0f);
    CHECK(limn_dataset_y(d2)[0] == 1.0f);
    limn_dataset_free(d2);
  }
  const char *unk = "zip,v,y\n99999,1,a\n";
  CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, unk, strlen(unk), "u.csv", &r2, &d2), LIMN_EPARSE,
            "u.csv line 2, column 'zip': unknown category '99999' (known (2): 10115, 80331)");
  const char *nocol = "v,y\n1,a\n";
  CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, nocol, strlen(nocol), "m.csv", &r2, &d2), LIMN_ENOTFOUND,
            "no column 'zip'");
  const char *notarget = "zip,v\n10115,1\n";
  CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, notarget, strlen(notarget), "m.csv", &r2, &d2), LIMN_ENOTFOUND,
            "no target column 'y'");
  r2.target_optional = 1;
  CHECK_OK(ctx, limn_dataset_parse_csv(ctx, notarget, strlen(notarget), "m.csv", &r2, &d2));
  if (d2) {
    CHECK(limn_dataset_y(d2) == NULL);
    limn_dataset_free(d2);
  }
  limn_dataset_free(ds);
}

static void test_arff(void) {
  test_begin("arff");
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "class";
  limn_dataset *ds = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("data/credit-g.arff"), &ro, &ds));
  if (ds) {
    const limn_schema *s = limn_dataset_schema(ds);
    CHECK_EQ(limn_dataset_nrows(ds), 1000);
    CHECK_EQ(limn_schema_nfeatures(s), 20);
    size_t ncat = 0;
    for (size_t j = 0; j < 20; j++)
      ncat += limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL;
    CHECK_EQ(ncat, 13);
    CHECK(!strcmp(limn_schema_class_name(s, 0), "good")); /* declared order */
    CHECK(!strcmp(limn_schema_category(s, 0, 0), "<0"));
    CHECK(!strcmp(limn_schema_category(s, 3, 2), "furniture/equipment"));
    size_t bad = 0;
    for (size_t i = 0; i < 1000; i++)
      bad += limn_dataset_y(ds)[i] == 1.0f;
    CHECK_EQ(bad, 300);
    limn_dataset_free(ds);
  }
  const char *a =
      "% c\n@relation r\n@attribute 'a b' numeric\n@attribute c {x, 'y z'}\n@data\n1,'y z'\n2, x % c\n";
  CHECK_OK(ctx, limn_dataset_parse_arff(ctx, a, strlen(a), "a.arff", NULL, &ds));
  if (ds) {
    CHECK(!strcmp(limn_schema_feature_name(limn_dataset_schema(ds), 0), "a b"));
    CHECK(limn_dataset_x(ds)[1] == 1.0f && limn_dataset_x(ds)[3] == 0.0f);
    limn_dataset_free(ds);
  }
  const char *miss = "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n?,x\n";
  CHECK_ERR(ctx, limn_dataset_parse_arff(ctx, miss, strlen(miss), "m.arff", NULL, &ds), LIMN_EPARSE,
            "m.arff line 5, column 'a': missing value '?'");
  const char *undecl = "@relation r\n@attribute c {x,y}\n@data\nz\n";
  CHECK_ERR(ctx, limn_dataset_parse_arff(ctx, undecl, strlen(undecl), "u.arff", NULL, &ds), LIMN_EPARSE,
            "line 4, column 'c': 'z' is not one of the declared values");
  const char *str = "@relation r\n@attribute s string\n@data\n'a'\n";
  CHECK_ERR(ctx, limn_dataset_parse_arff(ctx, str, strlen(str), "s.arff", NULL, &ds), LIMN_EUNSUPPORTED,
            "line 2: attribute 1 has type 'string'");
  const char *sparse = "@relation r\n@attribute a numeric\n@data\n{0 1}\n";
  CHECK_ERR(ctx, limn_dataset_parse_arff(ctx, sparse, strlen(sparse), "s.arff", NULL, &ds), LIMN_EUNSUPPORTED,
            "sparse");
  const char *ragged = "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1\n";
  CHECK_ERR(ctx, limn_dataset_parse_arff(ctx, ragged, strlen(ragged), "r.arff", NULL, &ds), LIMN_EPARSE,
            "r.arff line 5: expected 2 fields, got 1");
  const char *nodata = "@relation r\n@attribute a numeric\n";
  CHECK_ERR(ctx, limn_dataset_parse_arff(ctx, nodata, strlen(nodata), "n.arff", NULL, &ds), LIMN_EPARSE,
            "no @data");
}

/* numpy.percentile (linear) of the lime fixture's training file, from lime's own
 * quartile discretizer (independent reference). */
static void test_stats(void) {
  test_begin("stats vs numpy percentiles");
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "target";
  limn_dataset *ds = NULL;
  limn_stats *st = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("tests/fixtures/breast_cancer_train.csv"), &ro, &ds));
  if (!ds)
    return;
  CHECK_OK(ctx, limn_stats_compute(ctx, ds, &st));
  size_t n = 0;
  double *edges = read_vec(src_path("tests/fixtures/bc_quartiles.txt"), "edges", &n);
  CHECK_EQ(n, 90);
  if (st && edges) {
    /* column 0 of the file is orig_index: features start at 1 */
    double got[90];
    for (size_t j = 0; j < 30; j++)
      for (int q = 0; q < 3; q++)
        got[j * 3 + (size_t)q] = limn_stats_percentile(st, j + 1, 25 * (q + 1));
    CHECK_CLOSE("quartile edges", got, edges, 90, 0.0, 1e-6);
    /* mean and population std against direct sums */
    const float *x = limn_dataset_x(ds);
    size_t rows = limn_dataset_nrows(ds), d = limn_dataset_nfeatures(ds);
    double m = 0, v = 0;
    for (size_t i = 0; i < rows; i++)
      m += x[i * d + 1];
    m /= (double)rows;
    for (size_t i = 0; i < rows; i++)
      v += (x[i * d + 1] - m) * (x[i * d + 1] - m);
    double want[2] = {m, sqrt(v / (double)rows)}, have[2] = {limn_stats_mean(st, 1), limn_stats_std(st, 1)};
    CHECK_CLOSE("mean/std", have, want, 2, 0, 1e-12);
    CHECK(limn_stats_percentile(st, 1, 0) == limn_stats_min(st, 1));
    CHECK(limn_stats_percentile(st, 1, 100) == limn_stats_max(st, 1));
  }
  free(edges);
  limn_stats_free(st);
  limn_dataset_free(ds);
}

static void test_split(void) {
  test_begin("split");
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "diagnosis";
  limn_dataset *ds = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("data/breast_cancer.csv"), &ro, &ds));
  if (!ds)
    return;
  size_t n = limn_dataset_nrows(ds);
  unsigned char *a = malloc(n), *b = malloc(n), *c = malloc(n);
  CHECK_OK(ctx, limn_dataset_split_rows(ctx, ds, 0.25, 0, "diagnosis", a));
  CHECK_OK(ctx, limn_dataset_split_rows(ctx, ds, 0.25, 0, "diagnosis", b));
  CHECK_OK(ctx, limn_dataset_split_rows(ctx, ds, 0.25, 1, "diagnosis", c));
  CHECK(!memcmp(a, b, n));
  CHECK(memcmp(a, c, n) != 0);
  size_t nt = 0, ntm = 0, nm = 0;
  for (size_t i = 0; i < n; i++) {
    int mal = limn_dataset_y(ds)[i] == 0.0f;
    nm += mal;
    nt += a[i];
    ntm += a[i] && mal;
  }
  CHECK_EQ(nt, 142); /* round(0.25 * 569) */
  /* 212 malignant: 212 * 142 / 569 = 52.9 -> 53 by largest remainder */
  CHECK_EQ(nm, 212);
  CHECK_EQ(ntm, 53);
  CHECK_ERR(ctx, limn_dataset_split_rows(ctx, ds, 1.5, 0, NULL, a), LIMN_EINVAL, "test fraction");
  CHECK_ERR(ctx, limn_dataset_split_rows(ctx, ds, 0.5, 0, "nope", a), LIMN_ENOTFOUND, "no column 'nope'");
  free(a), free(b), free(c);
  limn_dataset_free(ds);
}

/* Names are looked up through the schema's hash index: every one of many columns is
 * found at its place, and duplicates among columns, categories and classes are
 * refused by name. */
static void test_wide_schema(void) {
  test_begin("wide schema");
  limn_schema *s = NULL;
  CHECK_OK(ctx, limn_schema_create(ctx, &s));
  if (!s)
    return;
  enum { W = 20000 };
  char name[32];
  int ok = 1;
  for (size_t j = 0; j < W && ok; j++) {
    snprintf(name, sizeof name, "c%zu", (j * 7919) % W);
    ok = limn_schema_add_numeric(ctx, s, name) == LIMN_OK;
  }
  CHECK(ok);
  for (size_t j = 0; j < W && ok; j++) {
    snprintf(name, sizeof name, "c%zu", (j * 7919) % W);
    ok = limn_schema_find_feature(s, name) == (long)j;
  }
  CHECK(ok);
  CHECK_EQ(limn_schema_find_feature(s, "c20000"), -1);
  CHECK_ERR(ctx, limn_schema_add_numeric(ctx, s, "c123"), LIMN_EINVAL, "duplicate column name 'c123'");
  const char *cats[] = {"x", "y", "x"}, *classes[] = {"no", "yes", "maybe", "yes"};
  CHECK_ERR(ctx, limn_schema_add_categorical(ctx, s, "k", cats, 3), LIMN_EINVAL, "duplicate name 'x'");
  CHECK_ERR(ctx, limn_schema_set_target(ctx, s, "t", LIMN_TASK_CLASSIFICATION, classes, 4), LIMN_EINVAL,
            "duplicate name 'yes'");
  CHECK_EQ(limn_schema_nfeatures(s), W);
  limn_schema_free(s);
}

/* The number reader against strtod: limn__parse_number's fast path (no strtod for a
 * plain decimal of up to 19 digits with |exponent| <= 22) must accept only what the
 * strtod rule (limn__parse_number_strtod) accepts and give the same double, bit for bit,
 * and limn__parse_number must answer as that rule does: 3 million generated
 * texts (digits, points, signs, exponents, blanks, stray characters; values made by
 * printf from random doubles too). */
static void test_number_reader(void) {
  test_begin("numbers: fast path = strtod");
  limn_rng r;
  limn_rng_init(&r, 11, 0);
  size_t bad = 0, fast = 0, total = 3000000;
  char buf[64];
  const char alpha[] = "0123456789000.eE+- \tx";
  for (size_t i = 0; i < total; i++) {
    size_t kind = i % 3, len = 0;
    if (kind == 0) { /* a decimal of random shape */
      if (limn_rng_below(&r, 4) == 0)
        buf[len++] = ' ';
      if (limn_rng_below(&r, 3) == 0)
        buf[len++] = limn_rng_below(&r, 2) ? '-' : '+';
      size_t nd = limn_rng_below(&r, 24), dot = limn_rng_below(&r, nd + 2);
      for (size_t d = 0; d < nd; d++) {
        if (d == dot)
          buf[len++] = '.';
        buf[len++] = (char)('0' + limn_rng_below(&r, 10));
      }
      if (limn_rng_below(&r, 3) == 0)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%c%d", limn_rng_below(&r, 2) ? 'e' : 'E',
                                (int)limn_rng_below(&r, 70) - 35);
      if (limn_rng_below(&r, 5) == 0)
        buf[len++] = '\t';
      buf[len] = '\0';
    } else if (kind == 1) { /* random characters of the number alphabet */
      size_t nd = limn_rng_below(&r, 12);
      for (size_t d = 0; d < nd; d++)
        buf[len++] = alpha[limn_rng_below(&r, sizeof alpha - 1)];
      buf[len] = '\0';
    } else { /* a random double as printf writes it */
      double v = ldexp((double)limn_rng_below(&r, 1u << 30) / (1u << 30), (int)limn_rng_below(&r, 120) - 60);
      snprintf(buf, sizeof buf, limn_rng_below(&r, 2) ? "%.*g" : "%.*f", (int)limn_rng_below(&r, 18) + 1, v);
    }
    double a = 0, b = 0, c = 0;
    int rf = limn__parse_number_fast(buf, &a), rr = limn__parse_number_strtod(buf, &b),
        rn = limn__parse_number(buf, &c);
    fast += (size_t)rf;
    if ((rf && (!rr || memcmp(&a, &b, sizeof a))) || rn != rr || (rr && memcmp(&b, &c, sizeof b))) {
      if (bad++ < 5)
        fprintf(stderr, "number reader: '%s': fast %d %.17g, strtod %d %.17g\n", buf, rf, a, rr, b);
    }
  }
  printf("numbers: %zu texts, %zu by the fast path, %zu differences\n", total, fast, bad);
  CHECK(bad == 0);
  CHECK(fast > total / 4);
}

/* A stream typed by the whole read's schema must give the whole read's rows (x, y,
 * lines) block by block, whichever reader takes a block: the plain one (no quotes or
 * blank lines; rows on 2 threads) or the general one (quotes, blank lines, missing
 * values, numbers for strtod, CRLF ends). An error the whole read reports is the
 * stream's too. */
static int stream_matches(const char *csv, const limn_schema *schema, int missing_ok, size_t block) {
  char path[] = "/tmp/limn_test_stream_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return 0;
  FILE *f = fdopen(fd, "wb");
  fputs(csv, f);
  fclose(f);
  limn_ctx *c2 = limn_ctx_create(NULL);
  limn_ctx_set_threads(c2, 2);
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = schema;
  ro.missing_ok = missing_ok;
  limn_dataset *whole = NULL;
  char want[1024] = "";
  if (limn_dataset_parse_csv(c2, csv, strlen(csv), path, &ro, &whole))
    snprintf(want, sizeof want, "%s", limn_ctx_errmsg(c2));
  limn_stream *st = NULL;
  int ok = 1, rc = limn_stream_open(c2, path, &ro, 5, &st);
  size_t at = 0, d = whole ? limn_dataset_nfeatures(whole) : 0;
  while (!rc) {
    limn_dataset *b = NULL;
    if ((rc = limn_stream_read(c2, st, block, &b)) || !b)
      break;
    size_t n = limn_dataset_nrows(b);
    const float *yb = limn_dataset_y(b), *yw = whole ? limn_dataset_y(whole) : NULL;
    ok &= !whole || (at + n <= limn_dataset_nrows(whole) &&
                     !memcmp(limn_dataset_x(b), limn_dataset_x(whole) + at * d, n * d * sizeof(float)) &&
                     !yb == !yw && (!yb || !memcmp(yb, yw + at, n * sizeof *yb)));
    for (size_t i = 0; ok && whole && i < n; i++)
      ok &= limn_dataset_row_line(b, i) == limn_dataset_row_line(whole, at + i);
    at += n;
    limn_dataset_free(b);
  }
  if (whole)
    ok &= !rc && at == limn_dataset_nrows(whole);
  else /* the whole read failed: so must the stream, in its words */
    ok &= rc && !strcmp(limn_ctx_errmsg(c2), want);
  if (!ok)
    fprintf(stderr, "stream: '%s'\nwhole:  '%s'\n", rc ? limn_ctx_errmsg(c2) : "(ok)", want);
  limn_stream_close(st);
  limn_dataset_free(whole);
  limn_ctx_free(c2);
  remove(path);
  return ok;
}

static void test_stream_blocks(void) {
  test_begin("stream blocks = whole read (plain and general readers)");
  /* 300 plain rows, then rows each reader must hand back to the general one */
  char *csv = malloc(1 << 16);
  size_t k = (size_t)sprintf(csv, "id,a,cat,b,label\n");
  for (int i = 0; i < 300; i++)
    k += (size_t)sprintf(csv + k, "r%d,%d.%d,%s,%de-3,%s\n", i, i * 7 % 13, i % 10, i % 3 ? "u" : "v",
                         i * 31 % 97, i % 4 ? "yes" : "no");
  k += (size_t)sprintf(csv + k, "\"q,1\",1.5,u,2,yes\n"                     /* a quoted field */
                                "r,2,v,3,no\r\n"                            /* CRLF */
                                "\n"                                        /* a blank line */
                                "r,0.12345678901234567890123,u,1e-30,yes\n" /* numbers for strtod */
                                "r, 4 ,u,\t5,no\n");                        /* blanks around numbers */
  for (int i = 0; i < 40; i++)
    k += (size_t)sprintf(csv + k, "s%d,%d,v,%d,no\n", i, i, -i);
  limn_dataset *good = NULL;
  CHECK_OK(ctx, parse("a,cat,b,label\n1,u,2,yes\n2,v,3,no\n", "label", &good));
  if (!good) {
    free(csv);
    return;
  }
  const limn_schema *sc = limn_dataset_schema(good);
  size_t blocks[] = {1, 7, 128, 1000};
  for (size_t b = 0; b < 4; b++)
    CHECK(stream_matches(csv, sc, 0, blocks[b]));
  /* a missing value (missing_ok: NaN by the general reader) amid plain blocks */
  char *miss = malloc(1 << 16);
  sprintf(miss, "%s", csv);
  char *at = strstr(miss, "s20,20,v,-20,no");
  CHECK(at != NULL);
  if (at)
    memcpy(at, "s20,NA,v,-20,no", 15);
  CHECK(stream_matches(miss, sc, 1, 16));
  /* errors amid plain blocks: the whole read's, named by line */
  const char *bad[] = {"s30,30,v,-30,no,extra\n", "s30,30,w,-30,no\n", "s30,3x,v,-30,no\n",
                       "s\r30,30,v,-30,no\n", "s30,30,v,-30,maybe\n"};
  for (size_t e = 0; e < sizeof bad / sizeof *bad; e++) {
    sprintf(miss, "%s", csv);
    at = strstr(miss, "s30,30,v,-30,no\n");
    if (!at)
      continue;
    size_t tail = strlen(at + 16);
    memmove(at + strlen(bad[e]), at + 16, tail + 1);
    memcpy(at, bad[e], strlen(bad[e]));
    CHECK(stream_matches(miss, sc, 0, 16));
  }
  free(miss);
  free(csv);
  limn_dataset_free(good);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_stream_blocks();
  test_number_reader();
  test_wide_schema();
  test_csv_good();
  test_csv_bad();
  test_forced_and_schema();
  test_arff();
  test_stats();
  test_split();
  limn_ctx_free(ctx);
  return test_end();
}
