/* Shared helpers of the limn command-line tool (public headers only). */
#ifndef LIMN_CLI_COMMON_H
#define LIMN_CLI_COMMON_H

#include "limn.h"
#include <stdio.h>

/* One option of a command. `arg` names the value (NULL: a flag); `def` is the
 * default shown in --help (NULL: none; "" for required). After parsing, `val`
 * holds the value (or def), `set` says whether it was given. */
typedef struct cli_opt {
  const char *name;
  const char *arg;
  const char *def;
  const char *help;
  const char *val;
  int set;
  int repeat; /* may be given several times: values are joined with ',' */
} cli_opt;

typedef struct cli_cmd {
  const char *name;
  const char *summary;
  const char *usage;
  const char *description;
  cli_opt *opts;
  size_t nopts;
} cli_cmd;

/* Exit codes: 0 ok, 1 failure, 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_HELP = 3 };

/* Parse argv (after the command name). Prints --help (returns CLI_HELP) or a
 * usage error (returns CLI_USAGE). Required options are checked. */
int cli_parse(const cli_cmd *cmd, int argc, char **argv);
const char *cli_get(const cli_cmd *cmd, const char *name);
int cli_isset(const cli_cmd *cmd, const char *name);
/* Print "limn: error: ..." to stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The message of the last cli_fail (or usage error), as given (not escaped); "" if none. */
const char *cli_last_error(void);
/* The library's message after a failed call; returns CLI_FAIL. */
int cli_lib_fail(limn_ctx *ctx, int rc);
/* s to f with control characters written as \xHH (C0, DEL) or \uHHHH (C1): text that
 * came from a file (a column name) cannot move the cursor or recolour the terminal. */
void cli_put_escaped(FILE *f, const char *s);
/* Tell cli_lib_fail which data rows the library's batches hold (rows[k] for batch row k,
 * or row k itself when rows is NULL), so that "row 3:" in a message becomes "row 41
 * (data.csv line 43):". cli_load sets the whole data set; explain narrows it to
 * --rows. The pointers are borrowed until the command ends. */
void cli_batch_rows(const limn_dataset *ds, const char *file, const size_t *rows, size_t n);
/* The batch is rows[0..n) of the current block (its data set, file and offset kept). */
void cli_batch_pick(const size_t *rows, size_t n);
/* Parse numbers with range checks; print a usage error and return CLI_USAGE on failure. */
int cli_size(const cli_cmd *cmd, const char *name, size_t lo, size_t hi, size_t *out);
/* The same, or "auto", which gives 0. */
int cli_size_auto(const cli_cmd *cmd, const char *name, size_t lo, size_t hi, size_t *out);
int cli_double(const cli_cmd *cmd, const char *name, double lo, double hi, double *out);
int cli_u64(const cli_cmd *cmd, const char *name, uint64_t *out);
/* Split a comma-separated list in place; returns the count (at most max). */
size_t cli_split_list(char *s, const char **items, size_t max);
/* "all" or "0,3,10-20" into a malloc'd list of row indices < n (errors printed). */
int cli_parse_rows(const char *spec, size_t n, size_t **rows, size_t *count);
/* 1 when the file at path starts as an ONNX graph (0 when it cannot be read). */
int cli_onnx_file(const char *path);
/* --images and the options that shape them (explain, predict). */
#define CLI_IMAGE_OPTS                                                                                       \
  {"images",                                                                                                 \
   "PATH",                                                                                                   \
   NULL,                                                                                                     \
   "ONNX image models: PNG or JPEG images instead of --data: a folder (its .png, .jpg and .jpeg files in "   \
   "name order), one image, or a CSV with a column 'file' (paths relative to the CSV) and the --target "     \
   "labels",                                                                                                 \
   0,                                                                                                        \
   0,                                                                                                        \
   0},                                                                                                       \
      {"resize",                                                                                             \
       "HOW",                                                                                                \
       "none",                                                                                               \
       "--images of another size than the model takes: none (an error) or model (resized to it, bilinear "   \
       "with antialiasing)",                                                                                 \
       0,                                                                                                    \
       0,                                                                                                    \
       0},                                                                                                   \
      {"channels",                                                                                           \
       "HOW",                                                                                                \
       "none",                                                                                               \
       "--images of other channels than the model takes: none (an error) or model (grey repeated into RGB, " \
       "RGB to its luma)",                                                                                   \
       0,                                                                                                    \
       0,                                                                                                    \
       0},                                                                                                   \
      {"mean", "M[,M,M]", "0", "--images: per channel, subtracted from the pixel values (0..1)", 0, 0, 0}, { \
    "std", "S[,S,S]", "1", "--images: per channel, what the centred values are divided by", 0, 0, 0          \
  }
/* The images --images read (NULL when it was not given). */
typedef struct cli_images_info {
  size_t n, c, h, w;      /* images; the model's channels, height and width */
  char **files;           /* their paths, in row order */
  double mean[3], std[3]; /* the normalisation applied */
} cli_images_info;
const cli_images_info *cli_images(void);
/* The data set of --images for ONNX model m (loaded without a schema): one row of
 * C*H*W values per image, columns pixel_Y_X (grey) or red_/green_/blue_Y_X, the listing's
 * labels as target. A CLI code (errors printed). */
int cli_images_load(limn_ctx *ctx, const cli_cmd *cmd, const limn_model *m, limn_dataset **ds);
/* sha256sum's lines ("HEX  PATH\n") for the images read, in order (malloc'd; free it):
 * the manifest's images_sha256 is their digest, so `sha256sum FILES | sha256sum` checks it. */
int cli_images_listing(limn_ctx *ctx, char **text, size_t *len);

/* The options of a black-box model (cli_load reads them when the command has them). */
#define CLI_MODEL_CMD_OPTS                                                                                   \
  {                                                                                                          \
      "model-cmd",                                                                                           \
      "CMD",                                                                                                 \
      NULL,                                                                                                  \
      "a black-box model instead of --model: a command speaking docs/model-command.md",                      \
      0,                                                                                                     \
      0,                                                                                                     \
      0},                                                                                                    \
      {"model-timeout", "S", "30", "seconds a model command may take for one batch", 0, 0, 0}, {             \
    "classes", "A,B,..", NULL,                                                                               \
        "the classes a model command answers, in its order (checked against --target's; without --target "   \
        "they make it a classifier)",                                                                        \
        0, 0, 0                                                                                              \
  }
/* --model (limn or ONNX, by content) or --model-cmd, and --data read against it, with
 * --describe's column descriptions when the command has the option; see common.c. */
int cli_load(limn_ctx *ctx, const cli_cmd *cmd, int target_optional, limn_model **m, limn_dataset **ds);
/* The rows of --data, a block at a time: a CSV file or standard input ("-") with a
 * limn or tree model is streamed (memory grows with --block-rows, not with the file);
 * ARFF files, ONNX models and model commands are read whole, as one block. */
typedef struct cli_blocks {
  limn_stream *s;
  limn_dataset *whole; /* the one block of a whole read, until taken */
  const char *file;
  size_t block;
  size_t offset;  /* --first-row: the data index of the input's first row */
  const char *id; /* --id-column (NULL: none) */
  long id_col;
  int images; /* --images: a row's id is its file's path */
} cli_blocks;
/* The model (as cli_load) and the rows of --data ready to be read in blocks of `block`
 * rows; a CLI code (errors printed). */
int cli_blocks_open(limn_ctx *ctx, const cli_cmd *cmd, int target_optional, size_t block, limn_model **m,
                    cli_blocks *b);
/* The next block (free it; NULL at the end) and the data index of its first row; the
 * row mapping of cli_lib_fail's messages follows it. A CLI code. */
int cli_blocks_next(limn_ctx *ctx, cli_blocks *b, limn_dataset **ds, size_t *first_row);
/* The data index of the next block's first row. */
size_t cli_blocks_at(const cli_blocks *b);
/* With --id-column: row i's id (the column's text); "" otherwise. */
const char *cli_blocks_id(const cli_blocks *b, const limn_dataset *ds, size_t i);
/* Pass over the next block unread (another process computes it): its row count in *n
 * (0 at the end) and the data index of its first row. A CLI code. */
int cli_blocks_skip(limn_ctx *ctx, cli_blocks *b, size_t *n, size_t *first_row);
void cli_blocks_close(cli_blocks *b);
/* The help line of --first-row. */
#define CLI_FIRST_ROW_OPT                                                                                    \
  {                                                                                                          \
    "first-row", "N", "0",                                                                                   \
        "the data index of the input's first row: a partition's offset (e.g. from GNU parallel), so row "    \
        "ids "                                                                                               \
        "and per-row seeds match a whole run's",                                                             \
        0, 0, 0                                                                                              \
  }
/* The help line of --id-column. */
#define CLI_ID_COLUMN_OPT                                                                                    \
  {                                                                                                          \
    "id-column", "COL", NULL,                                                                                \
        "a column of --data whose text identifies each row: written as the row instead of its index, so "    \
        "partial outputs join back (any column; not with --model-cmd)",                                      \
        0, 0, 0                                                                                              \
  }
/* The help line of --block-rows. */
#define CLI_BLOCK_ROWS_OPT                                                                                   \
  {                                                                                                          \
    "block-rows", "N", "16384",                                                                              \
        "rows read, computed and written at a time (memory grows with it; results never depend on it)", 0,   \
        0, 0                                                                                                 \
  }
/* The processes of one run (par.c): 1 for limn; an MPI job's ranks for limn-mpi, where
 * rank 0 alone prints and writes. init and finish wrap main (finish returns rc);
 * cli_par_command(1) before a command that spreads its blocks across ranks. */
int cli_par_init(int *argc, char ***argv);
int cli_par_finish(int rc);
void cli_par_command(int spreads);
int cli_par_rank(void);
int cli_par_size(void);
/* A streamed command's output, block by block, in order. Every rank passes over every
 * block (reads those cli_sink_mine says it computes, skips the others' unparsed) and
 * then calls cli_sink_next: 1 when this process computes it (its text goes to
 * *w: the output on rank 0, a buffer sent to rank 0 on the others), 0 when another rank
 * does (on rank 0 its text has then been written, or its error printed). After a block
 * it computed, cli_sink_put(s, rc) (rc: 0, or the CLI code of the error it printed);
 * before writing a block's text, cli_sink_head (rank 0 writes head once, before the
 * first text). s->rc turns non-zero when the run must stop (an error, or STOP from rank
 * 0). cli_sink_end(s, rc) on every rank ends the exchange and returns the run's code
 * (on rank 0: any rank's failure). With one process the text goes straight to f. */
typedef struct cli_sink {
  FILE *f;
  void (*head)(FILE *, void *);
  void *arg;
  size_t block;
  int rc, headed, stopped, ended;
  FILE *mem;
  char *text;
  size_t len;
  unsigned char *done; /* rank 0: the ranks that have ended */
} cli_sink;
/* rc: this rank's state so far (0: ready). Returns rc, or a failure when some rank is
 * not ready; every rank calls it (one that fails before it: cli_par_finish stands in). */
int cli_sink_init(cli_sink *s, int rc, FILE *f, void (*head)(FILE *, void *), void *arg);
int cli_sink_next(cli_sink *s, FILE **w);
/* Whether this process computes the next block (read it; else skip it), before
 * cli_sink_next. */
int cli_sink_mine(const cli_sink *s);
void cli_sink_head(cli_sink *s);
int cli_sink_put(cli_sink *s, int rc);
int cli_sink_end(cli_sink *s, int rc);
/* The output (class) named v, or with allow_index its number; -1 when none. */
long cli_output_index(const limn_model *m, const char *v, int allow_index);
/* --threads 0 (auto): the cores free of other work right now (see common.c), 0 when unknown. */
int cli_auto_threads(void);
/* A context with the input limits of LIMN_MAX_DATA and LIMN_MAX_MODEL; NULL (reported)
 * when one is not a size. */
limn_ctx *cli_ctx_plain(void);
/* cli_ctx_plain with --threads applied and progress on stderr when it is a terminal. */
limn_ctx *cli_ctx(const cli_cmd *cmd);
/* Shortest round-trip text of a float (limn_format_float; nan, inf as printf writes them). */
void cli_fmt_float(char *buf, size_t cap, float v);
/* Shortest round-trip text of a double (limn_format_double; "null" for NaN/Inf: JSON). */
void cli_fmt_double(char *buf, size_t cap, double v);
/* Write a CSV field (quoted if needed) / a JSON string: the library's escapers. */
void cli_csv_field(FILE *f, const char *s);
void cli_json_string(FILE *f, const char *s);
/* Open the output: "-" or NULL is stdout; a path is written to "<path>.tmp" and
 * renamed by cli_close_out(ok). */
FILE *cli_open_out(const char *path);
int cli_close_out(FILE *f, const char *path, int ok);
/* One output made of several files (embed's MAP.csv, .ref, .json and .svg): between
 * begin and end, cli_close_out keeps each regular file's temporary, and
 * cli_outputs_defer(tmp, final) adds one written otherwise; end(1) renames them all
 * into place, end(0) removes them, so a failure leaves the old set whole. A CLI code. */
void cli_outputs_begin(void);
int cli_outputs_defer(const char *tmp, const char *fin);
int cli_outputs_end(int ok);
/* Compute and write the HTML report to path ("-": stdout), whole or not at all;
 * errors printed, a CLI code returned. */
int cli_report(limn_ctx *ctx, const limn_report_opts *o, const char *path);
/* At most k rows of ds (all when it has no more): a uniform sample without replacement
 * seeded by seed, kept in file order, copied into *out (malloc'd, n rows). SHAP's
 * background. Errors printed; a CLI code. */
int cli_sample_rows(const limn_dataset *ds, size_t k, uint64_t seed, float **out, size_t *n);
/* --protected: a comma-separated list of column names into *list (one malloc'd block;
 * free(*list)), "none" for an empty one; spec NULL leaves *list NULL (the default list).
 * Fails (reported) for an empty name. */
int cli_protected(const char *spec, const char ***list, size_t *n);
/* The --describe option's help line. */
#define CLI_DESCRIBE_HELP                                                                                    \
  "column descriptions and units for people (CSV: column, description, unit; docs/format.md), used in "      \
  "reason codes and tables"
/* Training rows of FILE read against m's schema (the target may be absent), and their
 * statistics (LIME's, IG's mean baseline) into *st; the rows into *ds when ds is given
 * (else freed). A library status (not printed). */
int cli_read_background(limn_ctx *ctx, const limn_model *m, const char *file, limn_dataset **ds,
                        limn_stats **st);
/* The --protected option's help line (the default list). */
#define CLI_PROTECTED_HELP                                                                                   \
  "reason codes naming these columns are flagged as protected characteristics (comma-separated; none: no "   \
  "list) [default: age, sex, gender, race, ethnicity, religion, national_origin, nationality, "              \
  "marital_status, disability, personal_status, foreign_worker]"
/* --map of report: auto, output, none or hidden:K of the model (usage error printed). */
int cli_check_map(const limn_model *m, const char *space);

/* --texts anywhere in argv: the command runs as its text variant (cli/text.c). */
int cli_wants_texts(int argc, char **argv);
int cmd_predict_text(int argc, char **argv);
int cmd_explain_text(int argc, char **argv);
int cmd_report_text(int argc, char **argv);
/* prefix and the arguments, shell-quoted where needed (malloc'd): the command line that
 * reproduces a page; --threads is left out, so that pages made on different thread counts
 * are the same bytes. */
char *cli_command_line(const char *prefix, int argc, char **argv);
/* The help line of --texts in the table commands. */
#define CLI_TEXTS_OPT                                                                                        \
  {                                                                                                          \
    "texts", "FILE", NULL,                                                                                   \
        "ONNX text classifiers: texts instead of --data (with --vocab; 'limn COMMAND --texts F --help' "     \
        "lists the text options)",                                                                           \
        0, 0, 0                                                                                              \
  }

int cmd_train(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
