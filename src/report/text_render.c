/* Text explanations for people (docs/text.md): tokens coloured in place in HTML and
 * SVG, each explanation's checks, and which method to trust for a text. */
#include "limn/text.h"
#include "out.h"
#include <math.h>
#include <string.h>

int limn_text_method_is_attribution(limn_method m) {
  return m != LIMN_METHOD_ATTENTION_ROLLOUT && m != LIMN_METHOD_ATTENTION_FLOW;
}

int limn_text_method_supported(limn_method m) {
  return m == LIMN_METHOD_IG || m == LIMN_METHOD_GRADXINPUT || m == LIMN_METHOD_SALIENCY ||
         m == LIMN_METHOD_OCCLUSION || m == LIMN_METHOD_LIME_TEXT || m == LIMN_METHOD_ATTENTION_ROLLOUT ||
         m == LIMN_METHOD_ATTENTION_FLOW;
}

int limn_text_method_is_signed(limn_method m) {
  return limn_text_method_is_attribution(m) && m != LIMN_METHOD_SALIENCY;
}

int limn_text_trust(const limn_explanation *e, double aopc, double random_aopc, char *why, size_t cap) {
  if (why && cap)
    why[0] = 0;
  if (!e)
    return 1;
  if (!limn_text_method_is_attribution(e->method)) {
    if (why && cap)
      snprintf(why, cap, "not an attribution: it shows where attention goes, not what drives the output");
    return 0;
  }
  int ok = limn_explain_trust(e, NULL, why, cap);
  double moved = fmax(fabs(aopc), fabs(random_aopc)), scale = fmax(1, fabs(e->output));
  if (limn_text_method_is_signed(e->method) && !isnan(aopc) && !isnan(random_aopc) && moved >= 1e-3 * scale &&
      !(aopc > random_aopc)) {
    size_t len = why && cap ? strlen(why) : 0;
    if (why && cap > len)
      snprintf(
          why + len, cap - len,
          "%sdeleting its top tokens changes the output no more than deleting tokens at random (AOPC %.3g "
          "against %.3g)",
          len ? "; " : "", aopc, random_aopc);
    ok = 0;
  }
  return ok;
}

const char *limn_text_method_title(limn_method m) {
  switch (m) {
  case LIMN_METHOD_IG:
    return "Integrated Gradients (token embeddings)";
  case LIMN_METHOD_GRADXINPUT:
    return "gradient x input (token embeddings)";
  case LIMN_METHOD_SALIENCY:
    return "saliency (gradient norm, unsigned)";
  case LIMN_METHOD_OCCLUSION:
    return "occlusion (each token deleted)";
  case LIMN_METHOD_LIME_TEXT:
    return "LIME on words";
  case LIMN_METHOD_ATTENTION_ROLLOUT:
    return "attention rollout (not an attribution)";
  case LIMN_METHOD_ATTENTION_FLOW:
    return "attention flow (not an attribution)";
  default:
    return limn_method_name(m) ? limn_method_name(m) : "?";
  }
}

/* HTML text of bytes s[0..n): escaped; control characters as spaces. */
static void html_bytes(limn__out *f, const char *s, size_t n) {
  for (size_t q = 0; q < n; q++) {
    char c = s[q];
    if (c == '<')
      limn__puts(f, "&lt;");
    else if (c == '>')
      limn__puts(f, "&gt;");
    else if (c == '&')
      limn__puts(f, "&amp;");
    else if (c == '"')
      limn__puts(f, "&quot;");
    else if ((unsigned char)c < 0x20 && c != '\n' && c != '\t')
      limn__putc(f, ' ');
    else
      limn__putc(f, c);
  }
}

/* The colour of weight w against the largest mx: "R,G,B" and its opacity. */
static const char *tint(double w, double mx, int sgn, double *alpha) {
  *alpha = mx > 0 ? 0.8 * fmin(1.0, fabs(w) / mx) : 0.0;
  return !sgn ? "118,42,131" : w >= 0 ? "214,39,40" : "31,119,180";
}

/* The largest |weight| over the tokens shown ([CLS] has no place in the text). */
static double largest(const limn_explanation *e, const limn_tokens *t, int markers) {
  double mx = 0;
  for (size_t j = 0; j < t->n && j < e->nfeatures; j++)
    if (markers || t->start[j] < t->end[j])
      mx = fmax(mx, fabs(e->attr[j]));
  return mx;
}

/* The method most worth trusting for a row: the highest AOPC of the explanations that
 * hold up and beat the random order; -1 when none does. */
static long most_faithful(const limn_text_render_row *r) {
  long best = -1;
  for (size_t k = 0; r->aopc && k < r->nmethods; k++) {
    char why[8];
    if (!limn_text_method_is_signed(r->ex[k].method) ||
        !limn_text_trust(&r->ex[k], r->aopc[k], r->random_aopc[k], why, sizeof why) ||
        !(r->aopc[k] > r->random_aopc[k]))
      continue;
    if (best < 0 || r->aopc[k] > r->aopc[best])
      best = (long)k;
  }
  return best;
}

static void html_method(limn__out *f, const limn_text_render_opts *o, const limn_text_render_row *r, size_t k,
                        int best) {
  const limn_explanation *e = &r->ex[k];
  const limn_tokens *t = r->tokens;
  char why[1024], b[40];
  int ok = limn_text_trust(e, r->aopc ? r->aopc[k] : NAN, r->aopc ? r->random_aopc[k] : NAN, why, sizeof why);
  int sgn = limn_text_method_is_signed(e->method);
  limn__printf(f, "<div style=\"margin:.5em 0;padding:.3em .6em;border-left:4px solid %s\">\n",
               best ? "#2ca02c" : "#ddd");
  limn__printf(f, "<div style=\"font-size:.9em;color:#333\"><strong>%s</strong>",
               limn_text_method_title(e->method));
  if (best)
    limn__puts(
        f, " <span style=\"background:#2ca02c;color:#fff;padding:0 .4em;border-radius:3px;font-size:.85em\">"
           "most faithful here</span>");
  limn__puts(f, "</div>\n");
  if (!ok && limn_text_method_is_attribution(e->method)) {
    limn__puts(
        f, "<p style=\"background:#fff3cd;border-left:4px solid #c77c02;padding:.3em .6em;margin:.3em 0\">"
           "<strong>Not reliable:</strong> ");
    html_bytes(f, why, strlen(why));
    limn__puts(f, "</p>\n");
  } else if (!limn_text_method_is_attribution(e->method)) {
    limn__puts(
        f, "<p style=\"color:#555;margin:.2em 0;font-size:.9em\"><strong>Not an attribution:</strong> where "
           "the model's attention flows to the [CLS] position, not what drives the prediction.</p>\n");
  }
  limn__puts(f, "<p style=\"font-size:1.05em;overflow-wrap:anywhere;margin:.3em 0;line-height:1.6\">");
  double mx = largest(e, t, 0), a;
  size_t at = 0;
  for (size_t j = 0; j < t->n && j < e->nfeatures; j++) {
    if (t->start[j] == t->end[j])
      continue;
    html_bytes(f, r->text + at, t->start[j] - at);
    const char *rgb = tint(e->attr[j], mx, sgn, &a);
    limn__fmt_json_double(b, sizeof b, e->attr[j]);
    limn__printf(f,
                 "<span style=\"background:rgba(%s,%.2f);%sborder-radius:3px;padding:0 1px\" title=\"%s\">",
                 rgb, a, a > 0.45 ? "color:#fff;" : "", b);
    html_bytes(f, r->text + t->start[j], t->end[j] - t->start[j]);
    limn__puts(f, "</span>");
    at = t->end[j];
  }
  if (t->truncated) {
    limn__puts(f, "<span style=\"color:#999\">");
    html_bytes(f, r->text + at, r->len - at);
    limn__puts(f, "</span> <em style=\"color:#999\">(cut: beyond the model's length)</em>");
  } else {
    html_bytes(f, r->text + at, r->len - at);
  }
  limn__puts(f, "</p>\n<p style=\"color:#555;font-size:.85em;margin:.1em 0\">");
  if (e->method == LIMN_METHOD_IG)
    limn__printf(f, "Completeness gap %.3g of a change of %.3g. ", e->delta, e->output - e->base_value);
  if (e->method == LIMN_METHOD_LIME_TEXT)
    limn__printf(f, "Surrogate R&sup2; %.3g, predicting %.3g at the text. ", e->score, e->local_pred);
  if (r->aopc && limn_text_method_is_attribution(e->method))
    limn__printf(
        f, "Deleting its top %zu tokens lowers the output by %.3g on average (AOPC; a random order: %.3g).",
        o->deletion_k, r->aopc[k], r->random_aopc[k]);
  limn__puts(f, "</p>\n</div>\n");
}

/* The page's head, its title and the sentence on colours (and on the mark with several
 * methods). */
static void page_head(limn__out *f, const char *title, const char *intro, int several) {
  limn__puts(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                "'unsafe-inline'\"><title>limn: ");
  html_bytes(f, title, strlen(title));
  limn__puts(f, "</title></head>\n"
                "<body style=\"font-family:system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em;"
                "color:#222;line-height:1.5\">\n<h1 style=\"font-size:1.4em\">");
  html_bytes(f, title, strlen(title));
  limn__puts(f, "</h1>\n<p style=\"color:#555\">");
  if (intro)
    html_bytes(f, intro, strlen(intro)), limn__puts(f, ". ");
  limn__puts(
      f,
      "<span style=\"background:rgba(214,39,40,0.6);padding:0 .3em\">Red</span> pushes toward the class "
      "explained, <span style=\"background:rgba(31,119,180,0.6);padding:0 .3em\">blue</span> away from it, "
      "<span style=\"background:rgba(118,42,131,0.5);padding:0 .3em\">purple</span> is unsigned; the "
      "stronger the colour, the larger the weight (each map against its own largest).");
  if (several)
    limn__puts(
        f, " Each text is explained by several methods: the one marked <em>most faithful here</em> has the "
           "largest drop in the output when its top tokens are deleted (AOPC), among those whose own checks "
           "hold and that beat deleting tokens in a random order.");
  limn__puts(f, "</p>\n");
}

/* One text: its heading and each method's tokens and checks. */
static void text_section(limn__out *f, const limn_text_render_opts *o, const limn_text_render_row *r,
                         int several, int anchored) {
  limn__puts(f, "<section");
  if (anchored)
    limn__printf(f, " id=\"text-%zu\"", r->row);
  limn__printf(f,
               " style=\"border-top:1px solid #ddd;padding:.6em 0\">\n<h2 style=\"font-size:1.05em;"
               "margin:.2em 0\">Text %zu <span style=\"font-weight:normal;color:#555\">(line %zu",
               r->row, r->line);
  if (r->label)
    limn__puts(f, "; label "), html_bytes(f, r->label, strlen(r->label));
  limn__puts(f, ")</span>: ");
  html_bytes(f, r->target ? r->target : "", r->target ? strlen(r->target) : 0);
  if (r->nmethods)
    limn__printf(f, " %.4g", r->ex[0].output);
  limn__puts(f, "</h2>\n");
  long best = several ? most_faithful(r) : -1;
  for (size_t k = 0; k < r->nmethods; k++)
    html_method(f, o, r, k, (long)k == best);
  limn__puts(f, "</section>\n");
}

static int several_methods(const limn_text_render_row *rows, size_t n) {
  int several = 0;
  for (size_t i = 0; i < n; i++)
    several |= rows[i].nmethods > 1;
  return several;
}

int limn_render_text_html(limn_ctx *ctx, const limn_text_render_opts *o, const limn_text_render_row *rows,
                          size_t n, limn_sink sink) {
  if (!ctx || !o || (!rows && n))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_render_text_html: options and rows are needed")
               : LIMN_EINVAL;
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  int several = several_methods(rows, n);
  page_head(f, "Which words drove the prediction", o->intro, several);
  for (size_t i = 0; i < n; i++)
    text_section(f, o, &rows[i], several, 0);
  limn__printf(f, "<p style=\"color:#888;font-size:.8em\">limn %s</p>\n</body></html>\n", limn_version());
  return limn__out_finish(ctx, f);
}

int limn_render_text_svg(limn_ctx *ctx, const limn_text_render_opts *o, const limn_text_render_row *rows,
                         size_t n, limn_sink sink) {
  if (!ctx || !o || (!rows && n))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_render_text_svg: options and rows are needed")
               : LIMN_EINVAL;
  const double cw = 7.2, lh = 22, width = 760;
  size_t lines = 2;
  for (size_t i = 0; i < n; i++) /* the height: the layout run once dry */
    for (size_t k = 0; k < rows[i].nmethods; k++) {
      const limn_tokens *t = rows[i].tokens;
      double x = 10;
      lines += 3;
      for (size_t j = 0; j < t->n; j++) {
        double wd = cw * (double)(t->end[j] > t->start[j] ? t->end[j] - t->start[j] : 5) + 6;
        if (x + wd > width - 10)
          x = 10, lines++;
        x += wd;
      }
    }
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  double H = 20 + lh * (double)lines, y = 20;
  limn__printf(
      f,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"monospace\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
      width, H, width, H);
  if (o->intro) {
    limn__puts(f, "<text x=\"10\" y=\"18\" font-family=\"sans-serif\" font-size=\"13\">");
    limn__xml(f, o->intro);
    limn__puts(f, "</text>\n");
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < rows[i].nmethods; k++) {
      const limn_text_render_row *r = &rows[i];
      const limn_explanation *e = &r->ex[k];
      const limn_tokens *t = r->tokens;
      char why[1024];
      int ok =
          limn_text_trust(e, r->aopc ? r->aopc[k] : NAN, r->aopc ? r->random_aopc[k] : NAN, why, sizeof why);
      y += lh;
      limn__printf(
          f, "<text x=\"10\" y=\"%.0f\" font-family=\"sans-serif\" font-weight=\"bold\">Text %zu, %s: ", y,
          r->row, limn_text_method_title(e->method));
      limn__xml(f, r->target ? r->target : "");
      limn__printf(f, " %.4g%s</text>\n", e->output,
                   ok || !limn_text_method_is_attribution(e->method) ? "" : " (NOT RELIABLE)");
      y += lh;
      double mx = largest(e, t, 1), x = 10, a;
      int sgn = limn_text_method_is_signed(e->method);
      for (size_t j = 0; j < t->n && j < e->nfeatures; j++) {
        char tok[160];
        size_t len = t->end[j] - t->start[j];
        if (!len)
          snprintf(tok, sizeof tok, "%s", o->vocab ? limn_vocab_token(o->vocab, (size_t)t->ids[j]) : "[CLS]");
        else { /* at most 150 bytes, cut between characters */
          size_t c = len < 150 ? len : 150;
          while (c < len && c > 0 && ((unsigned char)r->text[t->start[j] + c] & 0xC0) == 0x80)
            c--;
          snprintf(tok, sizeof tok, "%.*s", (int)c, r->text + t->start[j]);
        }
        double wd = cw * (double)(len ? len : 5) + 6;
        if (x + wd > width - 10)
          x = 10, y += lh;
        const char *rgb = tint(e->attr[j], mx, sgn, &a);
        limn__printf(f,
                     "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"18\" rx=\"3\" fill=\"rgb(%s)\" "
                     "fill-opacity=\"%.2f\"><title>%g</title></rect><text x=\"%.1f\" y=\"%.0f\" fill=\"%s\">",
                     x, y - 13, wd - 2, rgb, a, e->attr[j], x + 2, y, a > 0.45 ? "#fff" : "#222");
        limn__xml(f, tok);
        limn__puts(f, "</text>\n");
        x += wd;
      }
      y += lh;
    }
  limn__puts(f, "</svg>\n");
  return limn__out_finish(ctx, f);
}

/* ---- the text report ---- */

#define DD "<dd style=\"margin:0 0 .3em 1.2em\">" /* a provenance entry */

/* IG's rule in words. */
static const char *quad_words(limn_quadrature q) {
  return q == LIMN_QUAD_GAUSS_LEGENDRE ? "Gauss-Legendre" : limn_quadrature_name(q);
}

limn_text_report_opts limn_text_report_opts_default(void) {
  limn_text_report_opts o;
  memset(&o, 0, sizeof o);
  o.explain = limn_text_opts_default();
  o.deletion_k = 10;
  return o;
}

static const limn_method default_methods[] = {LIMN_METHOD_IG, LIMN_METHOD_GRADXINPUT, LIMN_METHOD_OCCLUSION,
                                              LIMN_METHOD_LIME_TEXT, LIMN_METHOD_ATTENTION_ROLLOUT};

static int report_check(limn_ctx *ctx, const limn_text_report_opts *in) {
  if (!in || !in->model || !in->vocab || !in->texts || (!in->rows && in->nrows) ||
      (!in->methods && in->nmethods))
    return limn__err(ctx, LIMN_EINVAL,
                     "limn_text_report_write: a model, its vocabulary, texts and rows are "
                     "required");
  if (!limn_model_is_text(in->model))
    return limn__err(ctx, LIMN_EINVAL,
                     "limn_text_report_write: the model is not a text model "
                     "(limn_model_load_onnx_text)");
  if (limn_model_text_vocab(in->model) != limn_vocab_size(in->vocab))
    return limn__err(ctx, LIMN_ESHAPE, "the vocabulary has %zu tokens, the model's embedding table %zu",
                     limn_vocab_size(in->vocab), limn_model_text_vocab(in->model));
  if (limn_vocab_pad(in->vocab) < 0)
    return limn__err(ctx, LIMN_EINVAL, "the vocabulary has no [PAD] token");
  if (in->nrows == 0 || in->nrows > 200)
    return limn__err(ctx, LIMN_EINVAL, "%zu texts to explain: one page takes 1 to 200", in->nrows);
  for (size_t i = 0; i < in->nrows; i++)
    if (in->rows[i] >= in->texts->n)
      return limn__err(ctx, LIMN_EINVAL, "text %zu is out of range (there are %zu texts)", in->rows[i],
                       in->texts->n);
  for (size_t k = 0; k < in->nmethods; k++)
    if (!limn_text_method_supported(in->methods[k]))
      return limn__err(ctx, LIMN_EINVAL, "%s does not explain texts (" LIMN_TEXT_METHODS " do)",
                       limn_method_name(in->methods[k]) ? limn_method_name(in->methods[k]) : "the method");
  if (in->methods && !in->nmethods)
    return limn__err(ctx, LIMN_EINVAL, "limn_text_report_write: no method to compare");
  if (in->nmethods > 16)
    return limn__err(ctx, LIMN_EINVAL, "%zu methods: one page compares 16 at most", in->nmethods);
  if (in->deletion_k < 1 || in->deletion_k > 4096)
    return limn__err(ctx, LIMN_EINVAL, "deletion_k %zu: 1 to 4096", in->deletion_k);
  return LIMN_OK;
}

/* One input in the provenance: its path (or what stands for it), what it is, its digest. */
static void prov_file(limn__out *f, const char *what, const char *path, const char *none, const char *about,
                      const char *sha) {
  limn__printf(f, "<dt>%s</dt>" DD, what);
  if (path) {
    limn__puts(f, "<code>");
    html_bytes(f, path, strlen(path));
    limn__puts(f, "</code>");
  } else {
    limn__puts(f, none);
  }
  limn__printf(f, " (%s)", about);
  if (*sha)
    limn__printf(f, ", SHA-256 <code>%s</code>", sha);
  limn__puts(f, "</dd>\n");
}

/* The table of explained texts: prediction, label and the method to trust. */
static void text_summary(limn__out *f, const limn_text_render_row *rows, size_t n, int several) {
  limn__puts(f, "<h2 style=\"font-size:1.1em;margin:1em 0 .3em\">Explained texts</h2>\n"
                "<div style=\"overflow-x:auto\"><table style=\"border-collapse:collapse;font-size:.9em\">\n"
                "<thead><tr style=\"text-align:left;border-bottom:2px solid #999\"><th style=\"padding:.2em "
                ".4em\">Text</th><th style=\"padding:.2em .4em\">Label</th><th style=\"padding:.2em .4em\">"
                "Predicted</th><th style=\"padding:.2em .4em\">Most faithful</th><th style=\"padding:"
                ".2em .4em\">Not reliable</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < n; i++) {
    const limn_text_render_row *r = &rows[i];
    limn__printf(f,
                 "<tr style=\"border-bottom:1px solid #ddd\"><td style=\"padding:.2em .4em\"><a "
                 "href=\"#text-%zu\">%zu</a> <span style=\"color:#777\">(line %zu)</span></td><td "
                 "style=\"padding:.2em .4em\">",
                 r->row, r->row, r->line);
    if (r->label)
      html_bytes(f, r->label, strlen(r->label));
    limn__puts(f, "</td><td style=\"padding:.2em .4em\">");
    html_bytes(f, r->target ? r->target : "", r->target ? strlen(r->target) : 0);
    if (r->nmethods)
      limn__printf(f, " %.4g", r->ex[0].output);
    long best = several ? most_faithful(r) : -1;
    limn__printf(f, "</td><td style=\"padding:.2em .4em\">%s</td><td style=\"padding:.2em .4em\">",
                 best >= 0 ? limn_method_name(r->ex[best].method)
                 : several ? "none holds up"
                           : "-");
    size_t bad = 0;
    for (size_t k = 0; k < r->nmethods; k++) {
      char why[8];
      if (limn_text_method_is_attribution(r->ex[k].method) &&
          !limn_text_trust(&r->ex[k], r->aopc ? r->aopc[k] : NAN, r->aopc ? r->random_aopc[k] : NAN, why,
                           sizeof why))
        limn__printf(f, "%s%s", bad++ ? ", " : "", limn_method_name(r->ex[k].method));
    }
    limn__puts(f, bad ? "" : "none");
    limn__puts(f, "</td></tr>\n");
  }
  limn__puts(f, "</tbody></table></div>\n<div style=\"height:1em\"></div>\n");
}

static void text_provenance(limn__out *f, const limn_text_report_opts *in, const limn_method *meth, size_t nm,
                            const char *msha, const char *vsha, const char *tsha) {
  const limn_text_opts *o = &in->explain;
  char about[160];
  limn__puts(f, "<section id=\"provenance\" style=\"border-top:1px solid #ddd;padding:.6em 0\">\n"
                "<h2 style=\"font-size:1.1em;margin:.2em 0\">Provenance</h2>\n<dl style=\"margin:.3em "
                "0;overflow-wrap:anywhere\">\n");
  limn__printf(f, "<dt>limn</dt>" DD "%s</dd>\n", limn_version());
  snprintf(about, sizeof about, "ONNX text model, %zu tokens a text at most, %zu outputs",
           limn_model_nfeatures(in->model), limn_model_noutputs(in->model));
  prov_file(f, "Model", in->model_path, "a model in memory", about, msha);
  snprintf(about, sizeof about, "%zu tokens, %s", limn_vocab_size(in->vocab),
           limn_vocab_is_wordpiece(in->vocab) ? "WordPiece" : "word-level");
  prov_file(f, "Vocabulary", in->vocab_path, "a vocabulary in memory", about, vsha);
  snprintf(about, sizeof about, "%zu texts, %zu explained", in->texts->n, in->nrows);
  prov_file(f, "Texts", in->texts_path, "texts in memory", about, tsha);
  limn__puts(f, "<dt>Methods</dt>" DD);
  for (size_t k = 0; k < nm; k++)
    limn__printf(f, "%s%s", k ? ", " : "", limn_method_name(meth[k]));
  limn__printf(f, "; each explains the %s", o->space == LIMN_SPACE_LOGIT ? "logit" : "probability");
  if (o->target >= 0) {
    const char *c = limn_model_output_name(in->model, (size_t)o->target);
    limn__puts(f, " of class ");
    html_bytes(f, c ? c : "?", c ? strlen(c) : 1);
  } else {
    limn__puts(f, " of the predicted class");
  }
  limn__puts(f, "</dd>\n");
  limn__printf(f,
               "<dt>Integrated Gradients</dt>" DD "%zu %s nodes from %s "
               "embeddings</dd>\n",
               o->steps, quad_words(o->quadrature),
               o->baseline == LIMN_TEXT_BASELINE_PAD ? "the [PAD] token's" : "zero");
  limn__printf(f,
               "<dt>LIME</dt>" DD "%zu texts, words removed at random, cosine "
               "kernel of width %g, %zu words in "
               "the surrogate</dd>\n",
               o->num_samples, o->kernel_width, o->num_features);
  limn__printf(f,
               "<dt>Deletion check</dt>" DD "the top 1..%zu tokens deleted, "
               "against the same for a random "
               "order</dd>\n<dt>Seed</dt>" DD "%llu</dd>\n",
               in->deletion_k, (unsigned long long)o->seed);
  if (in->command) {
    limn__puts(f, "<dt>Reproduce</dt>" DD "<code>");
    html_bytes(f, in->command, strlen(in->command));
    limn__puts(f, "</code></dd>\n");
  }
  limn__puts(f,
             "</dl>\n<p style=\"color:#555;font-size:.9em\">The same model, vocabulary, texts, options and "
             "seed give this page byte for byte, whatever the thread count.</p>\n</section>\n");
}

/* The rows a text model reads: the texts tokenised as it reads them, padded with [PAD]. */
static int report_rows(limn_ctx *ctx, const limn_text_report_opts *in, size_t w, limn_tokens *tok, float *x) {
  const limn_texts *t = in->texts;
  float pad = (float)limn_vocab_pad(in->vocab);
  for (size_t i = 0; i < in->nrows; i++) {
    size_t r = in->rows[i];
    int rc = limn_text_tokenize(ctx, in->vocab, t->text[r], t->len[r], w, &tok[i]);
    if (rc) {
      char msg[300];
      snprintf(msg, sizeof msg, "%s", limn_ctx_errmsg(ctx));
      return limn__err(ctx, rc, "%s line %zu: %s", in->texts_path ? in->texts_path : "texts",
                       t->line ? t->line[r] : r + 1, msg);
    }
    for (size_t j = 0; j < w; j++)
      x[i * w + j] = j < tok[i].n ? (float)tok[i].ids[j] : pad;
  }
  return LIMN_OK;
}

int limn_text_report_write(limn_ctx *ctx, const limn_text_report_opts *in, limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  LIMN_TRY(report_check(ctx, in));
  const limn_method *meth = in->methods ? in->methods : default_methods;
  size_t nm = in->methods ? in->nmethods : sizeof default_methods / sizeof *default_methods;
  char msha[65], vsha[65], tsha[65];
  LIMN_TRY(limn__file_digest(ctx, in->model_path, msha));
  LIMN_TRY(limn__file_digest(ctx, in->vocab_path, vsha));
  LIMN_TRY(limn__file_digest(ctx, in->texts_path, tsha));
  const limn_model *m = in->model;
  size_t n = in->nrows, w = limn_model_nfeatures(m), kd = in->deletion_k;
  limn_tokens *tok = limn__calloc(ctx, n, sizeof *tok);
  float *x = limn__calloc(ctx, n * w + 1, sizeof *x);
  limn_explanation **ex = limn__calloc(ctx, nm, sizeof *ex),
                   *byrow = limn__calloc(ctx, n * nm, sizeof *byrow);
  double *aopc = limn__calloc(ctx, n * nm, sizeof *aopc), *raopc = limn__calloc(ctx, n * nm, sizeof *raopc);
  double *cv = limn__calloc(ctx, n * (kd + 1), sizeof *cv), *a1 = limn__calloc(ctx, n, sizeof *a1),
         *a2 = limn__calloc(ctx, n, sizeof *a2);
  limn_text_render_row *rows = limn__calloc(ctx, n, sizeof *rows);
  int rc = tok && x && ex && byrow && aopc && raopc && cv && a1 && a2 && rows ? LIMN_OK : LIMN_ENOMEM;
  if (!rc)
    rc = report_rows(ctx, in, w, tok, x);
  limn_text_opts o = in->explain;
  o.targets = NULL, o.row_ids = in->rows, o.first_is_cls = limn_vocab_cls(in->vocab) >= 0;
  for (size_t k = 0; k < nm && !rc; k++) { /* each method on every text, then its deletion checks */
    int attr = limn_text_method_is_attribution(meth[k]);
    o.method = meth[k];
    rc = limn_explain_text(ctx, m, x, n, &o, &ex[k]);
    if (!rc && attr)
      rc = limn_text_deletion(ctx, m, x, n, ex[k], kd, o.first_is_cls, 0, 0, in->rows, cv, a1);
    if (!rc && attr)
      rc = limn_text_deletion(ctx, m, x, n, ex[k], kd, o.first_is_cls, 1, o.seed, in->rows, cv, a2);
    for (size_t i = 0; i < n && !rc; i++) {
      byrow[i * nm + k] = ex[k][i];
      aopc[i * nm + k] = attr ? a1[i] : NAN;
      raopc[i * nm + k] = attr ? a2[i] : NAN;
    }
  }
  if (!rc) {
    const limn_texts *t = in->texts;
    for (size_t i = 0; i < n; i++) {
      size_t r = in->rows[i];
      limn_text_render_row *q = &rows[i];
      q->row = r, q->line = t->line ? t->line[r] : r + 1, q->text = t->text[r], q->len = t->len[r];
      q->tokens = &tok[i], q->label = t->label ? t->label[r] : NULL;
      q->target = limn_model_output_name(m, byrow[i * nm].target);
      q->nmethods = nm, q->ex = byrow + i * nm, q->aopc = aopc + i * nm, q->random_aopc = raopc + i * nm;
    }
    char intro[200];
    snprintf(intro, sizeof intro, "IG with %zu %s nodes from %s embeddings; LIME with %zu texts", o.steps,
             quad_words(o.quadrature), o.baseline == LIMN_TEXT_BASELINE_PAD ? "[PAD]" : "zero",
             o.num_samples);
    limn_text_render_opts ro = {in->vocab, intro, kd};
    int several = nm > 1;
    limn__out out, *f = &out;
    limn__out_init(f, sink);
    page_head(f, in->title ? in->title : "Which words drove the prediction", intro, several);
    text_summary(f, rows, n, several);
    for (size_t i = 0; i < n; i++)
      text_section(f, &ro, &rows[i], several, 1);
    text_provenance(f, in, meth, nm, msha, vsha, tsha);
    limn__puts(f, "</body></html>\n");
    rc = limn__out_finish(ctx, f);
  }
  for (size_t k = 0; ex && k < nm; k++)
    if (ex[k])
      limn_explanations_free(ctx, ex[k], n);
  for (size_t i = 0; tok && i < n; i++)
    limn_tokens_free(ctx, &tok[i]);
  limn__free(ctx, tok), limn__free(ctx, x), limn__free(ctx, ex), limn__free(ctx, byrow);
  limn__free(ctx, aopc), limn__free(ctx, raopc), limn__free(ctx, cv), limn__free(ctx, a1),
      limn__free(ctx, a2);
  limn__free(ctx, rows);
  return rc;
}
