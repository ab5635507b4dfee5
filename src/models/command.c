/* A black-box model run as an external command (docs/model-command.md): started once
 * through /bin/sh -c; sent a CSV header of the feature names, then for each batch the
 * rows as CSV lines and an empty line; it answers one CSV line of outputs per row.
 * The command's stdin and stdout are one end of a socket pair, so a command that
 * dies gives an error (EPIPE, without SIGPIPE) rather than killing the caller. It runs
 * in its own process group, which is ended when the model is freed (its children too).
 * Each batch's answer is exactly one line per row: more output is an error, as are
 * lines over 1 MiB and, for a classifier, rows that are not probabilities. */
#include "model_internal.h"
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The longest answer line taken (a row of outputs is far shorter): a command that
 * floods its output without a newline fails in bounded memory. */
#define LIMN__CMD_MAX_LINE (1 << 20)

typedef struct cmdm {
  pid_t pid;
  int fd;
  double timeout;
  char *cmd;
  pthread_mutex_t lock;
  limn__buf in; /* bytes read and not yet consumed */
  int dead;
  int answered;      /* a batch was answered: a header line is no longer expected */
  int declared;      /* the classes were declared by the caller (no target in the data) */
  size_t line_start; /* where the line being received starts in `in` */
} cmdm;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Send `n` bytes while collecting what the command writes back, so that neither side
 * blocks on a full buffer; stop once everything is sent and `lines` complete lines
 * have arrived, or at `deadline`. */
static int exchange(limn_ctx *ctx, cmdm *c, const char *p, size_t n, size_t lines, double deadline) {
  size_t have = 0;
  for (size_t i = 0; i < c->in.len; i++)
    have += c->in.data[i] == '\n';
  while (n || have < lines) {
    double left = deadline - now_s();
    if (left <= 0) {
      c->dead = 1;
      return limn__err(ctx, LIMN_EIO, "model command '%s' gave no answer within %g s", c->cmd, c->timeout);
    }
    struct pollfd pf = {c->fd, (short)(POLLIN | (n ? POLLOUT : 0)), 0};
    int pr = poll(&pf, 1, (int)(left * 1000) + 1);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0)
      continue;
    if (n && (pf.revents & POLLOUT)) {
      ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        continue;
      if (w <= 0) {
        c->dead = 1;
        return limn__err(ctx, LIMN_EIO, "model command '%s' stopped reading its input (%s)", c->cmd,
                         w < 0 ? strerror(errno) : "closed");
      }
      p += w;
      n -= (size_t)w;
    }
    if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
      LIMN_TRY(limn__buf_reserve(ctx, &c->in, 65536));
      ssize_t r = recv(c->fd, c->in.data + c->in.len, 65536, MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        continue;
      if (r <= 0) {
        c->dead = 1;
        return limn__err(ctx, LIMN_EIO, "model command '%s' exited or closed its output", c->cmd);
      }
      for (ssize_t i = 0; i < r; i++)
        if (c->in.data[c->in.len + (size_t)i] == '\n')
          have++, c->line_start = c->in.len + (size_t)i + 1;
      c->in.len += (size_t)r;
      if (c->in.len - c->line_start > LIMN__CMD_MAX_LINE) {
        c->dead = 1;
        return limn__err(ctx, LIMN_EPARSE,
                         "model command '%s' wrote a line longer than %d bytes: not an answer", c->cmd,
                         LIMN__CMD_MAX_LINE);
      }
    }
  }
  return LIMN_OK;
}

/* What the command has written already, without waiting: an answer line that came after
 * a batch's last expected one shows up before the next batch is sent (and a shifted batch
 * is caught), not as that batch's first answer. End of file is left to exchange(). */
static int drain(limn_ctx *ctx, cmdm *c) {
  for (;;) {
    struct pollfd pf = {c->fd, POLLIN, 0};
    int pr = poll(&pf, 1, 0);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0 || !(pf.revents & POLLIN))
      return LIMN_OK;
    LIMN_TRY(limn__buf_reserve(ctx, &c->in, 65536));
    ssize_t r = recv(c->fd, c->in.data + c->in.len, 65536, MSG_DONTWAIT);
    if (r <= 0)
      return LIMN_OK;
    c->in.len += (size_t)r;
    if (c->in.len > LIMN__CMD_MAX_LINE)
      return LIMN_OK; /* enough to tell it is out of step */
  }
}

/* Take one complete line (without its newline) from the input buffer. */
static int take_line(limn_ctx *ctx, cmdm *c, limn__buf *line) {
  char *nl = memchr(c->in.data, '\n', c->in.len);
  size_t k = (size_t)(nl - c->in.data);
  line->len = 0;
  LIMN_TRY(limn__buf_put(ctx, line, c->in.data, k));
  LIMN_TRY(limn__buf_put(ctx, line, "", 1));
  memmove(c->in.data, nl + 1, c->in.len - k - 1);
  c->in.len -= k + 1;
  c->line_start = c->line_start > k + 1 ? c->line_start - (k + 1) : 0;
  return LIMN_OK;
}

/* A CSV field of a feature name or category. */
static int put_field(limn_ctx *ctx, limn__buf *b, const char *f) {
  if (!strpbrk(f, ",\"\n\r"))
    return limn__buf_put(ctx, b, f, strlen(f));
  LIMN_TRY(limn__buf_put(ctx, b, "\"", 1));
  for (; *f; f++) {
    if (*f == '"')
      LIMN_TRY(limn__buf_put(ctx, b, "\"", 1));
    LIMN_TRY(limn__buf_put(ctx, b, f, 1));
  }
  return limn__buf_put(ctx, b, "\"", 1);
}

/* Parse k numbers of a CSV answer line. */
static int parse_answer(limn_ctx *ctx, const cmdm *c, const char *line, size_t k, int has_target, float *out,
                        size_t row) {
  const char *p = line;
  for (size_t j = 0; j < k; j++) {
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v))
      return limn__err(ctx, LIMN_EPARSE, "model command '%s', answer for row %zu: '%.60s' is not %zu numbers",
                       c->cmd, row, line, k);
    out[j] = (float)v;
    p = end;
    while (*p == ' ')
      p++;
    if (j + 1 < k) {
      if (*p != ',')
        return limn__err(ctx, LIMN_EPARSE,
                         "model command '%s', answer for row %zu: expected %zu fields, got %zu", c->cmd, row,
                         k, j + 1);
      p++;
    }
  }
  while (*p == ' ' || *p == '\r')
    p++;
  if (*p)
    return limn__err(ctx, LIMN_EPARSE, "model command '%s', answer for row %zu: more than %zu field%s%s",
                     c->cmd, row, k, k == 1 ? "" : "s",
                     k == 1 && !has_target
                         ? " (without a target column limn expects one value per row: if the "
                           "command answers class probabilities, name the data's label column "
                           "as the target)"
                         : "");
  return LIMN_OK;
}

/* Split a CSV line into at most `max` fields (quotes honoured) in place; returns the
 * count, or max + 1 when there are more. */
static size_t split_csv(char *s, char **f, size_t max) {
  size_t n = 0;
  char *w = s;
  for (;;) {
    if (n == max)
      return max + 1;
    f[n++] = w;
    char *p = s;
    while (*p == ' ')
      p++;
    if (*p == '"') {
      for (p++;; p++) {
        if (!*p)
          break;
        if (*p == '"' && p[1] == '"')
          *w++ = '"', p++;
        else if (*p == '"') {
          p++;
          break;
        } else
          *w++ = *p;
      }
      while (*p && *p != ',')
        p++;
    } else
      while (*p && *p != ',')
        *w++ = *p++;
    char *e = w;
    while (e > f[n - 1] && (e[-1] == ' ' || e[-1] == '\r'))
      e--;
    int more = *p == ',';
    *e = '\0';
    if (!more)
      return n;
    s = p + 1, w = s;
  }
}

/* "a, b, c" of the model's classes, into b (for messages). */
static void class_list(const limn_model *m, char *b, size_t cap) {
  size_t len = 0;
  b[0] = '\0';
  for (size_t k = 0; k < m->noutputs && len < cap; k++)
    len += (size_t)snprintf(b + len, cap - len, "%s%s", k ? ", " : "", limn_model_output_name(m, k));
}

/* A feature column whose categories are exactly `names` (any order): the label
 * column left among the features. -1 when none. */
static long label_among_features(const limn_schema *s, char *const *names, size_t n) {
  for (size_t j = 0; s && j < limn_schema_nfeatures(s); j++) {
    if (limn_schema_ncategories(s, j) != n)
      continue;
    size_t hit = 0;
    for (size_t c = 0; c < n; c++)
      for (size_t q = 0; q < n; q++)
        hit += !strcmp(limn_schema_category(s, j, c), names[q]);
    if (hit == n)
      return (long)j;
  }
  return -1;
}

/* The classes a command names (its header line, or the caller's declaration) against
 * the model's outputs: the same names in the same order, or an error naming both. */
static int check_classes(limn_ctx *ctx, const limn_model *m, const char *cmd, const char *who,
                         char *const *names, size_t n, int declared) {
  char mine[512], theirs[512];
  size_t len = 0;
  theirs[0] = '\0';
  for (size_t k = 0; k < n && len < sizeof theirs; k++)
    len += (size_t)snprintf(theirs + len, sizeof theirs - len, "%s%s", k ? ", " : "", names[k]);
  const char *target = m->schema ? limn_schema_target_name(m->schema) : NULL;
  int classifier = target && limn_model_task(m) == LIMN_TASK_CLASSIFICATION;
  if (!classifier) {
    if (n == 1)
      return LIMN_OK; /* it names its one value */
    long j = label_among_features(m->schema, names, n);
    if (j >= 0)
      return limn__err(ctx, LIMN_ESHAPE,
                       "model command '%s' %s %zu classes (%s), but no target column was given: column '%s' "
                       "holds these classes, so it is the label, not a feature (name it as the target)",
                       cmd, who, n, theirs, limn_schema_feature_name(m->schema, (size_t)j));
    return limn__err(
        ctx, LIMN_ESHAPE,
        "model command '%s' %s %zu classes (%s), but %s one value per row: name the data's label "
        "column as the target (or declare the classes) to explain a classifier",
        cmd, who, n, theirs,
        target ? "the target is numeric, so limn expects" : "without a target limn expects");
  }
  int same = n == m->noutputs;
  for (size_t k = 0; same && k < n; k++)
    same = !strcmp(names[k], limn_model_output_name(m, k));
  if (same)
    return LIMN_OK;
  class_list(m, mine, sizeof mine);
  size_t hit = 0;
  for (size_t k = 0; n == m->noutputs && k < n; k++)
    for (size_t q = 0; q < n; q++)
      hit += !strcmp(names[k], limn_model_output_name(m, q));
  char order[300], set[300];
  snprintf(order, sizeof order,
           declared ? "the classes were declared in the order" : "the target '%s' orders them", target);
  snprintf(set, sizeof set, declared ? "the declared classes are" : "the target '%s' has", target);
  if (hit == n && n == m->noutputs)
    return limn__err(
        ctx, LIMN_ESHAPE,
        "model command '%s' %s its classes in the order %s, but %s %s: the probabilities would be "
        "read against the wrong classes (make the command answer in that order)",
        cmd, who, theirs, order, mine);
  return limn__err(ctx, LIMN_ESHAPE, "model command '%s' %s the classes %s, but %s %s", cmd, who, theirs, set,
                   mine);
}

/* A header line of the command ('#' and its output names as CSV), first of its
 * first answer: checked against the model's classes. */
static int take_header(limn_ctx *ctx, const limn_model *m, cmdm *c, limn__buf *line) {
  LIMN_TRY(take_line(ctx, c, line));
  enum { MAXN = 4096 };
  char **f = limn__alloc_array(ctx, MAXN + 1, sizeof *f);
  if (!f)
    return LIMN_ENOMEM;
  size_t n = split_csv(line->data + 1, f, MAXN);
  int rc =
      n > MAXN ? limn__err(ctx, LIMN_EPARSE, "model command '%s': its header line names more than %d outputs",
                           c->cmd, MAXN)
      : n == 1 && !*f[0]
          ? limn__err(ctx, LIMN_EPARSE, "model command '%s': its header line '#' names no outputs", c->cmd)
          : check_classes(ctx, m, c->cmd, "answers", f, n, c->declared);
  limn__free(ctx, f);
  return rc;
}

/* A classifier's answer: probabilities in [0, 1] that sum to 1 (within 1e-3, as LIME checks). */
static int check_probabilities(limn_ctx *ctx, const cmdm *c, const float *p, size_t k, size_t row) {
  double sum = 0;
  for (size_t j = 0; j < k; j++) {
    if (!(p[j] >= -1e-6f && p[j] <= 1.0f + 1e-6f))
      return limn__err(
          ctx, LIMN_EPARSE,
          "model command '%s', answer for row %zu: %g is not a probability (class %zu); a classifier "
          "answers the probability of every class",
          c->cmd, row, (double)p[j], j + 1);
    sum += p[j];
  }
  if (fabs(sum - 1.0) > 1e-3)
    return limn__err(ctx, LIMN_EPARSE,
                     "model command '%s', answer for row %zu: the probabilities sum to %g, not 1", c->cmd,
                     row, sum);
  return LIMN_OK;
}

/* More answer lines than rows: seen at a batch's end or, when they come late, before the
 * next batch; one message for both, as which one sees them depends on timing. */
static int out_of_step(limn_ctx *ctx, const cmdm *c) {
  return limn__err(
      ctx, LIMN_EPARSE,
      "model command '%s' answered more lines than the rows it was sent (it must answer one line "
      "per row)",
      c->cmd);
}

static int cmd_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                       float *out) {
  cmdm *c = m->impl;
  if (sp == LIMN_SPACE_LOGIT && limn_model_task(m) == LIMN_TASK_CLASSIFICATION)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "a model command gives probabilities, not logits");
  pthread_mutex_lock(&c->lock);
  int rc = c->dead ? limn__err(ctx, LIMN_EIO, "model command '%s' failed earlier", c->cmd) : LIMN_OK;
  if (rc == LIMN_OK && c->answered)
    rc = drain(ctx, c);
  if (rc == LIMN_OK && c->answered && c->in.len) /* output after the last batch's answers: out of step */
    rc = out_of_step(ctx, c);
  limn__buf req = {0}, line = {0};
  char num[40];
  for (size_t i = 0; i < n && rc == LIMN_OK; i++)
    for (size_t j = 0; j < m->nfeatures && rc == LIMN_OK; j++) {
      float v = x[i * m->nfeatures + j];
      const char *cat =
          m->slot_cat[m->col_slot[j]] >= 0 ? limn_schema_category(m->schema, j, (size_t)v) : NULL;
      if (cat)
        rc = put_field(ctx, &req, cat);
      else {
        limn_format_float(num, sizeof num, v);
        rc = limn__buf_put(ctx, &req, num, strlen(num));
      }
      if (rc == LIMN_OK)
        rc = limn__buf_put(ctx, &req, j + 1 < m->nfeatures ? "," : "\n", 1);
    }
  if (rc == LIMN_OK)
    rc = limn__buf_put(ctx, &req, "\n", 1); /* the empty line ends the batch */
  double deadline = now_s() + c->timeout;
  if (rc == LIMN_OK)
    rc = exchange(ctx, c, req.data, req.len, n, deadline);
  if (rc == LIMN_OK && !c->answered && c->in.len && c->in.data[0] == '#') { /* its header line */
    rc = take_header(ctx, m, c, &line);
    if (rc == LIMN_OK)
      rc = exchange(ctx, c, NULL, 0, n, deadline);
  }
  c->answered = 1;
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    rc = take_line(ctx, c, &line);
    if (rc == LIMN_OK && i + 1 == n)
      rc = drain(ctx, c);
    if (rc == LIMN_OK && i + 1 == n && c->in.len) /* more already: answers out of step */
      rc = out_of_step(ctx, c);
    if (rc == LIMN_OK)
      rc = parse_answer(ctx, c, line.data, m->noutputs, m->schema && limn_schema_target_name(m->schema),
                        out + i * m->noutputs, i);
    if (rc == LIMN_OK && m->noutputs > 1)
      rc = check_probabilities(ctx, c, out + i * m->noutputs, m->noutputs, i);
  }
  if (rc != LIMN_OK)
    c->dead = 1;
  pthread_mutex_unlock(&c->lock);
  limn__buf_free(ctx, &req);
  limn__buf_free(ctx, &line);
  return rc;
}

static void pause_ms(long ms) { nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL); }

/* Stop the command: close its input, give it `grace` seconds to exit (none when it
 * failed), then end its process group, its own children included: SIGTERM, and SIGKILL
 * to what is left after a second. */
static void stop(cmdm *c) {
  if (c->fd >= 0) {
    shutdown(c->fd, SHUT_WR);
    close(c->fd);
    c->fd = -1;
  }
  if (c->pid <= 0)
    return;
  int st, reaped = 0;
  double t0 = now_s(), grace = c->dead ? 0.0 : 2.0;
  while (!(reaped = waitpid(c->pid, &st, WNOHANG) != 0) && now_s() - t0 < grace)
    pause_ms(1);
  if (kill(-c->pid, SIGTERM) == 0) {
    t0 = now_s();
    for (;;) {
      if (!reaped)
        reaped = waitpid(c->pid, &st, WNOHANG) != 0;
      if (reaped && kill(-c->pid, 0) != 0)
        break; /* the whole group is gone */
      if (now_s() - t0 > 1.0) {
        kill(-c->pid, SIGKILL);
        break;
      }
      pause_ms(1);
    }
  }
  if (!reaped)
    waitpid(c->pid, &st, 0);
  c->pid = 0;
}

static void cmd_destroy(limn_model *m) {
  cmdm *c = m->impl;
  if (!c)
    return;
  stop(c);
  pthread_mutex_destroy(&c->lock);
  limn__buf_free(m->ctx, &c->in);
  limn__free(m->ctx, c->cmd);
  limn__free(m->ctx, c);
}

static const limn__model_vt cmd_vt = {cmd_forward, NULL, cmd_destroy, NULL, NULL, NULL, NULL};

/* Start the command with one end of a socket pair as its stdin and stdout. */
static int start(limn_ctx *ctx, cmdm *c) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return limn__err(ctx, LIMN_EIO, "cannot create a socket pair: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]), close(sv[1]);
    return limn__err(ctx, LIMN_EIO, "cannot start the model command: %s", strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0); /* its own process group, ended as a whole by stop() */
    dup2(sv[1], 0);
    dup2(sv[1], 1);
    close(sv[0]);
    close(sv[1]);
    execl("/bin/sh", "sh", "-c", c->cmd, (char *)NULL);
    _exit(127);
  }
  close(sv[1]);
  setpgid(pid, pid); /* also here: whichever runs first */
  c->pid = pid;
  c->fd = sv[0];
  return LIMN_OK;
}

limn_model_command_opts limn_model_command_opts_default(void) {
  limn_model_command_opts o;
  memset(&o, 0, sizeof o);
  o.timeout_s = 30;
  return o;
}

/* The schema the model answers in: the caller's, or with declared classes and no
 * target, one with a target "class" of those classes. */
static int answer_schema(limn_ctx *ctx, const limn_schema *schema, const limn_model_command_opts *o,
                         limn_schema **out) {
  LIMN_TRY(limn_schema_clone(ctx, schema, out));
  if (limn_schema_target_name(schema) || o->nclasses < 2)
    return LIMN_OK;
  const char *name = limn_schema_find_feature(schema, "class") < 0 ? "class" : "(class)";
  return limn_schema_set_target(ctx, *out, name, LIMN_TASK_CLASSIFICATION, o->classes, o->nclasses);
}

int limn_model_from_command(limn_ctx *ctx, const char *command, const limn_schema *schema, double timeout_s,
                            limn_model **out) {
  limn_model_command_opts o = limn_model_command_opts_default();
  o.timeout_s = timeout_s;
  return limn_model_from_command_opts(ctx, command, schema, &o, out);
}

int limn_model_from_command_opts(limn_ctx *ctx, const char *command, const limn_schema *schema,
                                 const limn_model_command_opts *o, limn_model **out) {
  if (!ctx || !out)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_from_command: NULL output") : LIMN_EINVAL;
  *out = NULL;
  if (!command || !*command || !schema || limn_schema_nfeatures(schema) == 0 || !o)
    return limn__err(ctx, LIMN_EINVAL,
                     "a model command needs a command line, options and a schema with features");
  double timeout_s = o->timeout_s;
  if (!(timeout_s > 0))
    return limn__err(ctx, LIMN_EINVAL, "the model command's timeout must be > 0 seconds");
  if (o->nclasses == 1 || (o->nclasses && !o->classes))
    return limn__err(ctx, LIMN_EINVAL, "a model command's declared classes: give at least two names");
  for (size_t k = 0; k < o->nclasses; k++)
    if (!o->classes[k] || !*o->classes[k])
      return limn__err(ctx, LIMN_EINVAL, "a model command's declared classes: name %zu is empty", k + 1);
  const limn_schema *orig = schema;
  long lab = o->nclasses && !limn_schema_target_name(schema)
                 ? label_among_features(schema, (char *const *)o->classes, o->nclasses)
                 : -1;
  if (lab >= 0)
    return limn__err(ctx, LIMN_ESHAPE,
                     "model command '%s': column '%s' holds the declared classes, so it is the label, not a "
                     "feature: name it as the target",
                     command, limn_schema_feature_name(schema, (size_t)lab));
  limn_schema *as = NULL;
  int rc = answer_schema(ctx, schema, o, &as);
  if (rc) {
    limn_schema_free(as);
    return rc;
  }
  schema = as;
  size_t k = limn_schema_target_name(schema) && limn_schema_task(schema) == LIMN_TASK_CLASSIFICATION
                 ? limn_schema_nclasses(schema)
                 : 1;
  limn_model *m = NULL;
  LIMN_CHECK(limn__model_new(ctx, "command", schema, limn_schema_nfeatures(schema), k, &cmd_vt, &m));
  if (o->nclasses)
    LIMN_CHECK(
        check_classes(ctx, m, command, "is declared to answer", (char *const *)o->classes, o->nclasses, 0));
  limn_sha256(command, strlen(command), m->sha256); /* its identity: the command's text */
  cmdm *c = limn__calloc(ctx, 1, sizeof *c);
  LIMN_FAIL_IF(!c, ctx, LIMN_ENOMEM, "out of memory");
  c->fd = -1;
  c->timeout = timeout_s;
  c->declared = o->nclasses && !limn_schema_target_name(orig);
  pthread_mutex_init(&c->lock, NULL);
  m->impl = c;
  c->cmd = limn__strdup(ctx, command);
  LIMN_FAIL_IF(!c->cmd, ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(start(ctx, c));
  limn__buf hdr = {0};
  for (size_t j = 0; j < limn_schema_nfeatures(schema) && rc == LIMN_OK; j++) {
    rc = put_field(ctx, &hdr, limn_schema_feature_name(schema, j));
    if (rc == LIMN_OK)
      rc = limn__buf_put(ctx, &hdr, j + 1 < limn_schema_nfeatures(schema) ? "," : "\n", 1);
  }
  if (rc == LIMN_OK)
    rc = exchange(ctx, c, hdr.data, hdr.len, 0, now_s() + c->timeout);
  limn__buf_free(ctx, &hdr);
  LIMN_CHECK(rc);
  limn_schema_free(as);
  *out = m;
  return LIMN_OK;
fail:
  limn_schema_free(as);
  limn_model_free(m);
  return rc;
}
