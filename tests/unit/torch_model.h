/* The PyTorch fixture network of tests/fixtures/reference/gradients (30-64-32-2, relu,
 * softmax), as a limn MLP on 30 numeric columns f0..f29 with classes c0, c1. */
#ifndef LIMN_TEST_TORCH_MODEL_H
#define LIMN_TEST_TORCH_MODEL_H

#include "../harness.h"

static inline limn_model *torch_model(limn_ctx *ctx) {
  FILE *f = fopen(src_path("tests/fixtures/grad_mlp.txt"), "r");
  if (!f)
    return NULL;
  size_t nl = 0;
  if (fscanf(f, "layers %zu", &nl) != 1 || nl != 3) {
    fclose(f);
    return NULL;
  }
  fclose(f);
  limn_mlp_layer layers[3];
  float *buf[6];
  /* read_vec finds the first match: read layer blocks in order by hand */
  f = fopen(src_path("tests/fixtures/grad_mlp.txt"), "r");
  char tag[64], act[64];
  size_t in, out, n;
  if (fscanf(f, "layers %zu", &nl) != 1) {
    fclose(f);
    return NULL;
  }
  for (size_t l = 0; l < 3; l++) {
    if (fscanf(f, " dense %zu %zu %63s", &in, &out, act) != 3)
      break;
    for (int k = 0; k < 2; k++) {
      if (fscanf(f, " %63s %zu", tag, &n) != 2)
        break;
      float *v = malloc(n * sizeof *v);
      for (size_t i = 0; i < n; i++) {
        double x;
        if (fscanf(f, "%lf", &x) == 1)
          v[i] = (float)x;
      }
      buf[l * 2 + (size_t)k] = v;
    }
    layers[l].in = in;
    layers[l].out = out;
    layers[l].w = buf[l * 2];
    layers[l].b = buf[l * 2 + 1];
  }
  fclose(f);
  limn_schema *s;
  limn_schema_create(ctx, &s);
  char name[16];
  for (int j = 0; j < 30; j++) {
    snprintf(name, sizeof name, "f%d", j);
    limn_schema_add_numeric(ctx, s, name);
  }
  const char *cl[] = {"c0", "c1"};
  limn_schema_set_target(ctx, s, "t", LIMN_TASK_CLASSIFICATION, cl, 2);
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 3, layers, LIMN_ACT_RELU, LIMN_ACT_SOFTMAX, 0, 1};
  int rc = limn_mlp_create(ctx, &spec, &m);
  if (rc)
    fprintf(stderr, "torch_model: %s\n", limn_ctx_errmsg(ctx));
  limn_schema_free(s);
  for (int i = 0; i < 6; i++)
    free(buf[i]);
  return m;
}

#endif
