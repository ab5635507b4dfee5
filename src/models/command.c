/* A black-box model run as an external command (docs/model-command.md): started once
 * through /bin/sh -c; sent a CSV header of the feature names, then for each batch the
 * rows as CSV lines and an empty line; it answers one CSV line of outputs per row.
 * The command's stdin and stdout are one end of a socket pair, so a command that
 * dies gives an error (EPIPE, without SIGPIPE) rather than killing the caller. */
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

typedef struct cmdm {
  pid_t pid;
  int fd;
  double timeout;
  char *cmd;
  pthread_mutex_t lock;
  limn__buf in; /* bytes read and not yet consumed */
  int dead;
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
        have += c->in.data[c->in.len + (size_t)i] == '\n';
      c->in.len += (size_t)r;
    }
  }
  return LIMN_OK;
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
static int parse_answer(limn_ctx *ctx, const cmdm *c, const char *line, size_t k, float *out, size_t row) {
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
    return limn__err(ctx, LIMN_EPARSE, "model command '%s', answer for row %zu: more than %zu fields", c->cmd,
                     row, k);
  return LIMN_OK;
}

static int cmd_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                       float *out) {
  cmdm *c = m->impl;
  if (sp == LIMN_SPACE_LOGIT && limn_model_task(m) == LIMN_TASK_CLASSIFICATION)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "a model command gives probabilities, not logits");
  pthread_mutex_lock(&c->lock);
  int rc = c->dead ? limn__err(ctx, LIMN_EIO, "model command '%s' failed earlier", c->cmd) : LIMN_OK;
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
  if (rc == LIMN_OK)
    rc = exchange(ctx, c, req.data, req.len, n, now_s() + c->timeout);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    rc = take_line(ctx, c, &line);
    if (rc == LIMN_OK)
      rc = parse_answer(ctx, c, line.data, m->noutputs, out + i * m->noutputs, i);
  }
  if (rc != LIMN_OK)
    c->dead = 1;
  pthread_mutex_unlock(&c->lock);
  limn__buf_free(ctx, &req);
  limn__buf_free(ctx, &line);
  return rc;
}

static void stop(cmdm *c) {
  if (c->fd >= 0) {
    shutdown(c->fd, SHUT_WR);
    close(c->fd);
    c->fd = -1;
  }
  if (c->pid > 0) {
    int st;
    double until = now_s() + 2.0;
    while (waitpid(c->pid, &st, WNOHANG) == 0) {
      if (now_s() > until) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &st, 0);
        break;
      }
      nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    c->pid = 0;
  }
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
    dup2(sv[1], 0);
    dup2(sv[1], 1);
    close(sv[0]);
    close(sv[1]);
    execl("/bin/sh", "sh", "-c", c->cmd, (char *)NULL);
    _exit(127);
  }
  close(sv[1]);
  c->pid = pid;
  c->fd = sv[0];
  return LIMN_OK;
}

int limn_model_from_command(limn_ctx *ctx, const char *command, const limn_schema *schema, double timeout_s,
                            limn_model **out) {
  *out = NULL;
  if (!command || !*command || !schema || limn_schema_nfeatures(schema) == 0)
    return limn__err(ctx, LIMN_EINVAL, "a model command needs a command line and a schema with features");
  if (!(timeout_s > 0))
    return limn__err(ctx, LIMN_EINVAL, "the model command's timeout must be > 0 seconds");
  size_t k = limn_schema_target_name(schema) && limn_schema_task(schema) == LIMN_TASK_CLASSIFICATION
                 ? limn_schema_nclasses(schema)
                 : 1;
  limn_model *m = NULL;
  int rc;
  LIMN_CHECK(limn__model_new(ctx, "command", schema, limn_schema_nfeatures(schema), k, &cmd_vt, &m));
  cmdm *c = limn__calloc(ctx, 1, sizeof *c);
  LIMN_FAIL_IF(!c, ctx, LIMN_ENOMEM, "out of memory");
  c->fd = -1;
  c->timeout = timeout_s;
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
  *out = m;
  return LIMN_OK;
fail:
  limn_model_free(m);
  return rc;
}
