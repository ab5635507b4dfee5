/* The buffered writer over a sink and the one JSON / XML / CSV escaper. */
#include "out.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void limn__out_init(limn__out *o, limn_sink sink) {
  o->sink = sink;
  o->failed = 0;
  o->nomem = 0;
  o->terminal = 0;
  o->held_c2 = 0;
  o->n = 0;
}

static void flush(limn__out *o) {
  if (o->n && !o->failed && o->sink.write && o->sink.write(o->sink.ud, o->buf, o->n) != 0)
    o->failed = 1;
  o->n = 0;
}

void limn__out_terminal(limn__out *o) { o->terminal = 1; }

static void raw_byte(limn__out *o, char c) {
  if (o->n == sizeof o->buf)
    flush(o);
  o->buf[o->n++] = c;
}

static void raw_text(limn__out *o, const char *s) {
  while (*s)
    raw_byte(o, *s++);
}

/* One byte of terminal text (see out.h); a 0xC2 waits for the byte after it. */
static void term_byte(limn__out *o, unsigned char c) {
  char esc[16];
  if (o->held_c2) {
    o->held_c2 = 0;
    if (c >= 0x80 && c <= 0x9f) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      raw_text(o, esc);
      return;
    }
    raw_byte(o, (char)0xc2);
  }
  if (c == 0xc2) {
    o->held_c2 = 1;
  } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
    snprintf(esc, sizeof esc, "\\x%02x", c);
    raw_text(o, esc);
  } else {
    raw_byte(o, (char)c);
  }
}

void limn__out_write(limn__out *o, const char *data, size_t len) {
  if (o->terminal) {
    for (size_t i = 0; i < len; i++)
      term_byte(o, (unsigned char)data[i]);
    return;
  }
  while (len) {
    if (o->n == sizeof o->buf)
      flush(o);
    size_t k = sizeof o->buf - o->n < len ? sizeof o->buf - o->n : len;
    memcpy(o->buf + o->n, data, k);
    o->n += k, data += k, len -= k;
  }
}

void limn__puts(limn__out *o, const char *s) { limn__out_write(o, s, strlen(s)); }

void limn__putc(limn__out *o, char c) {
  if (o->terminal)
    term_byte(o, (unsigned char)c);
  else
    raw_byte(o, c);
}

void limn__printf(limn__out *o, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (k < 0) {
    o->failed = 1;
    return;
  }
  if ((size_t)k < sizeof small) {
    limn__out_write(o, small, (size_t)k);
    return;
  }
  char *big = malloc((size_t)k + 1); /* rare: a long line of text */
  if (!big) {
    o->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)k + 1, fmt, ap);
  va_end(ap);
  limn__out_write(o, big, (size_t)k);
  free(big);
}

int limn__out_finish(limn_ctx *ctx, limn__out *o) {
  if (o->held_c2) /* a 0xC2 at the very end */
    raw_byte(o, (char)0xc2), o->held_c2 = 0;
  flush(o);
  if (o->nomem)
    return ctx ? limn__err(ctx, LIMN_ENOMEM, "out of memory while writing") : LIMN_ENOMEM;
  if (o->failed)
    return ctx ? limn__err(ctx, LIMN_EIO, "write error: the output refused the bytes") : LIMN_EIO;
  return LIMN_OK;
}

void limn__json_str(limn__out *o, const char *s) {
  limn__putc(o, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"':
      limn__puts(o, "\\\"");
      break;
    case '\\':
      limn__puts(o, "\\\\");
      break;
    case '\b':
      limn__puts(o, "\\b");
      break;
    case '\f':
      limn__puts(o, "\\f");
      break;
    case '\n':
      limn__puts(o, "\\n");
      break;
    case '\r':
      limn__puts(o, "\\r");
      break;
    case '\t':
      limn__puts(o, "\\t");
      break;
    default:
      if (*p < 0x20)
        limn__printf(o, "\\u%04x", *p);
      else
        limn__putc(o, (char)*p);
    }
  }
  limn__putc(o, '"');
}

void limn__xml(limn__out *o, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      limn__puts(o, "&lt;");
    else if (*s == '>')
      limn__puts(o, "&gt;");
    else if (*s == '&')
      limn__puts(o, "&amp;");
    else if (*s == '"')
      limn__puts(o, "&quot;");
    else
      limn__putc(o, *s);
  }
}

void limn__csv_field(limn__out *o, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    limn__puts(o, s);
    return;
  }
  limn__putc(o, '"');
  for (; *s; s++) {
    if (*s == '"')
      limn__putc(o, '"');
    limn__putc(o, *s);
  }
  limn__putc(o, '"');
}

void limn__fmt_json_double(char *buf, size_t cap, double v) {
  if (!isfinite(v))
    snprintf(buf, cap, "null");
  else
    limn_format_double(buf, cap, v);
}

void limn__json_num(limn__out *o, double v) {
  char b[40];
  limn__fmt_json_double(b, sizeof b, v);
  limn__puts(o, b);
}

/* ---- public ---- */

static int file_write(void *ud, const char *data, size_t len) {
  return fwrite(data, 1, len, (FILE *)ud) == len ? 0 : -1;
}

limn_sink limn_sink_file(FILE *f) {
  limn_sink s = {file_write, f};
  return s;
}

typedef void (*escaper)(limn__out *o, const char *s);

static int escape_to(limn_sink sink, const char *s, escaper fn) {
  limn__out o;
  limn__out_init(&o, sink);
  fn(&o, s ? s : "");
  return limn__out_finish(NULL, &o);
}

int limn_write_json_string(limn_sink sink, const char *s) { return escape_to(sink, s, limn__json_str); }
int limn_write_xml_text(limn_sink sink, const char *s) { return escape_to(sink, s, limn__xml); }
int limn_write_csv_field(limn_sink sink, const char *s) { return escape_to(sink, s, limn__csv_field); }

static const char *const format_names[] = {"text", "json", "jsonl", "csv", "svg"};

const char *limn_format_name(limn_format f) {
  return (unsigned)f < sizeof format_names / sizeof *format_names ? format_names[f] : "unknown";
}

int limn_format_parse(const char *name, limn_format *out) {
  long i = limn__name_index(name, format_names, sizeof format_names / sizeof *format_names);
  return i < 0 ? LIMN_EINVAL : (*out = (limn_format)i, LIMN_OK);
}
