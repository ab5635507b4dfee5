#include "strmap.h"

static size_t hash_str(const char *s) { return (size_t)limn__fnv1a64(s, strlen(s)); }

int limn__strmap_init(limn_ctx *ctx, limn__strmap *m, size_t expect) {
  size_t cap = 16;
  while (cap < 2 * expect + 2)
    cap *= 2;
  m->keys = limn__calloc(ctx, cap, sizeof *m->keys);
  m->vals = limn__calloc(ctx, cap, sizeof *m->vals);
  m->cap = cap;
  m->n = 0;
  if (!m->keys || !m->vals) {
    limn__strmap_free(ctx, m);
    return LIMN_ENOMEM;
  }
  return LIMN_OK;
}

void limn__strmap_free(limn_ctx *ctx, limn__strmap *m) {
  limn__free(ctx, (void *)m->keys);
  limn__free(ctx, m->vals);
  memset(m, 0, sizeof *m);
}

size_t limn__strmap_get(const limn__strmap *m, const char *key) {
  if (!m->cap)
    return (size_t)-1;
  for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i])
      return (size_t)-1;
    if (!strcmp(m->keys[i], key))
      return m->vals[i];
  }
}

static void insert(limn__strmap *m, const char *key, size_t val) {
  size_t i = hash_str(key) & (m->cap - 1);
  while (m->keys[i])
    i = (i + 1) & (m->cap - 1);
  m->keys[i] = key;
  m->vals[i] = val;
  m->n++;
}

int limn__strmap_put(limn_ctx *ctx, limn__strmap *m, const char *key, size_t val) {
  if (2 * (m->n + 1) > m->cap) {
    limn__strmap big = {0};
    LIMN_TRY(limn__strmap_init(ctx, &big, m->cap));
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i])
        insert(&big, m->keys[i], m->vals[i]);
    limn__strmap_free(ctx, m);
    *m = big;
  }
  insert(m, key, val);
  return LIMN_OK;
}
