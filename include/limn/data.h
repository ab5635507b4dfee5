/* limn/data.h: schemas, datasets (CSV and ARFF readers), statistics, splits.
 *
 * A dataset is a table of n rows of d feature columns plus an optional target.
 * Features are stored as floats, row-major (n, d): numeric columns hold their value,
 * categorical columns hold the category code (0, 1, ...) as a float. The schema
 * names the columns, their kinds and categories, the target and its classes.
 */
#ifndef LIMN_DATA_H
#define LIMN_DATA_H

#include "core.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limn_col_kind { LIMN_COL_NUMERIC = 0, LIMN_COL_CATEGORICAL = 1 } limn_col_kind;

typedef enum limn_task {
  LIMN_TASK_AUTO = -1, /* only as a reader option */
  LIMN_TASK_CLASSIFICATION = 0,
  LIMN_TASK_REGRESSION = 1
} limn_task;

/* ---- Schema ---------------------------------------------------------------- */

typedef struct limn_schema limn_schema;

/* An empty schema to fill with the add/set calls below. Free with limn_schema_free. */
LIMN_API int limn_schema_create(limn_ctx *ctx, limn_schema **out);
/* Deep copy. */
LIMN_API int limn_schema_clone(limn_ctx *ctx, const limn_schema *s, limn_schema **out);
LIMN_API void limn_schema_free(limn_schema *s);
/* Append a numeric feature column. `name` is copied; names must be unique. */
LIMN_API int limn_schema_add_numeric(limn_ctx *ctx, limn_schema *s, const char *name);
/* Append a categorical feature column with `ncats` >= 1 category names (copied). */
LIMN_API int limn_schema_add_categorical(limn_ctx *ctx, limn_schema *s, const char *name,
                                         const char *const *cats, size_t ncats);
/* Set the target: a classification target with `nclasses` >= 2 class names, or a
 * regression target (classes NULL, nclasses 0). */
LIMN_API int limn_schema_set_target(limn_ctx *ctx, limn_schema *s, const char *name, limn_task task,
                                    const char *const *classes, size_t nclasses);

/* Match a data file's columns to the features by position (the first nfeatures
 * columns, whatever their names) instead of by name: for models whose file names no
 * columns (an XGBoost model saved without feature names: f0, f1, ..). */
LIMN_API void limn_schema_set_positional(limn_schema *s, int positional);
LIMN_API int limn_schema_positional(const limn_schema *s);

/* Getters. An index out of range gives NULL for a name, 0 for a count and
 * LIMN_COL_NUMERIC for a kind; they never fail otherwise. */
/* Number of feature columns. */
LIMN_API size_t limn_schema_nfeatures(const limn_schema *s);
/* Name of feature column j (NULL out of range); borrowed from the schema. */
LIMN_API const char *limn_schema_feature_name(const limn_schema *s, size_t j);
/* Kind of feature column j (numeric out of range). */
LIMN_API limn_col_kind limn_schema_feature_kind(const limn_schema *s, size_t j);
/* Number of categories of column j (0 for a numeric column). */
LIMN_API size_t limn_schema_ncategories(const limn_schema *s, size_t j);
/* Name of category c of column j (NULL when either is out of range); borrowed. */
LIMN_API const char *limn_schema_category(const limn_schema *s, size_t j, size_t c);
/* Index of the feature called `name`, or -1. */
LIMN_API long limn_schema_find_feature(const limn_schema *s, const char *name);
/* Target column name, or NULL when the schema has no target. */
LIMN_API const char *limn_schema_target_name(const limn_schema *s);
/* The target's task (classification when the schema has no target). */
LIMN_API limn_task limn_schema_task(const limn_schema *s);
/* Number of classes (0 for regression or no target). */
LIMN_API size_t limn_schema_nclasses(const limn_schema *s);
/* Name of class k (NULL out of range); borrowed. */
LIMN_API const char *limn_schema_class_name(const limn_schema *s, size_t k);

/* ---- Reading ---------------------------------------------------------------- */

typedef struct limn_read_opts {
  /* Target column by name; NULL: every column is a feature. */
  const char *target;
  /* Columns forced categorical / numeric by name (borrowed during the call).
   * Otherwise a column is numeric when every field parses as a finite number. */
  const char *const *categorical;
  size_t ncategorical;
  const char *const *numeric;
  size_t nnumeric;
  /* Columns to leave out entirely (identifiers, leaks), by name. */
  const char *const *ignore;
  size_t nignore;
  /* Task of the target. AUTO: classification when the target is categorical, or
   * numeric with integer values and at most `max_auto_classes` distinct values;
   * otherwise regression. */
  limn_task task;
  size_t max_auto_classes; /* default 32 */
  /* When set (borrowed during the call), columns are matched to it by name, in any
   * order, and category and class codes follow it: a value it does not know is an
   * error. Extra columns in the file are ignored. */
  const limn_schema *schema;
  /* With `schema`: the target column may be absent (rows to predict). */
  int target_optional;
  /* Read every column as categorical text, accepting any field (missing markers
   * and empty fields too), for tools that move rows without interpreting them.
   * Ignored with `schema`. */
  int as_text;
  /* Keep the original text of every field, for limn_dataset_write_csv. */
  int keep_text;
  /* Largest field accepted, in bytes (default 1 MiB). */
  size_t max_field_bytes;
  /* With `schema`: an empty or missing-marker field of a numeric feature column reads as
   * NaN, a missing value, for models that take them (limn_model_takes_missing: tree
   * ensembles) instead of being an error. The target is never missing. */
  int missing_ok;
} limn_read_opts;

/* No target, nothing forced, no text kept, 1 MiB fields. */
LIMN_API limn_read_opts limn_read_opts_default(void);

typedef struct limn_dataset limn_dataset;

/* Read an RFC 4180 CSV file: a header line of column names, then one record per
 * line, comma-separated, fields optionally in double quotes ("" is a quote), CRLF
 * or LF. UTF-8 (a leading BOM is skipped). Empty fields, NA/NaN/Inf texts in
 * numeric columns, ragged rows, invalid UTF-8 and NUL bytes are errors naming the
 * file, line and column. Category and class names are coded in order of first
 * appearance, except an integer-valued numeric target, whose classes are its
 * values in ascending order. */
LIMN_API int limn_dataset_read_csv(limn_ctx *ctx, const char *path, const limn_read_opts *opts,
                                   limn_dataset **out);
/* Read a Weka ARFF file (numeric/real/integer and nominal attributes, dense data,
 * quoted values). Nominal categories keep their declared order. Missing values (?)
 * are errors. */
LIMN_API int limn_dataset_read_arff(limn_ctx *ctx, const char *path, const limn_read_opts *opts,
                                    limn_dataset **out);
/* ARFF when the path ends in ".arff", else CSV. */
LIMN_API int limn_dataset_read(limn_ctx *ctx, const char *path, const limn_read_opts *opts,
                               limn_dataset **out);
/* The same from memory; `name` is used in messages. `buf` is borrowed. */
LIMN_API int limn_dataset_parse_csv(limn_ctx *ctx, const char *buf, size_t len, const char *name,
                                    const limn_read_opts *opts, limn_dataset **out);
LIMN_API int limn_dataset_parse_arff(limn_ctx *ctx, const char *buf, size_t len, const char *name,
                                     const limn_read_opts *opts, limn_dataset **out);
/* ---- Streams: a CSV file read in blocks of rows ---- */

typedef struct limn_stream limn_stream;
/* Open a CSV file, or standard input for "-", to read in blocks (limn_stream_read):
 * memory grows with the block, never with the file. `opts` as limn_dataset_read's
 * (copied; a schema given in it is borrowed while the stream is open); without a
 * schema the first block's types are kept for the blocks after it, so a later field
 * that does not fit them (text in a numeric column, an unseen category) is an error
 * naming its line. The file is read chunk_bytes at a time (0: 1 MiB); one block may
 * hold at most the context's data limit of bytes (limn_ctx_set_input_limits). An
 * ARFF path gives LIMN_EUNSUPPORTED (read it whole). Close with limn_stream_close. */
LIMN_API int limn_stream_open(limn_ctx *ctx, const char *path, const limn_read_opts *opts, size_t chunk_bytes,
                              limn_stream **out);
/* The next block of at most max_rows rows as a dataset (free it), or *out NULL at the
 * end of the file. Rows are typed, checked and numbered by file line exactly as
 * limn_dataset_read would: an error names the file, line and column, and a block is
 * returned whole or not at all. A file with a header and no rows is an error. */
LIMN_API int limn_stream_read(limn_ctx *ctx, limn_stream *s, size_t max_rows, limn_dataset **out);
/* Pass over the next block of at most max_rows rows without parsing it: *n rows (0 at
 * the end of the file), counted by limn_stream_rows and the line numbers after them,
 * their fields unchecked (another process reads them: an MPI rank, a partition). The
 * stream must have a schema (given, or a block read first). */
LIMN_API int limn_stream_skip(limn_ctx *ctx, limn_stream *s, size_t max_rows, size_t *n);
/* Rows returned or skipped so far (the index of the next block's first row). */
LIMN_API size_t limn_stream_rows(const limn_stream *s);
/* The schema blocks are typed by: the one given, or the first block's (NULL before it). */
LIMN_API const limn_schema *limn_stream_schema(const limn_stream *s);
LIMN_API void limn_stream_close(limn_stream *s);

/* A dataset from arrays: x (n, d) with d = nfeatures of `schema`, y (n) or NULL.
 * All are copied. Values are checked (finite, valid codes). */
LIMN_API int limn_dataset_from_arrays(limn_ctx *ctx, const limn_schema *schema, const float *x,
                                      const float *y, size_t n, limn_dataset **out);
LIMN_API void limn_dataset_free(limn_dataset *ds);

/* The dataset's columns and target; borrowed from the dataset. */
LIMN_API const limn_schema *limn_dataset_schema(const limn_dataset *ds);
/* Number of rows, and of feature columns. */
LIMN_API size_t limn_dataset_nrows(const limn_dataset *ds);
LIMN_API size_t limn_dataset_nfeatures(const limn_dataset *ds);
/* Features (n, d), row-major; borrowed from the dataset. */
LIMN_API const float *limn_dataset_x(const limn_dataset *ds);
/* Target (n): class code or value; NULL when the dataset has no target. */
LIMN_API const float *limn_dataset_y(const limn_dataset *ds);
/* File line where row i starts (1-based), for messages; 0 when unknown or i is out
 * of range. */
LIMN_API size_t limn_dataset_row_line(const limn_dataset *ds, size_t i);

/* New dataset with rows[0..n) of `ds` in that order (text kept if `ds` kept it). */
LIMN_API int limn_dataset_subset(limn_ctx *ctx, const limn_dataset *ds, const size_t *rows, size_t n,
                                 limn_dataset **out);

/* Mark each row as test (1) or train (0). Exactly round(test_fraction * n) rows
 * (at least 1 and at most n-1) go to test. With `stratify_column` (any column of
 * the file, the target included, by name) the count of each stratum is allocated by
 * largest remainder and the rows within a stratum are drawn by a Fisher-Yates
 * shuffle seeded with (seed, stratum index); without it, one shuffle of all rows
 * seeded with (seed, 0). is_test: (n) written. */
LIMN_API int limn_dataset_split_rows(limn_ctx *ctx, const limn_dataset *ds, double test_fraction,
                                     uint64_t seed, const char *stratify_column, unsigned char *is_test);

/* With keep_text: the file's column named `column` (any column: a feature, the target,
 * an ignored or unused one), its index for limn_dataset_text; -1 when there is none or
 * the text was not kept. */
LIMN_API long limn_dataset_text_column(const limn_dataset *ds, const char *column);
/* With keep_text: the original text of row i's field in that column (NULL when out of
 * range or not kept); it lives as long as the dataset. */
LIMN_API const char *limn_dataset_text(const limn_dataset *ds, size_t i, long column);

/* Write the dataset as CSV with its original header and field texts (it must have
 * been read with keep_text). Written to a temporary file then renamed, so a
 * failure never leaves a partial file at `path`. */
LIMN_API int limn_dataset_write_csv(limn_ctx *ctx, const limn_dataset *ds, const char *path);

/* ---- Statistics --------------------------------------------------------------- */

/* Per-feature statistics of a dataset, computed once and stored with models.
 * Numeric columns: mean, population standard deviation, min, max and the
 * percentiles 0, 1, ..., 100 with numpy's default "linear" interpolation (the
 * value at position p/100 * (n-1) of the sorted column). Categorical columns:
 * count of each category. */
typedef struct limn_stats limn_stats;

/* The statistics of a dataset's rows (with its labels, for entropy bins). Free with
 * limn_stats_free. */
LIMN_API int limn_stats_compute(limn_ctx *ctx, const limn_dataset *ds, limn_stats **out);
/* Deep copy. */
LIMN_API int limn_stats_clone(limn_ctx *ctx, const limn_stats *st, limn_stats **out);
/* NULL is a no-op. */
LIMN_API void limn_stats_free(limn_stats *st);
/* Rows the statistics were computed from, and their feature columns. */
LIMN_API size_t limn_stats_nrows(const limn_stats *st);
LIMN_API size_t limn_stats_nfeatures(const limn_stats *st);
/* Mean, population standard deviation, minimum and maximum of numeric column j.
 * The getters below give NaN (a count: 0) for a column, category or percentile out
 * of range, and for the numeric figures of a categorical column. */
LIMN_API double limn_stats_mean(const limn_stats *st, size_t j);
LIMN_API double limn_stats_std(const limn_stats *st, size_t j);
LIMN_API double limn_stats_min(const limn_stats *st, size_t j);
LIMN_API double limn_stats_max(const limn_stats *st, size_t j);
/* Percentile `pct` in 0..100 of numeric column j. */
LIMN_API double limn_stats_percentile(const limn_stats *st, size_t j, int pct);
/* Quantile q in [0, 1] of numeric column j, interpolated between the stored
 * percentiles (exact at whole percents). */
LIMN_API double limn_stats_quantile(const limn_stats *st, size_t j, double q);
/* Number of rows of category c of categorical column j. */
LIMN_API size_t limn_stats_category_count(const limn_stats *st, size_t j, size_t c);

/* How numeric columns are cut into bins (LIME's discretizers; the statistics hold
 * every kind's bins). */
typedef enum limn_discretizer {
  LIMN_DISC_QUARTILE = 0, /* numpy percentiles 25, 50, 75 of the background */
  LIMN_DISC_DECILE = 1,   /* percentiles 10, ..., 90 */
  LIMN_DISC_ENTROPY = 2,  /* thresholds of a depth-3 entropy tree against the labels */
  LIMN_DISC_NONE = 3      /* continuous mode: no bins */
} limn_discretizer;
/* "quartile", "decile", "entropy", "none" (NULL for another value); parse returns
 * LIMN_EINVAL for an unknown name. */
LIMN_API const char *limn_discretizer_name(limn_discretizer d);
LIMN_API int limn_discretizer_parse(const char *name, limn_discretizer *out);

/* The discretisation of a numeric column: ne edges and, per bin (ne + 1), the
 * background rows' count, mean and population std. Pointers borrowed from the
 * statistics. */
typedef struct limn_bins {
  size_t ne;
  const double *edges;              /* (ne) */
  const double *count, *mean, *std; /* (ne + 1) */
} limn_bins;
/* The bins of numeric column j. LIMN_ENOTFOUND, with a message, when there are none (a
 * categorical column, entropy bins of statistics without labels, LIMN_DISC_NONE);
 * LIMN_EINVAL for j out of range. */
LIMN_API int limn_stats_bins(limn_ctx *ctx, const limn_stats *st, size_t j, limn_discretizer disc,
                             limn_bins *out);

#ifdef __cplusplus
}
#endif
#endif
