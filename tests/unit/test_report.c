/* Tests of limn/report.h: the escapers against RFC 8259 / XML / RFC 4180, sinks and
 * their failures, the manifest's JSON, the renderers' invariants and the report
 * written through a callback (the same bytes as through a FILE*, whatever the
 * thread count). */
#include "../harness.h"

static limn_ctx *ctx;

static void test_escapers(void) {
  test_begin("escapers");
  membuf b;
  /* RFC 8259 section 7: quote, backslash and controls escaped; UTF-8 passes */
  CHECK_OK(ctx, limn_write_json_string(mem_sink(&b), "a\"b\\c\n\t\r\b\f\x01\x1f\xc3\xa9/"));
  CHECK(b.data && !strcmp(b.data, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\xc3\xa9/\""));
  free(b.data);
  CHECK_OK(ctx, limn_write_json_string(mem_sink(&b), ""));
  CHECK(b.data && !strcmp(b.data, "\"\""));
  free(b.data);
  CHECK_OK(ctx, limn_write_xml_text(mem_sink(&b), "<a href=\"x\">&amp;'"));
  CHECK(b.data && !strcmp(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;amp;'"));
  free(b.data);
  /* RFC 4180: fields with a comma, quote, CR or LF quoted, quotes doubled */
  const char *in[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r"};
  const char *want[] = {"plain", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"cr\r\""};
  for (int i = 0; i < 5; i++) {
    CHECK_OK(ctx, limn_write_csv_field(mem_sink(&b), in[i]));
    CHECK(b.data && !strcmp(b.data, want[i]));
    free(b.data);
  }
  /* a refusing sink is an error */
  membuf f;
  limn_sink s = mem_sink(&f);
  f.fail_after = 1;
  CHECK_EQ(limn_write_json_string(s, "x"), LIMN_EIO);
  free(f.data);
  limn_format fmt;
  CHECK(limn_format_parse("jsonl", &fmt) == LIMN_OK && fmt == LIMN_FORMAT_JSONL);
  CHECK_EQ(limn_format_parse("xml", &fmt), LIMN_EINVAL);
  CHECK(!strcmp(limn_format_name(LIMN_FORMAT_SVG), "svg"));
}

static void test_manifest(void) {
  test_begin("manifest");
  limn_manifest *man = NULL;
  CHECK_OK(ctx, limn_manifest_create(ctx, &man));
  if (!man)
    return;
  membuf b;
  CHECK_OK(ctx, limn_manifest_write_json(ctx, man, mem_sink(&b)));
  char want[1024];
  snprintf(want, sizeof want, "{\"limn_version\":\"%s\"}", limn_version());
  CHECK(b.data && !strcmp(b.data, want));
  free(b.data);
  /* FIPS 180-2's "abc" test vector */
  CHECK_OK(ctx, limn_manifest_add_sha256(ctx, man, "model", "abc", 3));
  CHECK_OK(ctx, limn_manifest_add_count(ctx, man, "rows", 3));
  CHECK_OK(ctx, limn_manifest_add_option(ctx, man, "method", "ig"));
  CHECK_OK(ctx, limn_manifest_add_number(ctx, man, "kl", 0.5));
  CHECK_OK(ctx, limn_manifest_add_number(ctx, man, "none", NAN));
  CHECK_OK(ctx, limn_manifest_add_string(ctx, man, "note", "a\"b"));
  CHECK_OK(ctx, limn_manifest_add_option_bool(ctx, man, "standardize", 1));
  const char *abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  CHECK(limn_manifest_sha256(man, "model") && !strcmp(limn_manifest_sha256(man, "model"), abc));
  CHECK(limn_manifest_sha256(man, "data") == NULL);
  CHECK_OK(ctx, limn_manifest_write_json(ctx, man, mem_sink(&b)));
  snprintf(want, sizeof want,
           "{\"limn_version\":\"%s\",\"model_sha256\":\"%s\",\"rows\":3,\"kl\":0.5,\"none\":null,\"note\":"
           "\"a\\\"b\",\"options\":{\"method\":\"ig\",\"standardize\":true}}",
           limn_version(), abc);
  CHECK(b.data && !strcmp(b.data, want));
  free(b.data);
  CHECK_ERR(ctx, limn_manifest_add_file_sha256(ctx, man, "data", "/nonexistent/limn.csv"), LIMN_EIO,
            "/nonexistent/limn.csv");
  limn_manifest_free(man);
  limn_manifest_free(NULL);
}

/* F(x) = w.x + c: gradient x input gives w_j x_j exactly, which orders the features. */
static void test_render(void) {
  test_begin("render");
  static const char *const names[] = {"a", "b", "c"};
  limn_schema *s = regression_schema(ctx, names, 3);
  float W[3] = {0.5f, -2.0f, 1.5f}, bias[1] = {0.25f};
  limn_mlp_layer L = {3, 1, W, bias};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 1, &L, LIMN_ACT_RELU, LIMN_ACT_IDENTITY, 0, 1};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  if (!m)
    return;
  float x[6] = {1.0f, 1.0f, 1.0f, 4.0f, -0.25f, 1.0f};
  limn_grad_opts go = limn_grad_opts_default();
  go.method = LIMN_METHOD_GRADXINPUT;
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &go, &e));
  if (!e) {
    limn_model_free(m);
    return;
  }
  limn_render_row rows[2] = {limn_render_row_init(&e[0], 0, 2, x), limn_render_row_init(&e[1], 1, 3, x + 3)};
  limn_render_opts o = limn_render_opts_default();
  o.model = m;
  membuf b;
  /* CSV: a header, then one line per feature by |w_j x_j|: row 0 b (-2), c (1.5), a (0.5) */
  CHECK_OK(ctx, limn_render_explanations(ctx, &o, rows, 2, LIMN_FORMAT_CSV, mem_sink(&b)));
  const char *csv0 = "row,method,class,class_name,model_output,feature_index,feature,label,value,weight\n"
                     "0,gradxinput,0,";
  CHECK(b.data && !strncmp(b.data, csv0, strlen(csv0)));
  CHECK(b.data && strstr(b.data, ",1,b,b,1,-2\n") && strstr(b.data, ",2,c,c,1,1.5\n") &&
        strstr(b.data, ",0,a,a,1,0.5\n"));
  const char *pb = b.data ? strstr(b.data, ",1,b,b,1,-2\n") : NULL,
             *pc = b.data ? strstr(b.data, ",2,c,c,1,1.5\n") : NULL;
  CHECK(pb && pc && pb < pc);
  size_t lines = 0;
  for (size_t i = 0; i < b.len; i++)
    lines += b.data[i] == '\n';
  CHECK_EQ(lines, 7);
  /* row 1: a (2), c (1.5), b (0.5): a before c */
  const char *r1 = b.data ? strstr(b.data, "\n1,gradxinput") : NULL;
  CHECK(r1 && strstr(r1, ",0,a,a,4,2\n") && strstr(r1, ",0,a,a,4,2\n") < strstr(r1, ",2,c,c,1,1.5\n"));
  free(b.data);
  /* JSON Lines with a manifest: one object per row, the manifest in each */
  limn_manifest *man = NULL;
  CHECK_OK(ctx, limn_manifest_create(ctx, &man));
  o.manifest = man;
  CHECK_OK(ctx, limn_render_explanations(ctx, &o, rows, 2, LIMN_FORMAT_JSONL, mem_sink(&b)));
  CHECK(b.data && !strncmp(b.data, "{\"row\":0,\"line\":2,\"method\":\"gradxinput\",", 40));
  CHECK(b.data && strstr(b.data, "\"manifest\":{\"limn_version\":") && b.data[b.len - 1] == '\n');
  free(b.data);
  /* the same bytes through a FILE* as through the callback, whatever the buffering */
  for (int f = LIMN_FORMAT_TEXT; f <= LIMN_FORMAT_SVG; f++) {
    FILE *tf = tmpfile();
    CHECK_OK(ctx, limn_render_explanations(ctx, &o, rows, 2, (limn_format)f, limn_sink_file(tf)));
    CHECK_OK(ctx, limn_render_explanations(ctx, &o, rows, 2, (limn_format)f, mem_sink(&b)));
    long sz = tf ? ftell(tf) : -1;
    char *fb = sz > 0 ? malloc((size_t)sz) : NULL;
    if (tf)
      rewind(tf);
    CHECK(fb && fread(fb, 1, (size_t)sz, tf) == (size_t)sz && (size_t)sz == b.len &&
          !memcmp(fb, b.data, b.len));
    free(fb), free(b.data);
    if (tf)
      fclose(tf);
  }
  /* errors: no model, an explanation of another width, global as SVG, a refusing sink */
  limn_render_opts bad = limn_render_opts_default();
  CHECK_ERR(ctx, limn_render_explanations(ctx, &bad, rows, 2, LIMN_FORMAT_CSV, mem_sink(&b)), LIMN_EINVAL,
            "no model");
  free(b.data);
  limn_explanation wide = e[0];
  wide.nfeatures = 4;
  limn_render_row wr = limn_render_row_init(&wide, 0, 2, x);
  CHECK_ERR(ctx, limn_render_explanations(ctx, &o, &wr, 1, LIMN_FORMAT_JSON, mem_sink(&b)), LIMN_EINVAL,
            "3 features");
  free(b.data);
  CHECK_ERR(ctx, limn_render_global(ctx, &o, e, 2, LIMN_FORMAT_SVG, mem_sink(&b)), LIMN_EUNSUPPORTED, "svg");
  free(b.data);
  limn_sink s2 = mem_sink(&b);
  b.fail_after = 1;
  CHECK_ERR(ctx, limn_render_explanations(ctx, &o, rows, 2, LIMN_FORMAT_TEXT, s2), LIMN_EIO, "write error");
  free(b.data);
  /* global: mean |w_j x_j| over the rows: a 1.25, b 1.25 (after a: ties by column), c 1.5 */
  CHECK_OK(ctx, limn_render_global(ctx, &o, e, 2, LIMN_FORMAT_CSV, mem_sink(&b)));
  CHECK(b.data && !strcmp(b.data, "feature_index,feature,mean_abs_weight\n2,c,1.5\n0,a,1.25\n1,b,1.25\n"));
  free(b.data);
  /* the summary SVG: a dot per row and shown feature, a bar per feature; rows in any
   * order give the same dots */
  CHECK_OK(ctx, limn_render_summary_svg(ctx, &o, rows, 2, mem_sink(&b)));
  size_t dots = 0, bars = 0;
  for (const char *q = b.data; q && (q = strstr(q, "<circle")); q++)
    dots++;
  for (const char *q = b.data; q && (q = strstr(q, "fill=\"#777\"")); q++)
    bars++;
  CHECK(dots == 6 && bars == 3 && b.data && !strncmp(b.data, "<svg", 4) && strstr(b.data, "</svg>\n"));
  limn_render_row rev[2] = {rows[1], rows[0]};
  membuf b2;
  CHECK_OK(ctx, limn_render_summary_svg(ctx, &o, rev, 2, mem_sink(&b2)));
  CHECK(b.data && b2.data && b.len == b2.len);
  free(b.data), free(b2.data);
  /* the dependence plot: a dot per row; the colour column is the one that explains the
   * spread of the attributions at similar values (here attr_a = the value of b) */
  {
    enum { R = 40 };
    limn_explanation dx[R];
    limn_render_row dr[R];
    double da[R * 3];
    float xv[R * 3];
    for (int i = 0; i < R; i++) {
      xv[i * 3] = (float)i, xv[i * 3 + 1] = (float)((i * 7) % 5), xv[i * 3 + 2] = (float)((i * 3) % 4);
      da[i * 3] = xv[i * 3 + 1], da[i * 3 + 1] = 0, da[i * 3 + 2] = 0;
      dx[i] = e[0];
      dx[i].attr = da + i * 3;
      dr[i] = limn_render_row_init(&dx[i], (size_t)i, 0, xv + i * 3);
    }
    CHECK_OK(ctx, limn_render_dependence_svg(ctx, &o, dr, R, 0, mem_sink(&b)));
    size_t ddots = 0;
    for (const char *q = b.data; q && (q = strstr(q, "<circle")); q++)
      ddots++;
    CHECK(ddots == R && b.data && strstr(b.data, "colour: b</text>"));
    free(b.data);
    CHECK_ERR(ctx, limn_render_dependence_svg(ctx, &o, dr, R, 3, mem_sink(&b)), LIMN_EINVAL, "column 3 of 3");
    free(b.data);
  }
  /* reason codes: the positive attributions of row 0 (raised the prediction), largest first */
  limn_reason rs[3];
  size_t k = limn_reason_codes(&o, &e[0], x, 0, 3, rs);
  CHECK_EQ(k, 2);
  CHECK(k == 2 && rs[0].feature == 2 && rs[1].feature == 0 &&
        !strcmp(rs[0].text, "c is 1 (raised the prediction by 1.5)"));
  limn_manifest_free(man);
  limn_explanations_free(ctx, e, 2);
  limn_model_free(m);
}

/* The HTML report through a callback: complete, the same whatever the thread count,
 * nothing written on failure. */
static void test_report_page(void) {
  test_begin("report");
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "target";
  const char *ign[] = {"orig_index"};
  ro.ignore = ign;
  ro.nignore = 1;
  limn_dataset *tr = NULL, *te = NULL;
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("tests/fixtures/breast_cancer_train.csv"), &ro, &tr));
  limn_mlp_opts mo = limn_mlp_opts_default();
  mo.max_epochs = 5;
  if (tr)
    CHECK_OK(ctx, limn_mlp_train(ctx, tr, &mo, &m));
  limn_read_opts to = limn_read_opts_default();
  to.schema = m ? limn_model_schema(m) : NULL;
  to.target_optional = 1;
  if (m)
    CHECK_OK(ctx, limn_dataset_read(ctx, src_path("tests/fixtures/breast_cancer_test.csv"), &to, &te));
  if (!m || !te) {
    limn_dataset_free(tr), limn_model_free(m);
    return;
  }
  size_t rows[2] = {0, 7};
  limn_report_opts o = limn_report_opts_default();
  o.model = m, o.data = te, o.rows = rows, o.nrows = 2, o.num_samples = 2000, o.map_max = 60;
  o.shap_background = limn_dataset_x(tr), o.shap_nbackground = 20, o.summary_max = 10;
  membuf a, b;
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_report_write(ctx, &o, mem_sink(&a)));
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_report_write(ctx, &o, mem_sink(&b)));
  limn_ctx_set_threads(ctx, 0);
  CHECK(a.data && b.data && a.len == b.len && !memcmp(a.data, b.data, a.len));
  CHECK(a.data && !strncmp(a.data, "<!DOCTYPE html>\n", 16) && a.len > 7 &&
        !strcmp(a.data + a.len - 8, "</html>\n"));
  CHECK(a.data && strstr(a.data, "id=\"row-7\"") && strstr(a.data, "a model in memory") &&
        strstr(a.data, "<h3>LIME</h3>") && strstr(a.data, "id=\"map-row-0\""));
  CHECK(a.data && strstr(a.data, "<h3>SHAP</h3>") && strstr(a.data, "<section id=\"global\"") &&
        strstr(a.data, "Shapley values of 10 rows"));
  CHECK(a.calls > 1); /* the page came in blocks */
  free(a.data), free(b.data);
  /* failures write nothing */
  o.map_space = "hidden:9";
  CHECK_ERR(ctx, limn_report_write(ctx, &o, mem_sink(&a)), LIMN_EINVAL, "hidden layers");
  CHECK_EQ(a.len, 0);
  free(a.data);
  o.map_space = "auto";
  o.nrows = 0;
  CHECK_ERR(ctx, limn_report_write(ctx, &o, mem_sink(&a)), LIMN_EINVAL, "no rows");
  free(a.data);
  o.nrows = 2, o.data_sha256 = "0123456789abcdef", o.data_sha256_of = "x"; /* a digest given: 64 hex digits */
  CHECK_ERR(ctx, limn_report_write(ctx, &o, mem_sink(&a)), LIMN_EINVAL, "64 hexadecimal digits");
  CHECK_EQ(a.len, 0);
  free(a.data);
  o.data_sha256 = NULL, o.data_sha256_of = NULL;
  size_t far = 100000;
  o.rows = &far, o.nrows = 1;
  CHECK_ERR(ctx, limn_report_write(ctx, &o, mem_sink(&a)), LIMN_EINVAL, "out of range");
  free(a.data);
  o.rows = rows, o.nrows = 2, o.map_space = "none";
  limn_sink s = mem_sink(&a);
  a.fail_after = 2;
  CHECK_ERR(ctx, limn_report_write(ctx, &o, s), LIMN_EIO, "write error");
  free(a.data);
  limn_dataset_free(te), limn_dataset_free(tr), limn_model_free(m);
}

/* The trust rules on explanations built by hand: each rule fires at its threshold and
 * not below it, and says why. */
static void test_trust(void) {
  test_begin("trust rules");
  double attr[3] = {0.3, -0.1, 0.05}, se[3] = {0, 0, 0};
  unsigned char sel[3] = {1, 1, 1};
  limn_explanation e;
  memset(&e, 0, sizeof e);
  e.nfeatures = 3, e.attr = attr, e.std_error = se, e.selected = sel, e.space = LIMN_SPACE_OUTPUT;
  char why[1024];
  limn_trust_opts o = limn_explain_trust_opts_default();
  /* LIME: fit and prediction at the row */
  e.method = LIMN_METHOD_LIME, e.output = 0.9, e.local_pred = 0.85, e.score = 0.5;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 1 && why[0] == 0);
  e.score = 0.29;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "weighted R^2 0.29, below 0.3"));
  e.score = 0.5, e.local_pred = 0.79;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "off by 0.11"));
  e.local_pred = 1.88, e.score = 0.2;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "; "));
  e.output = 50, e.local_pred = 46; /* a value of 50: the gap allowed is 0.1 x 50 */
  e.score = 0.5;
  CHECK(limn_explain_trust(&e, &o, NULL, 0) == 1);
  e.local_pred = 44.9;
  CHECK(limn_explain_trust(&e, &o, NULL, 0) == 0);
  /* IG: nothing to share; attributions that cancel; the completeness gap */
  e.method = LIMN_METHOD_IG, e.output = 1.0, e.base_value = 0.995, e.delta = 0;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "almost nothing to share"));
  e.base_value = 0.97; /* change 0.03, sizes 0.45: 15 times */
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "15 times the change"));
  e.base_value = 0.6; /* change 0.4 */
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 1);
  e.delta = 0.03; /* 7.5 % of the change */
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "completeness gap"));
  /* SHAP: standard errors against the largest value, none at all */
  e.method = LIMN_METHOD_SHAP, e.delta = 0, se[0] = 0.029;
  CHECK(limn_explain_trust(&e, &o, NULL, 0) == 1);
  se[0] = 0.031;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "standard errors reach 10%"));
  se[0] = NAN;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 0 && strstr(why, "no standard errors"));
  /* gradients carry no diagnostics */
  e.method = LIMN_METHOD_GRADIENT;
  CHECK(limn_explain_trust(&e, &o, why, sizeof why) == 1);
}

/* The wide CSV: F(x) = w.x + c, gradient x input w_j x_j exactly; ids quoted by RFC
 * 4180; many rows the same bytes on 1 and 2 threads; a refusing sink and a wrong
 * width are errors. */
static void test_wide(void) {
  test_begin("wide CSV");
  static const char *const names[] = {"a", "b,c", "d"};
  limn_schema *s = regression_schema(ctx, names, 3);
  float W[3] = {0.5f, -2.0f, 1.5f}, bias[1] = {0.25f};
  limn_mlp_layer L = {3, 1, W, bias};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 1, &L, LIMN_ACT_RELU, LIMN_ACT_IDENTITY, 0, 1};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  if (!m)
    return;
  enum { N = 5000 };
  float *x = malloc(N * 3 * sizeof *x);
  for (size_t i = 0; i < N * 3; i++)
    x[i] = (float)((double)(i % 17) / 8.0 - 1.0 + (double)i * 1e-4);
  x[0] = 1.0f, x[1] = 1.0f, x[2] = 1.0f, x[3] = 4.0f, x[4] = -0.25f, x[5] = 1.0f;
  limn_grad_opts go = limn_grad_opts_default();
  go.method = LIMN_METHOD_GRADXINPUT;
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, N, &go, &e));
  if (!e) {
    free(x);
    limn_model_free(m);
    return;
  }
  membuf b = {0};
  CHECK_OK(ctx, limn_render_wide_header(ctx, m, mem_sink(&b)));
  CHECK(b.data && !strcmp(b.data, "row,class,output,base_value,delta,reliable,a,\"b,c\",d\n"));
  free(b.data);
  char want[256];
  const char *out = limn_model_output_name(m, 0);
  snprintf(want, sizeof want, "7,%s,0.25,,,1,0.5,-2,1.5\n8,%s,4.25,,,1,2,0.5,1.5\n", out, out);
  memset(&b, 0, sizeof b);
  CHECK_OK(ctx, limn_render_wide(ctx, m, e, 2, 7, NULL, mem_sink(&b)));
  CHECK(b.data && !strcmp(b.data, want));
  free(b.data);
  const char *ids[] = {"p,1", "q\"2"};
  snprintf(want, sizeof want, "\"p,1\",%s,0.25,,,1,0.5,-2,1.5\n\"q\"\"2\",%s,4.25,,,1,2,0.5,1.5\n", out, out);
  memset(&b, 0, sizeof b);
  CHECK_OK(ctx, limn_render_wide(ctx, m, e, 2, 0, ids, mem_sink(&b)));
  CHECK(b.data && !strcmp(b.data, want));
  free(b.data);
  membuf one = {0}, two = {0};
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_render_wide(ctx, m, e, N, 0, NULL, mem_sink(&one)));
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_render_wide(ctx, m, e, N, 0, NULL, mem_sink(&two)));
  limn_ctx_set_threads(ctx, 1);
  size_t lines = 0;
  for (size_t i = 0; one.data && i < one.len; i++)
    lines += one.data[i] == '\n';
  CHECK(one.data && two.data && one.len == two.len && !memcmp(one.data, two.data, one.len) && lines == N);
  /* each weight reads back as the explanation's */
  int exact = one.data != NULL;
  const char *p = one.data;
  for (size_t i = 0; exact && i < N; i++) {
    for (int c = 0; c < 6; c++)
      p = strchr(p, ',') + 1;
    for (size_t j = 0; j < 3; j++) {
      char *end;
      exact &= strtod(p, &end) == e[i].attr[j];
      p = end + 1;
    }
  }
  CHECK(exact);
  free(one.data), free(two.data);
  membuf bad;
  limn_sink refuse = mem_sink(&bad);
  bad.fail_after = 1;
  CHECK(limn_render_wide(ctx, m, e, N, 0, NULL, refuse) == LIMN_EIO);
  free(bad.data);
  e[1].nfeatures = 2;
  CHECK(limn_render_wide(ctx, m, e, 2, 0, NULL, mem_sink(&bad)) == LIMN_EINVAL);
  e[1].nfeatures = 3;
  limn_explanations_free(ctx, e, N);
  free(x);
  limn_model_free(m);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_wide();
  test_escapers();
  test_manifest();
  test_render();
  test_report_page();
  test_trust();
  limn_ctx_free(ctx);
  return test_end();
}
