/* --images: PNG and JPEG files as the rows of an ONNX image model (a folder, one
 * image, or a CSV listing files and labels), resized, converted and normalised as the
 * options say. */
#include "common.h"
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cli_images_info info;

const cli_images_info *cli_images(void) { return info.n ? &info : NULL; }

static int has_ext(const char *p, const char *ext) {
  size_t n = strlen(p), e = strlen(ext);
  return n > e && !strcasecmp(p + n - e, ext);
}

static int image_name(const char *p) {
  return has_ext(p, ".png") || has_ext(p, ".jpg") || has_ext(p, ".jpeg");
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Append a path (copied) to the list. */
static int add_file(char ***list, size_t *n, size_t *cap, const char *dir, const char *name) {
  if (*n == *cap) {
    size_t nc = *cap ? 2 * *cap : 64;
    char **l = realloc(*list, nc * sizeof *l);
    if (!l)
      return cli_fail("out of memory");
    *list = l, *cap = nc;
  }
  size_t dl = dir ? strlen(dir) : 0;
  char *p = malloc(dl + strlen(name) + 2);
  if (!p)
    return cli_fail("out of memory");
  if (dir && name[0] != '/')
    sprintf(p, "%s/%s", dir, name);
  else
    strcpy(p, name);
  (*list)[(*n)++] = p;
  return CLI_OK;
}

/* "a,b,c" or one value for every channel into v[c]. */
static int channel_values(const cli_cmd *cmd, const char *name, size_t c, double *v) {
  const char *s = cli_get(cmd, name);
  char *end;
  size_t k = 0;
  for (const char *p = s; p && *p && k < 3; k++) {
    v[k] = strtod(p, &end);
    if (end == p || (*end && *end != ','))
      break;
    p = *end ? end + 1 : end;
    if (!*end) {
      k++;
      break;
    }
  }
  int ok = (k == 1 || k == c) && s && s[strlen(s) - 1] != ',';
  for (size_t j = 0; ok && j < c; j++) {
    if (k == 1)
      v[j] = v[0];
    ok = isfinite(v[j]) && (strcmp(name, "std") || v[j] > 0);
  }
  if (!ok)
    return cli_fail("--%s: expected one number or one per channel (%zu)%s, got '%s'", name, c,
                    strcmp(name, "std") ? "" : ", each > 0", s ? s : ""),
           CLI_USAGE;
  return CLI_OK;
}

/* The files --images names, and the listing CSV's data set (labels) when it is one. */
static int list_files(limn_ctx *ctx, const char *path, const char *target, limn_dataset **listing) {
  size_t cap = 0;
  *listing = NULL;
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    int rc = CLI_OK;
    while (!rc && (e = readdir(d)))
      if (e->d_name[0] != '.' && image_name(e->d_name))
        rc = add_file(&info.files, &info.n, &cap, path, e->d_name);
    closedir(d);
    if (rc)
      return rc;
    if (!info.n)
      return cli_fail("--images: %s holds no .png, .jpg or .jpeg files", path);
    qsort(info.files, info.n, sizeof *info.files, by_name);
    if (target)
      return cli_fail("--target: the images of a folder have no labels (list them in a CSV: file,%s)",
                      target),
             CLI_USAGE;
    return CLI_OK;
  }
  if (!has_ext(path, ".csv"))
    return add_file(&info.files, &info.n, &cap, NULL, path);
  limn_read_opts ro = limn_read_opts_default();
  const char *file_col = "file";
  ro.target = target;
  ro.categorical = &file_col, ro.ncategorical = 1;
  int lr = limn_dataset_read(ctx, path, &ro, listing);
  if (lr)
    return cli_lib_fail(ctx, lr);
  const limn_schema *s = limn_dataset_schema(*listing);
  long fc = limn_schema_find_feature(s, "file");
  if (fc < 0)
    return cli_fail("--images: %s has no column 'file' (the image paths, relative to its folder)", path);
  char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
  if (!dir)
    return cli_fail("out of memory");
  if (slash)
    *slash = 0;
  size_t n = limn_dataset_nrows(*listing), nf = limn_dataset_nfeatures(*listing);
  int rc = CLI_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    size_t code = (size_t)limn_dataset_x(*listing)[i * nf + (size_t)fc];
    rc = add_file(&info.files, &info.n, &cap, slash ? dir : NULL, limn_schema_category(s, (size_t)fc, code));
  }
  free(dir);
  return rc;
}

/* One image into row (C*H*W): read, then channels and size as the options allow. */
static int image_row(limn_ctx *ctx, const char *file, int convert, int resize, float *row) {
  limn_image *im = NULL, *t = NULL;
  int lr = limn_image_read(ctx, file, &im);
  if (lr)
    return cli_lib_fail(ctx, lr);
  size_t c = limn_image_channels(im), w = limn_image_width(im), h = limn_image_height(im);
  if (c != info.c && !convert) {
    limn_image_free(im);
    return cli_fail("%s: %s, the model takes %s images (give --channels model to convert)", file,
                    c == 1 ? "grey" : "colour (RGB)", info.c == 1 ? "grey" : "colour (RGB)");
  }
  if ((w != info.w || h != info.h) && !resize) {
    limn_image_free(im);
    return cli_fail("%s: %zu x %zu pixels, the model takes %zu x %zu (give --resize model)", file, w, h,
                    info.w, info.h);
  }
  if (c != info.c) {
    lr = limn_image_convert(ctx, im, info.c, &t);
    limn_image_free(im);
    im = t, t = NULL;
  }
  if (!lr && (w != info.w || h != info.h)) {
    lr = limn_image_resize(ctx, im, info.w, info.h, &t);
    limn_image_free(im);
    im = t, t = NULL;
  }
  if (!lr)
    lr = limn_image_to_input(ctx, im, info.mean, info.std, row);
  limn_image_free(im);
  return lr ? cli_lib_fail(ctx, lr) : CLI_OK;
}

/* The data set's columns: red_Y_X, green_Y_X, blue_Y_X, or pixel_Y_X for grey; the
 * listing's target and classes. */
static int image_schema(limn_ctx *ctx, const limn_dataset *listing, limn_schema **out) {
  static const char *const chan[3] = {"red", "green", "blue"};
  limn_schema *s = NULL;
  int lr = limn_schema_create(ctx, &s);
  char nm[64];
  for (size_t k = 0; k < info.c && !lr; k++)
    for (size_t y = 0; y < info.h && !lr; y++)
      for (size_t x = 0; x < info.w && !lr; x++) {
        snprintf(nm, sizeof nm, "%s_%zu_%zu", info.c == 1 ? "pixel" : chan[k], y, x);
        lr = limn_schema_add_numeric(ctx, s, nm);
      }
  const limn_schema *ls = listing ? limn_dataset_schema(listing) : NULL;
  if (!lr && ls && limn_schema_target_name(ls)) {
    size_t k = limn_schema_nclasses(ls);
    const char **cls = calloc(k ? k : 1, sizeof *cls);
    for (size_t j = 0; cls && j < k; j++)
      cls[j] = limn_schema_class_name(ls, j);
    lr = cls ? limn_schema_set_target(ctx, s, limn_schema_target_name(ls), limn_schema_task(ls), cls, k)
             : LIMN_ENOMEM;
    free(cls);
  }
  if (lr) {
    limn_schema_free(s);
    return cli_lib_fail(ctx, lr);
  }
  *out = s;
  return CLI_OK;
}

int cli_images_load(limn_ctx *ctx, const cli_cmd *cmd, const limn_model *m, limn_dataset **ds) {
  const char *path = cli_get(cmd, "images"), *target = cli_get(cmd, "target");
  const char *rs = cli_get(cmd, "resize"), *cs = cli_get(cmd, "channels");
  *ds = NULL;
  if (!limn_image_supported())
    return cli_fail("--images: this limn was built without PNG and JPEG (LIMN_WITH_IMAGES=OFF)");
  int lr = limn_model_image_shape(ctx, m, &info.c, &info.h, &info.w);
  if (lr)
    return cli_fail("--images: %s: %s", cli_get(cmd, "model"), limn_ctx_errmsg(ctx)), CLI_USAGE;
  if (info.c != 1 && info.c != 3)
    return cli_fail("--images: the model takes %zu channels (images have 1 or 3)", info.c);
  if (rs && strcmp(rs, "model") && strcmp(rs, "none"))
    return cli_fail("--resize: expected model or none, got '%s'", rs), CLI_USAGE;
  if (cs && strcmp(cs, "model") && strcmp(cs, "none"))
    return cli_fail("--channels: expected model or none, got '%s'", cs), CLI_USAGE;
  int rc = channel_values(cmd, "mean", info.c, info.mean);
  rc = rc ? rc : channel_values(cmd, "std", info.c, info.std);
  limn_dataset *listing = NULL;
  rc = rc ? rc : list_files(ctx, path, target, &listing);
  size_t d = info.c * info.h * info.w;
  float *x = rc ? NULL : calloc(info.n * d, sizeof *x);
  if (!rc && !x)
    rc = cli_fail("out of memory");
  for (size_t i = 0; i < info.n && !rc; i++)
    rc = image_row(ctx, info.files[i], cs && !strcmp(cs, "model"), rs && !strcmp(rs, "model"), x + i * d);
  limn_schema *s = NULL;
  rc = rc ? rc : image_schema(ctx, listing, &s);
  if (!rc && (lr = limn_dataset_from_arrays(ctx, s, x, listing ? limn_dataset_y(listing) : NULL, info.n, ds)))
    rc = cli_lib_fail(ctx, lr);
  limn_schema_free(s);
  limn_dataset_free(listing);
  free(x);
  return rc;
}

int cli_images_listing(limn_ctx *ctx, char **text, size_t *len) {
  size_t cap = 0;
  char h[65];
  *text = NULL, *len = 0;
  for (size_t i = 0; i < info.n; i++) {
    int lr = limn_sha256_file(ctx, info.files[i], h);
    if (lr) {
      free(*text);
      *text = NULL;
      return cli_lib_fail(ctx, lr);
    }
    size_t need = *len + 64 + 2 + strlen(info.files[i]) + 2;
    if (need > cap) {
      char *t = realloc(*text, cap = 2 * need);
      if (!t) {
        free(*text);
        *text = NULL;
        return cli_fail("out of memory");
      }
      *text = t;
    }
    *len += (size_t)sprintf(*text + *len, "%s  %s\n", h, info.files[i]);
  }
  return CLI_OK;
}
