/* The wide CSV of explained rows (limn_render_wide): lines made in parallel, each
 * round of items into its own slot of one buffer, then written in order. */
#include "out.h"
#include <math.h>

int limn_render_wide_header(limn_ctx *ctx, const limn_model *m, limn_sink sink) {
  if (!m)
    return limn__err(ctx, LIMN_EINVAL, "limn_render_wide_header: no model");
  limn__out o;
  limn__out_init(&o, sink);
  limn__puts(&o, "row,class,output,base_value,delta,reliable");
  char b[64];
  for (size_t j = 0; j < limn_model_nfeatures(m); j++) {
    limn__putc(&o, ',');
    limn__csv_field(&o, limn__feature_name(m, j, b, sizeof b));
  }
  limn__putc(&o, '\n');
  return limn__out_finish(ctx, &o);
}

/* A memory sink for texts escaped before the parallel part. */
typedef struct mem_sink {
  limn_ctx *ctx;
  limn__buf *b;
} mem_sink;

static int mem_write(void *ud, const char *data, size_t len) {
  mem_sink *m = ud;
  return limn__buf_put(m->ctx, m->b, data, len) ? -1 : 0;
}

/* Texts CSV-escaped one after another in b; off[i] .. off[i + 1] is text i. */
static int escape_all(limn_ctx *ctx, const char *const *s, size_t n, limn__buf *b, size_t *off,
                      size_t *longest) {
  mem_sink ms = {ctx, b};
  limn_sink sink = {mem_write, &ms};
  limn__out o;
  limn__out_init(&o, sink);
  off[0] = 0;
  *longest = 0;
  for (size_t i = 0; i < n; i++) {
    limn__csv_field(&o, s[i] ? s[i] : "");
    LIMN_TRY(limn__out_finish(ctx, &o)); /* each text's end is known */
    off[i + 1] = b->len;
    if (off[i + 1] - off[i] > *longest)
      *longest = off[i + 1] - off[i];
  }
  return LIMN_OK;
}

typedef struct wide_job {
  const limn_explanation *ex;
  size_t n, first, rows_per_item, slot, item0;
  const char *ids; /* escaped ids, or NULL */
  const size_t *ioff;
  const char *names; /* escaped output names */
  const size_t *noff;
  size_t noutputs;
  char *buf;
  size_t *len; /* each slot's bytes */
} wide_job;

static char *put_num(char *o, double v) {
  *o++ = ',';
  if (!isfinite(v)) {
    memcpy(o, "null", 4);
    return o + 4;
  }
  return o + limn__format_double_len(o, v);
}

static char *put_size(char *o, size_t v) {
  char t[24];
  size_t k = 0;
  do
    t[k++] = (char)('0' + v % 10), v /= 10;
  while (v);
  while (k)
    *o++ = t[--k];
  return o;
}

static int wide_item(void *arg, size_t item, void *scratch) {
  (void)scratch;
  const wide_job *w = arg;
  size_t it = w->item0 + item, r0 = it * w->rows_per_item;
  size_t r1 = r0 + w->rows_per_item < w->n ? r0 + w->rows_per_item : w->n;
  char *o = w->buf + item * w->slot, *start = o;
  for (size_t i = r0; i < r1; i++) {
    const limn_explanation *e = &w->ex[i];
    if (w->ids) {
      memcpy(o, w->ids + w->ioff[i], w->ioff[i + 1] - w->ioff[i]);
      o += w->ioff[i + 1] - w->ioff[i];
    } else {
      o = put_size(o, w->first + i);
    }
    *o++ = ',';
    size_t t = (size_t)e->target < w->noutputs ? (size_t)e->target : w->noutputs;
    memcpy(o, w->names + w->noff[t], w->noff[t + 1] - w->noff[t]);
    o += w->noff[t + 1] - w->noff[t];
    const double head[] = {e->output, e->base_value, e->delta};
    for (size_t q = 0; q < 3; q++) { /* a value the method has not: empty */
      *o++ = ',';
      if (isfinite(head[q]))
        o += limn__format_double_len(o, head[q]);
    }
    memcpy(o, limn_explain_trust(e, NULL, NULL, 0) ? ",1" : ",0", 2);
    o += 2;
    for (size_t j = 0; j < e->nfeatures; j++)
      o = put_num(o, e->attr[j]);
    *o++ = '\n';
  }
  w->len[item] = (size_t)(o - start);
  return 0;
}

int limn_render_wide(limn_ctx *ctx, const limn_model *m, const limn_explanation *ex, size_t n, size_t first,
                     const char *const *ids, limn_sink sink) {
  if (!m)
    return limn__err(ctx, LIMN_EINVAL, "limn_render_wide: no model");
  size_t d = limn_model_nfeatures(m), no = limn_model_noutputs(m);
  for (size_t i = 0; i < n; i++)
    if (ex[i].nfeatures != d || !ex[i].attr)
      return limn__err(ctx, LIMN_EINVAL,
                       "limn_render_wide: explanation %zu has %zu weights; the model has %zu features", i,
                       ex[i].nfeatures, d);
  if (!n)
    return LIMN_OK;
  int rc = LIMN_OK;
  limn__buf nb = {0}, ib = {0};
  size_t *noff = NULL, *ioff = NULL, *len = NULL, longest_name = 0, longest_id = 20;
  char *buf = NULL;
  const char **names = limn__alloc_array(ctx, no + 1, sizeof *names);
  noff = limn__alloc_array(ctx, no + 2, sizeof *noff);
  LIMN_FAIL_IF(!names || !noff, ctx, LIMN_ENOMEM, "out of memory");
  for (size_t k = 0; k < no; k++)
    names[k] = limn_model_output_name(m, k);
  names[no] = "?"; /* a target beyond the outputs */
  LIMN_CHECK(escape_all(ctx, names, no + 1, &nb, noff, &longest_name));
  if (ids) {
    ioff = limn__alloc_array(ctx, n + 1, sizeof *ioff);
    LIMN_FAIL_IF(!ioff, ctx, LIMN_ENOMEM, "out of memory");
    LIMN_CHECK(escape_all(ctx, ids, n, &ib, ioff, &longest_id));
  }
  /* a line's most bytes: id, class, 4 head fields, a number (at most 24 characters,
   * "-2.2250738585072014e-308") and its comma per weight, the newline */
  size_t line = longest_id + 1 + longest_name + 3 * 25 + 2 + d * 25 + 1;
  size_t per = (256u << 10) / line, threads = (size_t)limn__threads(ctx);
  per = per < 1 ? 1 : per > 256 ? 256 : per;
  size_t items = (n + per - 1) / per, round = 4 * threads < items ? 4 * threads : items;
  buf = limn__alloc_array(ctx, round, per * line);
  len = limn__alloc_array(ctx, round, sizeof *len);
  LIMN_FAIL_IF(!buf || !len, ctx, LIMN_ENOMEM, "out of memory");
  wide_job w = {ex, n, first, per, per * line, 0, ids ? ib.data : NULL, ioff, nb.data, noff, no, buf, len};
  for (size_t at = 0; at < items; at += round) {
    size_t k = items - at < round ? items - at : round;
    w.item0 = at;
    LIMN_CHECK(limn__parallel_for(ctx, k, 0, wide_item, &w));
    for (size_t q = 0; q < k; q++)
      if (sink.write && sink.write(sink.ud, buf + q * w.slot, len[q]) != 0) {
        rc = limn__err(ctx, LIMN_EIO, "write error: the output refused the bytes");
        goto fail;
      }
  }
fail:
  limn__free(ctx, (void *)names);
  limn__free(ctx, noff);
  limn__free(ctx, ioff);
  limn__free(ctx, len);
  limn__free(ctx, buf);
  limn__buf_free(ctx, &nb);
  limn__buf_free(ctx, &ib);
  return rc;
}
