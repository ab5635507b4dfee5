/* Text explanations for people (docs/text.md): tokens coloured in place in HTML and
 * SVG, each explanation's checks, and which method to trust for a text. */
#include "limn/text.h"
#include "out.h"
#include <math.h>
#include <string.h>

int limn_text_method_is_attribution(limn_method m) {
  return m != LIMN_METHOD_ATTENTION_ROLLOUT && m != LIMN_METHOD_ATTENTION_FLOW;
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

int limn_render_text_html(limn_ctx *ctx, const limn_text_render_opts *o, const limn_text_render_row *rows,
                          size_t n, limn_sink sink) {
  if (!ctx || !o || (!rows && n))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_render_text_html: options and rows are needed")
               : LIMN_EINVAL;
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  int several = 0;
  for (size_t i = 0; i < n; i++)
    several |= rows[i].nmethods > 1;
  limn__puts(
      f,
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>limn: which words drove the prediction</title></head>\n"
      "<body style=\"font-family:system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em;"
      "color:#222;line-height:1.5\">\n<h1 style=\"font-size:1.4em\">Which words drove the prediction</h1>\n"
      "<p style=\"color:#555\">");
  if (o->intro)
    html_bytes(f, o->intro, strlen(o->intro)), limn__puts(f, ". ");
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
  for (size_t i = 0; i < n; i++) {
    const limn_text_render_row *r = &rows[i];
    limn__printf(f,
                 "<section style=\"border-top:1px solid #ddd;padding:.6em 0\">\n<h2 style=\"font-size:1.05em;"
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
  limn__printf(f, "<p style=\"color:#888;font-size:.8em\">limn %s</p>\n</body></html>\n", limn_version());
  (void)o->vocab;
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
