/* Sizes of the public structs, for bindings that lay them out themselves (the Python
 * package checks its ctypes mirrors against these at import). */
#include "internal.h"
#include "limn.h"

size_t limn_version_sizeof(const char *name) {
  static const struct {
    const char *name;
    size_t size;
  } t[] = {
      {"limn_grad_opts", sizeof(limn_grad_opts)},
      {"limn_lime_opts", sizeof(limn_lime_opts)},
      {"limn_shap_opts", sizeof(limn_shap_opts)},
      {"limn_explanation", sizeof(limn_explanation)},
      {"limn_model_callbacks", sizeof(limn_model_callbacks)},
      {"limn_sink", sizeof(limn_sink)},
      {"limn_render_row", sizeof(limn_render_row)},
      {"limn_render_opts", sizeof(limn_render_opts)},
      {"limn_trust_opts", sizeof(limn_trust_opts)},
      {"limn_tsne_opts", sizeof(limn_tsne_opts)},
      {"limn_tsne_transform_opts", sizeof(limn_tsne_transform_opts)},
      {"limn_map_svg", sizeof(limn_map_svg)},
      {"limn_report_opts", sizeof(limn_report_opts)},
      {"limn_read_opts", sizeof(limn_read_opts)},
      {"limn_rng", sizeof(limn_rng)},
      {"limn_lime_image_opts", sizeof(limn_lime_image_opts)},
      {"limn_text_model_opts", sizeof(limn_text_model_opts)},
      {"limn_tokens", sizeof(limn_tokens)},
      {"limn_text_opts", sizeof(limn_text_opts)},
      {"limn_text_render_row", sizeof(limn_text_render_row)},
      {"limn_text_render_opts", sizeof(limn_text_render_opts)},
      {"limn_texts", sizeof(limn_texts)},
      {"limn_text_report_opts", sizeof(limn_text_report_opts)},
      {"limn_image_overlay_opts", sizeof(limn_image_overlay_opts)},
  };
  for (size_t i = 0; name && i < sizeof t / sizeof *t; i++)
    if (!strcmp(name, t[i].name))
      return t[i].size;
  return 0;
}
