/* The provenance manifest: limn's version, digests of the inputs, figures and the
 * options, written as one JSON object in the order they were added. */
#include "out.h"

typedef enum { F_SHA, F_STRING, F_NUMBER, F_COUNT, O_STRING, O_BOOL } kind;

typedef struct item {
  kind k;
  char *key;
  char *text; /* F_SHA: hex digest; F_STRING, O_STRING: the value */
  double num;
  size_t count;
} item;

struct limn_manifest {
  limn_ctx *ctx; /* allocator owner */
  item *items;
  size_t n, cap;
};

int limn_manifest_create(limn_ctx *ctx, limn_manifest **out) {
  if (!ctx || !out)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_manifest_create: NULL output") : LIMN_EINVAL;
  *out = limn__calloc(ctx, 1, sizeof **out);
  if (!*out)
    return LIMN_ENOMEM;
  (*out)->ctx = ctx;
  return LIMN_OK;
}

void limn_manifest_free(limn_manifest *man) {
  if (!man)
    return;
  for (size_t i = 0; i < man->n; i++) {
    limn__free(man->ctx, man->items[i].key);
    limn__free(man->ctx, man->items[i].text);
  }
  limn__free(man->ctx, man->items);
  limn__free(man->ctx, man);
}

static int add(limn_ctx *ctx, limn_manifest *man, kind k, const char *key, const char *text, double num,
               size_t count) {
  if (!ctx || !man || !key)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "manifest: NULL manifest or key") : LIMN_EINVAL;
  if (man->n == man->cap) {
    size_t cap = man->cap ? 2 * man->cap : 16;
    item *it = limn__realloc(ctx, man->items, cap * sizeof *it);
    if (!it)
      return LIMN_ENOMEM;
    man->items = it, man->cap = cap;
  }
  item *it = &man->items[man->n];
  memset(it, 0, sizeof *it);
  it->k = k, it->num = num, it->count = count;
  it->key = limn__strdup(ctx, key);
  it->text = text ? limn__strdup(ctx, text) : NULL;
  if (!it->key || (text && !it->text)) {
    limn__free(ctx, it->key);
    limn__free(ctx, it->text);
    return LIMN_ENOMEM;
  }
  man->n++;
  return LIMN_OK;
}

static int add_sha(limn_ctx *ctx, limn_manifest *man, const char *name, const char *hex) {
  char key[256];
  if (!name || snprintf(key, sizeof key, "%s_sha256", name) >= (int)sizeof key)
    return limn__err(ctx, LIMN_EINVAL, "manifest: bad digest name");
  return add(ctx, man, F_SHA, key, hex, 0, 0);
}

int limn_manifest_add_file_sha256(limn_ctx *ctx, limn_manifest *man, const char *name, const char *path) {
  char hex[65];
  if (!ctx || !man || !path)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "manifest: NULL manifest or path") : LIMN_EINVAL;
  LIMN_TRY(limn_sha256_file(ctx, path, hex));
  return add_sha(ctx, man, name, hex);
}

int limn_manifest_add_sha256(limn_ctx *ctx, limn_manifest *man, const char *name, const void *data,
                             size_t len) {
  char hex[65];
  if (!ctx || !man || (!data && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "manifest: NULL manifest or data") : LIMN_EINVAL;
  limn_sha256(data ? data : "", len, hex);
  return add_sha(ctx, man, name, hex);
}

int limn_manifest_add_string(limn_ctx *ctx, limn_manifest *man, const char *key, const char *value) {
  return add(ctx, man, F_STRING, key, value ? value : "", 0, 0);
}
int limn_manifest_add_number(limn_ctx *ctx, limn_manifest *man, const char *key, double value) {
  return add(ctx, man, F_NUMBER, key, NULL, value, 0);
}
int limn_manifest_add_count(limn_ctx *ctx, limn_manifest *man, const char *key, size_t value) {
  return add(ctx, man, F_COUNT, key, NULL, 0, value);
}
int limn_manifest_add_option(limn_ctx *ctx, limn_manifest *man, const char *key, const char *value) {
  return add(ctx, man, O_STRING, key, value ? value : "", 0, 0);
}
int limn_manifest_add_option_bool(limn_ctx *ctx, limn_manifest *man, const char *key, int value) {
  return add(ctx, man, O_BOOL, key, NULL, 0, value != 0);
}

const char *limn_manifest_sha256(const limn_manifest *man, const char *name) {
  size_t len = name ? strlen(name) : 0;
  for (size_t i = 0; man && name && i < man->n; i++)
    if (man->items[i].k == F_SHA && !strncmp(man->items[i].key, name, len) &&
        !strcmp(man->items[i].key + len, "_sha256"))
      return man->items[i].text;
  return NULL;
}

static void write_value(limn__out *o, const item *it) {
  switch (it->k) {
  case F_NUMBER:
    limn__json_num(o, it->num);
    break;
  case F_COUNT:
    limn__printf(o, "%zu", it->count);
    break;
  case O_BOOL:
    limn__puts(o, it->count ? "true" : "false");
    break;
  default:
    limn__json_str(o, it->text);
  }
}

void limn__manifest_json(limn__out *o, const limn_manifest *man) {
  limn__puts(o, "{\"limn_version\":");
  limn__json_str(o, limn_version());
  size_t nopt = 0;
  for (size_t i = 0; i < man->n; i++) {
    const item *it = &man->items[i];
    if (it->k == O_STRING || it->k == O_BOOL) {
      nopt++;
      continue;
    }
    limn__putc(o, ',');
    limn__json_str(o, it->key);
    limn__putc(o, ':');
    write_value(o, it);
  }
  if (nopt) {
    limn__puts(o, ",\"options\":{");
    for (size_t i = 0, k = 0; i < man->n; i++) {
      const item *it = &man->items[i];
      if (it->k != O_STRING && it->k != O_BOOL)
        continue;
      if (k++)
        limn__putc(o, ',');
      limn__json_str(o, it->key);
      limn__putc(o, ':');
      write_value(o, it);
    }
    limn__putc(o, '}');
  }
  limn__putc(o, '}');
}

int limn_manifest_write_json(limn_ctx *ctx, const limn_manifest *man, limn_sink sink) {
  if (!ctx || !man)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_manifest_write_json: NULL manifest") : LIMN_EINVAL;
  limn__out o;
  limn__out_init(&o, sink);
  limn__manifest_json(&o, man);
  return limn__out_finish(ctx, &o);
}
