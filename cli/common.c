/* Option parsing, errors, output helpers for the limn CLI. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath */
#endif
#include "common.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_help(const cli_cmd *cmd) {
  printf("usage: %s\n\n%s\n\noptions:\n", cmd->usage, cmd->description);
  for (size_t i = 0; i < cmd->nopts; i++) {
    const cli_opt *o = &cmd->opts[i];
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    printf("  %-26s %s", left, o->help);
    if (o->def && !*o->def)
      printf(" (required)");
    else if (o->def)
      printf(" [default: %s]", o->def);
    printf("\n");
  }
  printf("  %-26s %s\n", "--help", "show this help");
}

/* --id-column of a streamed command: whole reads keep that column's text too */
static const char *id_column;

static char last_error[1024];

const char *cli_last_error(void) { return last_error; }

static cli_opt *find_opt(const cli_cmd *cmd, const char *name, size_t len) {
  for (size_t i = 0; i < cmd->nopts; i++)
    if (strlen(cmd->opts[i].name) == len && !strncmp(cmd->opts[i].name, name, len))
      return &cmd->opts[i];
  return NULL;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
usage_error(const cli_cmd *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "limn %s: error: ", cmd->name);
  va_list aq;
  va_copy(aq, ap);
  vsnprintf(last_error, sizeof last_error, fmt, aq);
  va_end(aq);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n(see 'limn %s --help')\n", cmd->name);
  va_end(ap);
  return CLI_USAGE;
}

/* Append a repeated value (joined with ','); the joined text lives until exit. */
static const char *join(const char *old, const char *add) {
  size_t n = strlen(old) + strlen(add) + 2;
  char *s = malloc(n);
  if (!s)
    return add;
  snprintf(s, n, "%s,%s", old, add);
  return s;
}

/* Options that name files the command writes. */
static int is_output(const char *name) {
  return !strcmp(name, "out") || !strcmp(name, "train") || !strcmp(name, "test") || !strcmp(name, "svg");
}

/* An output that is one of the command's input files (the same file, by device and inode),
 * or the same path as another output, would destroy what the command reads or writes:
 * a usage error before any work. */
static int check_outputs(const cli_cmd *cmd) {
  for (size_t i = 0; i < cmd->nopts; i++) {
    const cli_opt *o = &cmd->opts[i];
    struct stat so;
    if (!o->set || !o->val || !is_output(o->name) || !strcmp(o->val, "-"))
      continue;
    int have = stat(o->val, &so) == 0 && S_ISREG(so.st_mode);
    for (size_t j = 0; j < cmd->nopts; j++) {
      const cli_opt *p = &cmd->opts[j];
      struct stat sp;
      if (j == i || !p->set || !p->val || !p->arg)
        continue;
      if (is_output(p->name) && j > i && !strcmp(p->val, o->val))
        return usage_error(cmd, "--%s and --%s are the same file '%s'", o->name, p->name, o->val);
      if (have && !is_output(p->name) && stat(p->val, &sp) == 0 && sp.st_dev == so.st_dev &&
          sp.st_ino == so.st_ino)
        return usage_error(cmd, "--%s '%s' is the file --%s reads: writing it would destroy the input",
                           o->name, o->val, p->name);
    }
  }
  return CLI_OK;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv) {
  for (size_t i = 0; i < cmd->nopts; i++) {
    cmd->opts[i].val = cmd->opts[i].def && *cmd->opts[i].def ? cmd->opts[i].def : NULL;
    cmd->opts[i].set = 0;
  }
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-v") && find_opt(cmd, "verbose", 7))
      a = "--verbose";
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      print_help(cmd);
      return CLI_HELP;
    }
    if (strncmp(a, "--", 2) != 0)
      return usage_error(cmd, "unexpected argument '%s'", a);
    const char *eq = strchr(a + 2, '=');
    size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    cli_opt *o = find_opt(cmd, a + 2, len);
    if (!o)
      return usage_error(cmd, "unknown option '%s'", a);
    const char *v = "1";
    if (o->arg) {
      if (eq)
        v = eq + 1;
      else if (i + 1 < argc)
        v = argv[++i];
      else
        return usage_error(cmd, "option '%s' needs a value", a);
    } else if (eq) {
      return usage_error(cmd, "option '%s' takes no value", a);
    }
    if (o->set && o->repeat)
      o->val = join(o->val, v);
    else if (o->set)
      return usage_error(cmd, "option '--%s' given twice", o->name);
    else
      o->val = v;
    o->set = 1;
  }
  for (size_t i = 0; i < cmd->nopts; i++)
    if (cmd->opts[i].def && !*cmd->opts[i].def && !cmd->opts[i].set)
      return usage_error(cmd, "missing required option '--%s'", cmd->opts[i].name);
  int clash = check_outputs(cmd);
  if (clash)
    return clash;
  size_t threads; /* every command's --threads, checked alike */
  if (cli_get(cmd, "threads") && cli_size(cmd, "threads", 0, 4096, &threads))
    return CLI_USAGE;
  return CLI_OK;
}

const char *cli_get(const cli_cmd *cmd, const char *name) {
  cli_opt *o = find_opt(cmd, name, strlen(name));
  return o ? o->val : NULL;
}
int cli_isset(const cli_cmd *cmd, const char *name) {
  cli_opt *o = find_opt(cmd, name, strlen(name));
  return o && o->set;
}

void cli_put_escaped(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 controls: CSI is U+009B */
      fprintf(f, "\\u%04x", *++p);
    else if (*p < 0x20 || *p == 0x7f) /* C0 (ESC starts a terminal sequence), newline too */
      fprintf(f, "\\x%02x", *p);
    else
      fputc(*p, f);
  }
}

int cli_fail(const char *fmt, ...) {
  char small[1024], *msg = small;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (k >= (int)sizeof small && (msg = malloc((size_t)k + 1)) != NULL) {
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)k + 1, fmt, ap);
    va_end(ap);
  }
  snprintf(last_error, sizeof last_error, "%s", msg ? msg : small);
  fputs("limn: error: ", stderr);
  cli_put_escaped(stderr, msg ? msg : small); /* names from files cannot drive the terminal */
  fputc('\n', stderr);
  if (msg != small)
    free(msg);
  return CLI_FAIL;
}

/* The rows the library is given, for its messages: see cli_batch_rows. */
static struct {
  const limn_dataset *ds;
  const char *file;
  const size_t *rows;
  size_t n, offset; /* offset: the data row of ds's first row (a streamed block) */
} batch;

void cli_batch_rows(const limn_dataset *ds, const char *file, const size_t *rows, size_t n) {
  batch.ds = ds, batch.file = file, batch.rows = rows, batch.n = n, batch.offset = 0;
}

void cli_batch_pick(const size_t *rows, size_t n) { batch.rows = rows, batch.n = n; }

int cli_lib_fail(limn_ctx *ctx, int rc) {
  const char *m = ctx ? limn_ctx_errmsg(ctx) : "";
  if (!*m)
    return cli_fail("%s", limn_status_str(rc));
  /* "row 3: ..." or "FILE: row 3, ...": the library counts the rows of the batch it was
   * given; say which data row and line that is */
  const char *p = !strncmp(m, "row ", 4) ? m : strstr(m, ": row ");
  if (batch.ds && p) {
    const char *num = p + (p == m ? 4 : 6);
    char *end;
    unsigned long long k = strtoull(num, &end, 10);
    if (end > num && (*end == ':' || *end == ',') && k < batch.n) {
      size_t row = batch.rows ? batch.rows[k] : (size_t)k;
      size_t line = limn_dataset_row_line(batch.ds, row);
      return cli_fail("%.*srow %zu (%s line %zu)%s", (int)(num - m - 4), m, batch.offset + row,
                      batch.file ? batch.file : "data", line, end);
    }
  }
  return cli_fail("%s", m);
}

/* 1 when v is a whole number in lo..hi (no sign), stored in *out. */
static int whole_number(const char *v, size_t lo, size_t hi, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long x = v ? strtoull(v, &end, 10) : 0;
  if (!v || !*v || *end || errno || v[0] == '-' || x < lo || x > hi)
    return 0;
  *out = (size_t)x;
  return 1;
}

int cli_size(const cli_cmd *cmd, const char *name, size_t lo, size_t hi, size_t *out) {
  const char *v = cli_get(cmd, name);
  if (!whole_number(v, lo, hi, out))
    return usage_error(cmd, "--%s must be a whole number in %zu..%zu, got '%s'", name, lo, hi, v ? v : "");
  return CLI_OK;
}

int cli_size_auto(const cli_cmd *cmd, const char *name, size_t lo, size_t hi, size_t *out) {
  const char *v = cli_get(cmd, name);
  if (v && !strcmp(v, "auto")) {
    *out = 0;
    return CLI_OK;
  }
  if (!whole_number(v, lo, hi, out))
    return usage_error(cmd, "--%s must be auto or a whole number in %zu..%zu, got '%s'", name, lo, hi,
                       v ? v : "");
  return CLI_OK;
}

int cli_double(const cli_cmd *cmd, const char *name, double lo, double hi, double *out) {
  const char *v = cli_get(cmd, name);
  char *end;
  double x = v ? strtod(v, &end) : NAN;
  if (!v || !*v || *end || !(x >= lo && x <= hi))
    return usage_error(cmd, "--%s must be a number in [%g, %g], got '%s'", name, lo, hi, v ? v : "");
  *out = x;
  return CLI_OK;
}

int cli_u64(const cli_cmd *cmd, const char *name, uint64_t *out) {
  const char *v = cli_get(cmd, name);
  char *end;
  errno = 0;
  unsigned long long x = v ? strtoull(v, &end, 10) : 0;
  if (!v || !*v || *end || errno || v[0] == '-')
    return usage_error(cmd, "--%s must be a non-negative whole number, got '%s'", name, v ? v : "");
  *out = (uint64_t)x;
  return CLI_OK;
}

size_t cli_split_list(char *s, const char **items, size_t max) {
  size_t n = 0;
  if (!s || !*s)
    return 0;
  for (char *p = s; n < max;) {
    items[n++] = p;
    char *c = strchr(p, ',');
    if (!c)
      break;
    *c = 0;
    p = c + 1;
  }
  return n;
}

static void progress(void *ud, const char *what, size_t done, size_t total) {
  const char *cmd = ud;
  fprintf(stderr, "\rlimn %s: %s %zu/%zu", cmd, what, done, total);
  if (done >= total)
    fputc('\n', stderr);
  fflush(stderr);
}

/* --threads 0: the cores other work leaves free right now, at least 1. OpenMP's
 * waiting threads spin, so threads that share a core with another busy process make
 * the work slower than one thread would (the breast-cancer demo on 2 cores with one
 * busy: 1.60 s on 2 threads, 0.83 s on 1; docs/design.md). The number of runnable
 * processes (/proc/loadavg's fourth field, an instant count, ourselves included) says
 * how many cores are taken, less this process's own running threads. 0 (the library's
 * default, every core) when unknown. */
/* Threads of this process that are running now (the BLAS library starts its own). */
static long own_running(void) {
  DIR *d = opendir("/proc/self/task");
  long n = 0;
  struct dirent *de;
  while (d && (de = readdir(d))) {
    char path[300], buf[512];
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/proc/self/task/%.200s/stat", de->d_name);
    FILE *f = fopen(path, "r");
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
      fclose(f);
    buf[len] = '\0';
    const char *p = strrchr(buf, ')'); /* "pid (comm) S ..." */
    n += p && p[1] == ' ' && p[2] == 'R';
  }
  if (d)
    closedir(d);
  return n;
}

int cli_auto_threads(void) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  FILE *f = fopen("/proc/loadavg", "r");
  double a, b, c;
  long running = 0, total = 0;
  int got = f ? fscanf(f, "%lf %lf %lf %ld/%ld", &a, &b, &c, &running, &total) : 0;
  if (f)
    fclose(f);
  if (got != 5 || cores < 1 || running < 1)
    return 0;
  long mine = own_running();
  long free_cores = cores - (running - (mine > 0 ? mine : 1));
  return (int)(free_cores < 1 ? 1 : free_cores > cores ? cores : free_cores);
}

/* LIMN_MAX_DATA / LIMN_MAX_MODEL: a byte count with an optional K, M or G (binary). 1
 * and the value in *out when set and valid; 0 when unset; -1 (reported) when invalid. */
static int env_size(const char *name, size_t *out) {
  const char *v = getenv(name);
  if (!v || !*v)
    return 0;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  int shift = !strcmp(end, "K") || !strcmp(end, "k") ? 10
              : !strcmp(end, "M")                    ? 20
              : !strcmp(end, "G")                    ? 30
                                                     : -1;
  if (!*end)
    shift = 0;
  if (errno || v[0] == '-' || end == v || shift < 0 || x == 0 || x > (SIZE_MAX >> shift)) {
    cli_fail("environment variable %s: expected a size such as 512M or 4G, got '%s'", name, v);
    return -1;
  }
  *out = (size_t)x << shift;
  return 1;
}

/* A context with the environment's input limits; NULL (reported) on failure. */
limn_ctx *cli_ctx_plain(void) {
  size_t md = 0, mm = 0;
  if (env_size("LIMN_MAX_DATA", &md) < 0 || env_size("LIMN_MAX_MODEL", &mm) < 0)
    return NULL;
  limn_ctx *ctx = limn_ctx_create(NULL);
  if (!ctx) {
    cli_fail("out of memory");
    return NULL;
  }
  limn_ctx_set_input_limits(ctx, md, mm);
  return ctx;
}

limn_ctx *cli_ctx(const cli_cmd *cmd) {
  limn_ctx *ctx = cli_ctx_plain();
  if (!ctx)
    return NULL;
  const char *t = cli_get(cmd, "threads");
  if (t)
    limn_ctx_set_threads(ctx, atoi(t) > 0 ? atoi(t) : cli_auto_threads());
  if (isatty(2))
    limn_ctx_set_progress(ctx, progress, (void *)cmd->name);
  return ctx;
}

void cli_fmt_float(char *buf, size_t cap, float v) {
  if (!isfinite(v)) /* as printf spells them (nan, inf, -inf): what the CSV outputs always wrote */
    snprintf(buf, cap, "%g", (double)v);
  else
    limn_format_float(buf, cap, v);
}

void cli_fmt_double(char *buf, size_t cap, double v) {
  if (!isfinite(v))
    snprintf(buf, cap, "null");
  else
    limn_format_double(buf, cap, v);
}

void cli_csv_field(FILE *f, const char *s) { limn_write_csv_field(limn_sink_file(f), s); }
void cli_json_string(FILE *f, const char *s) { limn_write_json_string(limn_sink_file(f), s); }

/* The output being written: a regular file goes to a temporary beside it (the symlink's
 * target when the path is a link, its mode kept) and is renamed over it when complete; a
 * device, FIFO or socket is written in place (never replaced by a file). */
static char tmp_path[4300], final_path[4200];
static int direct_out;

/* Outputs of one set (cli_outputs_begin .. cli_outputs_end): temporaries renamed at the
 * end, all or none. */
enum { MAX_SET = 8 };
static struct { char tmp[4300], fin[4200]; } set_files[MAX_SET];
static int set_n, set_on;

void cli_outputs_begin(void) {
  set_on = 1;
  set_n = 0;
}

int cli_outputs_defer(const char *tmp, const char *fin) {
  if (!set_on)
    return rename(tmp, fin) == 0 ? CLI_OK : cli_fail("%s: cannot write: %s", fin, strerror(errno));
  if (set_n == MAX_SET) {
    remove(tmp);
    return cli_fail("%s: too many outputs in one set", fin);
  }
  snprintf(set_files[set_n].tmp, sizeof set_files[set_n].tmp, "%s", tmp);
  snprintf(set_files[set_n].fin, sizeof set_files[set_n].fin, "%s", fin);
  set_n++;
  return CLI_OK;
}

int cli_outputs_end(int ok) {
  int rc = CLI_OK;
  for (int i = 0; i < set_n; i++) {
    if (ok && rc == CLI_OK && rename(set_files[i].tmp, set_files[i].fin) != 0)
      rc = cli_fail("%s: cannot write: %s", set_files[i].fin, strerror(errno));
    if (!ok || rc != CLI_OK)
      remove(set_files[i].tmp);
  }
  set_on = 0;
  set_n = 0;
  return rc;
}

FILE *cli_open_out(const char *path) {
  if (!path || !strcmp(path, "-"))
    return stdout;
  struct stat st;
  int have = stat(path, &st) == 0; /* follows a symlink to what it names */
  direct_out = 0;
  snprintf(final_path, sizeof final_path, "%s", path);
  if (have && S_ISDIR(st.st_mode)) {
    cli_fail("%s: is a directory", path);
    return NULL;
  }
  if (have && !S_ISREG(st.st_mode)) {
    direct_out = 1;
    FILE *f = fopen(path, "wb");
    if (!f)
      cli_fail("%s: cannot open for writing: %s", path, strerror(errno));
    return f;
  }
  if (have) {
    char *rp = realpath(path, NULL);
    if (rp && strlen(rp) < sizeof final_path - 32)
      snprintf(final_path, sizeof final_path, "%s", rp);
    free(rp);
  }
  snprintf(tmp_path, sizeof tmp_path, "%s.tmp.%ld", final_path, (long)getpid());
  FILE *f = fopen(tmp_path, "wb");
  if (!f)
    cli_fail("%s: cannot create: %s", path, strerror(errno));
  else if (have && fchmod(fileno(f), st.st_mode & 07777) != 0) {
    cli_fail("%s: cannot keep its mode: %s", path, strerror(errno));
    fclose(f);
    remove(tmp_path);
    return NULL;
  }
  return f;
}

int cli_close_out(FILE *f, const char *path, int ok) {
  if (f == stdout) {
    if (fflush(stdout) != 0)
      return cli_fail("cannot write to standard output: %s", strerror(errno));
    return ok ? CLI_OK : CLI_FAIL;
  }
  int err = 0;
  if (fflush(f) != 0 || ferror(f))
    err = errno ? errno : EIO;
  if (fclose(f) != 0 && !err)
    err = errno ? errno : EIO;
  if (direct_out)
    return err && ok ? cli_fail("%s: write error: %s", path, strerror(err)) : ok && !err ? CLI_OK : CLI_FAIL;
  if (err || !ok) {
    remove(tmp_path);
    return ok ? cli_fail("%s: write error: %s", path, strerror(err)) : CLI_FAIL;
  }
  if (set_on)
    return cli_outputs_defer(tmp_path, final_path);
  if (rename(tmp_path, final_path) != 0) {
    int e = errno;
    remove(tmp_path);
    return cli_fail("%s: cannot write: %s", path, strerror(e));
  }
  return CLI_OK;
}

int cli_report(limn_ctx *ctx, const limn_report_opts *o, const char *path) {
  /* computed first, so a failure leaves no file and writes nothing to stdout */
  FILE *f = cli_open_out(path);
  if (!f)
    return CLI_FAIL;
  int lr = limn_report_write(ctx, o, limn_sink_file(f));
  if (lr) {
    cli_close_out(f, path, 0);
    return cli_lib_fail(ctx, lr);
  }
  return cli_close_out(f, path, 1);
}

int cli_sample_rows(const limn_dataset *ds, size_t k, uint64_t seed, float **out, size_t *n) {
  size_t N = limn_dataset_nrows(ds), d = limn_dataset_nfeatures(ds);
  k = N < k ? N : k;
  size_t *pick = malloc((N ? N : 1) * sizeof *pick);
  *out = malloc((k ? k : 1) * (d ? d : 1) * sizeof(float));
  if (!pick || !*out) {
    free(pick), free(*out);
    *out = NULL;
    return cli_fail("out of memory");
  }
  for (size_t i = 0; i < N; i++)
    pick[i] = i;
  if (k < N) { /* the first k of a seeded shuffle, then in file order */
    limn_rng rng;
    limn_rng_init(&rng, seed, UINT64_MAX);
    for (size_t i = 0; i < k; i++) {
      size_t j = i + (size_t)limn_rng_below(&rng, N - i), t = pick[i];
      pick[i] = pick[j], pick[j] = t;
    }
    for (size_t i = 1; i < k; i++)
      for (size_t j = i; j > 0 && pick[j - 1] > pick[j]; j--) {
        size_t t = pick[j];
        pick[j] = pick[j - 1], pick[j - 1] = t;
      }
  }
  for (size_t i = 0; i < k; i++)
    memcpy(*out + i * d, limn_dataset_x(ds) + pick[i] * d, d * sizeof(float));
  *n = k;
  free(pick);
  return CLI_OK;
}

int cli_check_map(const limn_model *m, const char *sp) {
  size_t nh = limn_model_nhidden(m);
  if (!strncmp(sp, "hidden:", 7)) {
    char *end;
    unsigned long k = strtoul(sp + 7, &end, 10);
    if (*end || end == sp + 7 || k < 1 || k > nh)
      return cli_fail("--map %s: the model has %zu hidden layers (hidden:1..hidden:%zu)", sp, nh, nh),
             CLI_USAGE;
  } else if (strcmp(sp, "auto") && strcmp(sp, "output") && strcmp(sp, "none")) {
    return cli_fail("--map: expected auto, output, hidden:K or none, got '%s'", sp), CLI_USAGE;
  }
  return CLI_OK;
}

/* "all" or "0,3,10-20" into a list of row indices < n. */
int cli_parse_rows(const char *spec, size_t n, size_t **rows, size_t *count) {
  *rows = NULL;
  *count = 0;
  if (!strcmp(spec, "all")) {
    *rows = malloc((n ? n : 1) * sizeof **rows);
    if (!*rows)
      return cli_fail("out of memory");
    for (size_t i = 0; i < n; i++)
      (*rows)[i] = i;
    *count = n;
    return CLI_OK;
  }
  size_t cap = 16, k = 0;
  size_t *v = malloc(cap * sizeof *v);
  const char *p = spec;
  while (v && *p) {
    char *end;
    errno = 0;
    while (*p == ' ')
      p++;
    unsigned long long a = strtoull(p, &end, 10), b = a;
    if (end == p || errno || *p == '-' || *p == '+')
      break;
    while (*end == ' ')
      end++;
    if (*end == '-') {
      const char *q = end + 1;
      while (*q == ' ')
        q++;
      b = strtoull(q, &end, 10);
      if (end == q || *q == '-' || *q == '+')
        break;
      if (b < a) {
        free(v);
        return cli_fail("--rows: %llu-%llu is a reversed range (write %llu-%llu)", a, b, b, a), CLI_USAGE;
      }
      while (*end == ' ')
        end++;
    }
    if (b >= n) {
      free(v);
      return cli_fail("--rows: row %llu is out of range (the data has %zu rows)", b, n), CLI_USAGE;
    }
    for (unsigned long long r = a; r <= b; r++) {
      if (k == cap) {
        size_t *w = realloc(v, 2 * cap * sizeof *v);
        if (!w)
          break;
        v = w, cap *= 2;
      }
      v[k++] = (size_t)r;
    }
    p = end;
    if (*p == ',')
      p++;
    else if (*p)
      break;
  }
  if (!v || *p || k == 0) {
    free(v);
    return cli_fail("--rows: cannot read '%s' (use all, or a list like 0,3,10-20)", spec), CLI_USAGE;
  }
  *rows = v;
  *count = k;
  return CLI_OK;
}

/* The model of --model (a limn model file, or an ONNX model told by its content) and
 * the rows of --data read against it (when ds is given). An ONNX model takes its
 * columns from the data file (--target names the label column, which is never a
 * feature) and reads its output as --output-kind says. Errors are printed; returns a
 * CLI code. */
/* --model-cmd: the schema comes from the data file (its features, and the classes of
 * --target); --classes declares the command's order. One row is predicted at once, so
 * that a command answering other classes, or needing --target, fails before any work. */
static int load_command(limn_ctx *ctx, const cli_cmd *cmd, limn_model **m, limn_dataset **ds) {
  const char *dp = cli_get(cmd, "data"), *cl = cli_get(cmd, "classes");
  limn_model_command_opts mo = limn_model_command_opts_default();
  if (cli_double(cmd, "model-timeout", 0.001, 1e6, &mo.timeout_s))
    return CLI_USAGE;
  char *cls = cl ? strdup(cl) : NULL;
  const char **names = cl ? calloc(strlen(cl) + 1, sizeof *names) : NULL;
  if (cl && (!cls || !names))
    return free(cls), free(names), cli_fail("out of memory");
  if (cl)
    mo.nclasses = cli_split_list(cls, names, strlen(cl) + 1), mo.classes = names;
  for (size_t k = 0; k < mo.nclasses; k++)
    if (!*names[k] || (k && !strcmp(names[k], names[k - 1])))
      return free(cls), free(names),
             cli_fail("--classes: expected distinct names separated by commas, got '%s'", cl), CLI_USAGE;
  if (cl && mo.nclasses < 2)
    return free(cls), free(names), cli_fail("--classes: name at least two classes, got '%s'", cl), CLI_USAGE;
  limn_read_opts ro = limn_read_opts_default();
  ro.target = cli_get(cmd, "target");
  limn_dataset *own = NULL;
  int lr = limn_dataset_read(ctx, dp, &ro, &own);
  if (!lr)
    lr = limn_model_from_command_opts(ctx, cli_get(cmd, "model-cmd"), limn_dataset_schema(own), &mo, m);
  free(cls);
  free(names);
  if (!lr && limn_dataset_nrows(own)) {
    float *probe = malloc(limn_model_noutputs(*m) * sizeof *probe);
    lr = probe ? limn_model_forward(ctx, *m, limn_dataset_x(own), 1, LIMN_SPACE_OUTPUT, probe) : LIMN_ENOMEM;
    free(probe);
  }
  if (!lr && limn_schema_target_name(limn_model_schema(*m)) && !ro.target) { /* --classes: a classifier */
    limn_dataset *re = NULL; /* the rows again, against the model's schema (its target is absent) */
    ro.target = NULL, ro.schema = limn_model_schema(*m), ro.target_optional = 1;
    if (!(lr = limn_dataset_read(ctx, dp, &ro, &re)))
      limn_dataset_free(own), own = re;
  }
  if (lr) {
    limn_model_free(*m);
    *m = NULL;
    limn_dataset_free(own);
    return cli_lib_fail(ctx, lr);
  }
  if (ds)
    *ds = own;
  else
    limn_dataset_free(own);
  return CLI_OK;
}

int cli_read_background(limn_ctx *ctx, const limn_model *m, const char *file, limn_dataset **ds,
                        limn_stats **st) {
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(m);
  ro.target_optional = 1;
  ro.missing_ok = limn_model_takes_missing(m); /* (statistics of the present values) */
  limn_dataset *rows = NULL;
  int lr = limn_dataset_read(ctx, file, &ro, &rows);
  if (!lr)
    lr = limn_stats_compute(ctx, rows, st);
  if (ds && !lr)
    *ds = rows;
  else
    limn_dataset_free(rows);
  return lr;
}

/* --describe FILE into the loaded model (nothing without it); a CLI code. */
static int load_descriptions(limn_ctx *ctx, const cli_cmd *cmd, limn_model **m, limn_dataset **ds) {
  const char *desc = cli_get(cmd, "describe");
  int lr = desc ? limn_model_read_descriptions(ctx, *m, desc) : LIMN_OK;
  if (!lr)
    return CLI_OK;
  limn_model_free(*m);
  *m = NULL;
  if (ds) {
    limn_dataset_free(*ds);
    *ds = NULL;
  }
  return cli_lib_fail(ctx, lr);
}

static int load_model(limn_ctx *ctx, const cli_cmd *cmd, int target_optional, limn_model **m,
                      limn_dataset **ds);

int cli_load(limn_ctx *ctx, const cli_cmd *cmd, int target_optional, limn_model **m, limn_dataset **ds) {
  int rc = load_model(ctx, cmd, target_optional, m, ds);
  if (!rc && ds && *ds)
    cli_batch_rows(*ds, cli_get(cmd, "data"), NULL, limn_dataset_nrows(*ds));
  return rc ? rc : load_descriptions(ctx, cmd, m, ds);
}

/* 1 when the file at path starts as an ONNX graph (0 when it cannot be read: the
 * loader then says why). */
int cli_onnx_file(const char *path) {
  unsigned char head[16];
  size_t got = 0;
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (f) {
    got = fread(head, 1, sizeof head, f);
    fclose(f);
  }
  return limn_model_is_onnx(head, got);
}

int cli_blocks_open(limn_ctx *ctx, const cli_cmd *cmd, int target_optional, size_t block, limn_model **m,
                    cli_blocks *b) {
  memset(b, 0, sizeof *b);
  const char *dp = cli_get(cmd, "data"), *mp = cli_get(cmd, "model");
  b->file = dp, b->block = block;
  size_t dl = dp ? strlen(dp) : 0;
  if (cli_size(cmd, "first-row", 0, (size_t)1 << 62, &b->offset))
    return CLI_USAGE;
  b->id = id_column = cli_isset(cmd, "id-column") ? cli_get(cmd, "id-column") : NULL;
  if (b->id && !mp)
    return cli_fail("--id-column: with --model FILE (a model command's rows are read whole, without ids)"),
           CLI_USAGE;
  if (dp && !strcmp(dp, "-") && cli_par_size() > 1)
    return cli_fail("--data -: standard input reaches one rank of an MPI job; give a file every rank can "
                    "read"),
           CLI_USAGE;
  int whole = !mp || (dl >= 5 && !strcasecmp(dp + dl - 5, ".arff")) ||
              cli_onnx_file(mp); /* limn_dataset_read's rule */
  if (whole && dp && !strcmp(dp, "-"))
    return cli_fail("--data -: standard input is read with a limn or tree model (--model FILE), as CSV"),
           CLI_USAGE;
  if (whole) {
    int rc = cli_load(ctx, cmd, target_optional, m, &b->whole);
    if (!rc && cli_images()) /* images: each row named by its file */
      b->id = "file", b->images = 1;
    return rc;
  }
  int rc = cli_load(ctx, cmd, target_optional, m, NULL);
  if (rc)
    return rc;
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(*m);
  ro.target_optional = target_optional;
  ro.missing_ok = limn_model_takes_missing(*m);
  ro.keep_text = b->id != NULL;
  const char *ch = getenv("LIMN_STREAM_CHUNK"); /* bytes read at a time: tests make it small */
  size_t chunk = ch ? (size_t)strtoull(ch, NULL, 10) : 0;
  int lr = limn_stream_open(ctx, dp, &ro, chunk, &b->s);
  if (lr) {
    limn_model_free(*m);
    *m = NULL;
    return cli_lib_fail(ctx, lr);
  }
  return CLI_OK;
}

/* --id-column's place in a block (every block has the file's header). */
static int find_id(cli_blocks *b, const limn_dataset *ds) {
  if (!b->id || b->images)
    return CLI_OK;
  b->id_col = limn_dataset_text_column(ds, b->id);
  if (b->id_col < 0)
    return cli_fail("--id-column: %s has no column '%s'", b->file, b->id), CLI_USAGE;
  return CLI_OK;
}

const char *cli_blocks_id(const cli_blocks *b, const limn_dataset *ds, size_t i) {
  const cli_images_info *im = b->images ? cli_images() : NULL;
  if (im)
    return i < im->n ? im->files[i] : "";
  const char *t = b->id ? limn_dataset_text(ds, i, b->id_col) : NULL;
  return t ? t : "";
}

int cli_blocks_next(limn_ctx *ctx, cli_blocks *b, limn_dataset **ds, size_t *first_row) {
  *ds = NULL;
  *first_row = 0;
  if (b->whole) {
    *ds = b->whole;
    b->whole = NULL;
    *first_row = b->offset;
    cli_batch_rows(*ds, b->file, NULL, limn_dataset_nrows(*ds));
    batch.offset = b->offset;
    return find_id(b, *ds);
  }
  if (!b->s)
    return CLI_OK;
  *first_row = b->offset + limn_stream_rows(b->s);
  int lr = limn_stream_read(ctx, b->s, b->block, ds);
  if (lr)
    return cli_lib_fail(ctx, lr);
  if (*ds) {
    cli_batch_rows(*ds, b->file, NULL, limn_dataset_nrows(*ds));
    batch.offset = *first_row;
  }
  return *ds ? find_id(b, *ds) : CLI_OK;
}

size_t cli_blocks_at(const cli_blocks *b) { return b->offset + (b->s ? limn_stream_rows(b->s) : 0); }

int cli_blocks_skip(limn_ctx *ctx, cli_blocks *b, size_t *n, size_t *first_row) {
  *n = 0;
  *first_row = b->offset + (b->s ? limn_stream_rows(b->s) : 0);
  if (b->whole) {
    *n = limn_dataset_nrows(b->whole);
    limn_dataset_free(b->whole);
    b->whole = NULL;
    return CLI_OK;
  }
  int lr = b->s ? limn_stream_skip(ctx, b->s, b->block, n) : LIMN_OK;
  return lr ? cli_lib_fail(ctx, lr) : CLI_OK;
}

void cli_blocks_close(cli_blocks *b) {
  limn_stream_close(b->s);
  limn_dataset_free(b->whole);
  b->s = NULL, b->whole = NULL;
}

static int load_model(limn_ctx *ctx, const cli_cmd *cmd, int target_optional, limn_model **m,
                      limn_dataset **ds) {
  const char *mp = cli_get(cmd, "model"), *dp = cli_get(cmd, "data"), *target = cli_get(cmd, "target");
  if (!mp == !cli_get(cmd, "model-cmd"))
    return cli_fail(mp ? "give one of --model FILE or --model-cmd CMD, not both"
                       : "give the model: --model FILE or --model-cmd CMD"),
           CLI_USAGE;
  const char *images = cli_get(cmd, "images");
  if (images && dp)
    return cli_fail("give one of --data FILE or --images PATH, not both"), CLI_USAGE;
  if (images && id_column)
    return cli_fail("--id-column: with --images each row is named by its image's path"), CLI_USAGE;
  if (images && (!mp || !cli_onnx_file(mp)))
    return cli_fail("--images: for an ONNX image model (--model FILE.onnx, input declared (N, C, H, W))"),
           CLI_USAGE;
  if (!images && !dp && find_opt(cmd, "images", 6))
    return cli_fail("give the data: --data FILE (or --images PATH for an ONNX image model)"), CLI_USAGE;
  if (!mp) {
    if (!target_optional && !target)
      return cli_fail("--model-cmd: name the data's label column with --target COL"), CLI_USAGE;
    return load_command(ctx, cmd, m, ds);
  }
  if (!cli_onnx_file(mp)) {
    int lr = limn_model_load(ctx, mp, m);
    if (!lr && ds && dp) {
      limn_read_opts ro = limn_read_opts_default();
      ro.schema = limn_model_schema(*m);
      ro.target_optional = target_optional;
      ro.missing_ok = limn_model_takes_missing(*m);
      ro.keep_text = id_column != NULL;
      lr = limn_dataset_read(ctx, dp, &ro, ds);
    }
    if (lr) {
      int rc = cli_lib_fail(ctx, lr);
      limn_model_free(*m);
      *m = NULL;
      return rc;
    }
    return CLI_OK;
  }
  const char *k = cli_get(cmd, "output-kind");
  limn_onnx_output kind = LIMN_ONNX_AUTO;
  if (k && !strcmp(k, "probabilities"))
    kind = LIMN_ONNX_PROBABILITIES;
  else if (k && !strcmp(k, "logits"))
    kind = LIMN_ONNX_LOGITS;
  else if (k && !strcmp(k, "value"))
    kind = LIMN_ONNX_VALUE;
  else if (k && strcmp(k, "auto"))
    return cli_fail("--output-kind: expected auto, probabilities, logits or value, got '%s'", k), CLI_USAGE;
  if (!target_optional && !target)
    return cli_fail("%s is an ONNX model, which knows no label column: name it with --target COL", mp),
           CLI_USAGE;
  limn_dataset *own = NULL;
  int lr = LIMN_OK;
  if (images) {
    limn_model *probe = NULL;
    if ((lr = limn_model_load_onnx(ctx, mp, NULL, kind, &probe)))
      return cli_lib_fail(ctx, lr);
    int ir = cli_images_load(ctx, cmd, probe, &own);
    limn_model_free(probe);
    if (ir)
      return ir;
  } else if (dp) {
    limn_read_opts ro = limn_read_opts_default();
    ro.target = target;
    ro.keep_text = id_column != NULL;
    ro.ignore = &id_column, ro.nignore = id_column != NULL; /* an id is not a feature */
    lr = limn_dataset_read(ctx, dp, &ro, &own);
  }
  if (!lr)
    lr = limn_model_load_onnx(ctx, mp, own ? limn_dataset_schema(own) : NULL, kind, m);
  if (lr) {
    limn_dataset_free(own);
    if (lr == LIMN_ESHAPE && dp && !target)
      return cli_fail("%s (if the data holds labels, name their column with --target)", limn_ctx_errmsg(ctx));
    return cli_lib_fail(ctx, lr);
  }
  if (ds)
    *ds = own;
  else
    limn_dataset_free(own);
  return CLI_OK;
}

long cli_output_index(const limn_model *m, const char *v, int allow_index) {
  for (size_t k = 0; k < limn_model_noutputs(m); k++)
    if (!strcmp(v, limn_model_output_name(m, k)))
      return (long)k;
  char *end;
  long t = allow_index ? strtol(v, &end, 10) : -1;
  return allow_index && *v && !*end && t >= 0 && (size_t)t < limn_model_noutputs(m) ? t : -1;
}

int cli_protected(const char *spec, const char ***list, size_t *n) {
  *list = NULL, *n = 0;
  if (!spec)
    return CLI_OK;
  size_t len = strlen(spec), k = 1;
  for (size_t i = 0; i < len; i++)
    k += spec[i] == ',';
  /* the pointers, then a copy of the text */
  char **p = malloc(k * sizeof *p + len + 1);
  if (!p)
    return cli_fail("out of memory");
  char *text = (char *)(p + k);
  memcpy(text, spec, len + 1);
  *list = (const char **)p;
  if (!strcmp(spec, "none"))
    return CLI_OK;
  for (char *t = text, *c;; t = c + 1) {
    c = strchr(t, ',');
    if (c)
      *c = 0;
    if (!*t)
      return cli_fail("--protected: an empty column name in '%s'", spec), CLI_USAGE;
    p[(*n)++] = t;
    if (!c)
      break;
  }
  return CLI_OK;
}

/* The command line, shell-quoted where needed, for the provenance block; --threads is left
 * out, so that pages made on different thread counts are the same bytes. */
char *cli_command_line(const char *prefix, int argc, char **argv) {
  size_t cap = strlen(prefix) + 32;
  for (int i = 0; i < argc; i++)
    cap += 4 * strlen(argv[i]) + 3;
  char *s = malloc(cap), *p = s;
  if (!s)
    return NULL;
  p += sprintf(p, "%s", prefix);
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--threads") || !strncmp(a, "--threads=", 10)) { /* the page never depends on it */
      i += !strcmp(a, "--threads");
      continue;
    }
    int plain = *a != 0;
    for (const char *c = a; *c; c++)
      plain &= !!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:+", *c);
    *p++ = ' ';
    if (plain) {
      p += sprintf(p, "%s", a);
      continue;
    }
    *p++ = '\'';
    for (const char *c = a; *c; c++)
      p += *c == '\'' ? sprintf(p, "'\\''") : sprintf(p, "%c", *c);
    *p++ = '\'';
  }
  *p = 0;
  return s;
}
