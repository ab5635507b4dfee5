/* The processes of one run: one (limn), or the ranks of an MPI job (limn-mpi, built
 * with LIMN_CLI_MPI). A streamed command passes over every block of its input on every
 * rank, parses and computes block b on rank b mod K (the others' records are skipped
 * unparsed: a bad field is the error of its block's rank, reported through rank 0),
 * and rank 0 writes every block's text in order: its own as it computes them, the
 * others' as they arrive. The output is therefore one process's, byte for byte.
 *
 * Messages to rank 0: BLOCK (int32 status, then the block's text or, when the status
 * is not 0, the rank's error message) and END (status and message) once a rank is
 * done; from rank 0: STOP, once to every rank, when it has stopped reading (the end,
 * or an error). A rank checks for STOP before each block it computes; rank 0 drains
 * every rank's messages up to its END, so no rank is left blocked in a send. */
#include "common.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef LIMN_CLI_MPI
#include <mpi.h>
#endif

static struct {
  int rank, size;
  int par_cmd; /* the command may spread blocks across ranks */
  int agreed;  /* cli_sink_init's agreement was reached (or cannot be, size 1) */
} par = {0, 1, 0, 0};

int cli_par_rank(void) { return par.rank; }
int cli_par_size(void) { return par.size; }

#ifdef LIMN_CLI_MPI
enum { TAG_BLOCK = 11, TAG_END = 12, TAG_STOP = 13 };

int cli_par_init(int *argc, char ***argv) {
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fputs("limn-mpi: error: MPI could not start\n", stderr);
    return CLI_FAIL;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &par.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &par.size);
  if (par.rank > 0) {
    /* one voice: rank 0 prints what every rank would print alike (usage, read errors),
     * and the other ranks' own failures reach it as messages */
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
      return CLI_FAIL;
  }
  return CLI_OK;
}

/* Every rank's readiness (ready: this rank's), the minimum; 0 on a failed collective. */
static int agree(int ready) {
  int all = 0;
  if (MPI_Allreduce(&ready, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
    return 0;
  return all;
}

int cli_par_finish(int rc) {
  if (par.size > 1 && par.par_cmd && !par.agreed) /* failed before cli_sink_init: join it */
    agree(0);
  MPI_Finalize();
  return rc;
}

/* Send status and text (len bytes) with tag; 0 on success. */
static int send_msg(int tag, int status, const char *text, size_t len) {
  if (len > (size_t)INT32_MAX - 8)
    len = 0, status = status ? status : CLI_FAIL,
    text = "a block's text is over 2 GB: use a smaller --block-rows";
  char *buf = malloc(len + 4);
  if (!buf)
    return -1;
  int32_t st = status;
  memcpy(buf, &st, 4);
  if (len)
    memcpy(buf + 4, text, len);
  int r = MPI_Send(buf, (int)(len + 4), MPI_BYTE, 0, tag, MPI_COMM_WORLD);
  free(buf);
  return r == MPI_SUCCESS ? 0 : -1;
}

/* Receive rank src's next message of tag (MPI_ANY_TAG: either); *tag_out, status, a
 * malloc'd text of *len bytes (NUL-terminated). 0 on success. */
static int recv_msg(int src, int tag, int *tag_out, int *status, char **text, size_t *len) {
  MPI_Status ms;
  int count = 0;
  if (MPI_Probe(src, tag, MPI_COMM_WORLD, &ms) != MPI_SUCCESS ||
      MPI_Get_count(&ms, MPI_BYTE, &count) != MPI_SUCCESS || count < 4)
    return -1;
  char *buf = malloc((size_t)count + 1);
  if (!buf)
    return -1;
  if (MPI_Recv(buf, count, MPI_BYTE, src, ms.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
    free(buf);
    return -1;
  }
  int32_t st;
  memcpy(&st, buf, 4);
  memmove(buf, buf + 4, (size_t)count - 4);
  buf[count - 4] = '\0';
  *tag_out = ms.MPI_TAG, *status = st, *text = buf, *len = (size_t)count - 4;
  return 0;
}
#else
int cli_par_init(int *argc, char ***argv) {
  (void)argc, (void)argv;
  return CLI_OK;
}
int cli_par_finish(int rc) { return rc; }
#endif

void cli_par_command(int spreads) { par.par_cmd = spreads; }

int cli_sink_init(cli_sink *s, int rc, FILE *f, void (*head)(FILE *, void *), void *arg) {
  memset(s, 0, sizeof *s);
  s->f = f, s->head = head, s->arg = arg;
  par.agreed = 1;
  if (par.size == 1 || rc) {
#ifdef LIMN_CLI_MPI
    if (par.size > 1)
      agree(0);
#endif
    s->ended = 1;
    return rc;
  }
#ifdef LIMN_CLI_MPI
  if (!agree(1)) {
    if (par.rank == 0)
      cli_fail("another rank could not start this run (it could not read the model or the data)");
    s->ended = 1; /* nothing was exchanged: nothing to end */
    return CLI_FAIL;
  }
  s->done = calloc((size_t)par.size, 1);
  if (!s->done) /* the others wait for this rank's messages: end the job */
    MPI_Abort(MPI_COMM_WORLD, cli_fail("out of memory"));
#endif
  return CLI_OK;
}

void cli_sink_head(cli_sink *s) {
  if (par.rank == 0 && !s->headed && s->head)
    s->head(s->f, s->arg);
  s->headed = 1;
}

int cli_sink_mine(const cli_sink *s) {
  return par.size == 1 || (int)(s->block % (size_t)par.size) == par.rank;
}

int cli_sink_next(cli_sink *s, FILE **w) {
  size_t b = s->block++;
  *w = NULL;
  if (s->rc)
    return 0;
  if (par.size == 1) {
    *w = s->f;
    return 1;
  }
#ifdef LIMN_CLI_MPI
  int owner = (int)(b % (size_t)par.size);
  if (par.rank == 0 && owner == 0) {
    *w = s->f;
    return 1;
  }
  if (par.rank == 0) { /* another rank's block: its text, or its error */
    int tag, st;
    char *text;
    size_t len;
    if (recv_msg(owner, MPI_ANY_TAG, &tag, &st, &text, &len)) {
      s->rc = cli_fail("rank %d: its block %zu could not be received", owner, b);
      return 0;
    }
    if (tag == TAG_END) {
      s->done[owner] = 1;
      s->rc = st ? st : CLI_FAIL;
      if (len)
        cli_fail("%s", text); /* its error reading the block, as one process would say it */
      else
        cli_fail("rank %d stopped before its block %zu", owner, b);
    } else if (st) {
      s->rc = st;
      cli_fail("%s", text);
    } else {
      cli_sink_head(s);
      if (len && fwrite(text, 1, len, s->f) != len)
        s->rc = cli_fail("write error");
    }
    free(text);
    return 0;
  }
  if (owner != par.rank)
    return 0;
  int stop = 0;
  MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &stop, MPI_STATUS_IGNORE);
  if (stop) {
    MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    s->stopped = 1;
    s->rc = CLI_FAIL;
    return 0;
  }
  free(s->text);
  s->text = NULL, s->len = 0;
  s->mem = open_memstream(&s->text, &s->len);
  if (!s->mem) {
    s->rc = cli_fail("out of memory");
    return 0;
  }
  *w = s->mem;
  return 1;
#else
  (void)b;
  return 0;
#endif
}

int cli_sink_put(cli_sink *s, int rc) {
  if (par.rank == 0 || par.size == 1) {
    if (rc)
      s->rc = rc;
    return rc;
  }
#ifdef LIMN_CLI_MPI
  if (!s->mem)
    return rc;
  int bad = fclose(s->mem) != 0;
  s->mem = NULL;
  if (bad && !rc)
    rc = cli_fail("out of memory");
  const char *msg = cli_last_error();
  int r = rc ? send_msg(TAG_BLOCK, rc, msg, strlen(msg)) : send_msg(TAG_BLOCK, 0, s->text, s->len);
  free(s->text);
  s->text = NULL, s->len = 0;
  if (r && !rc)
    rc = CLI_FAIL;
  if (rc)
    s->rc = rc;
#endif
  return rc;
}

int cli_sink_end(cli_sink *s, int rc) {
#ifdef LIMN_CLI_MPI
  if (s->mem) {
    fclose(s->mem);
    s->mem = NULL;
  }
  free(s->text);
  s->text = NULL;
  if (!s->ended && par.rank == 0) {
    rc = rc ? rc : s->rc;
    for (int r = 1; r < par.size; r++)
      MPI_Send(NULL, 0, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
    for (int r = 1; r < par.size; r++)
      while (!s->done[r]) { /* blocks sent before it stopped, then its END */
        int tag, st;
        char *text;
        size_t len;
        if (recv_msg(r, MPI_ANY_TAG, &tag, &st, &text, &len)) {
          rc = rc ? rc : cli_fail("rank %d did not end its part", r);
          break;
        }
        if (tag == TAG_END) {
          s->done[r] = 1;
          if (st && !rc)
            rc = st, cli_fail("%s", len ? text : "a rank stopped");
        }
        free(text);
      }
  } else if (!s->ended) {
    rc = rc ? rc : s->rc;
    const char *msg = rc && !s->stopped ? cli_last_error() : "";
    send_msg(TAG_END, rc, msg, strlen(msg));
    if (!s->stopped)
      MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  s->ended = 1;
  free(s->done);
  s->done = NULL;
#endif
  return rc ? rc : s->rc;
}
