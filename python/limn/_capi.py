"""ctypes mirror of the parts of liblimn's C API the package uses (include/limn/*.h).

Every struct mirrored here is checked against the library's own sizeof at import
(limn_version_sizeof), so a header change that the mirror misses fails loudly instead of
corrupting memory. The library is found in this order: $LIMN_LIBRARY, liblimn.so next
to this file (make python copies it there), the build tree (build/liblimn.so)."""
import ctypes as C
import os

c_size = C.c_size_t
c_float_p = C.POINTER(C.c_float)
c_double_p = C.POINTER(C.c_double)


def _find():
    env = os.environ.get("LIMN_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for p in (os.path.join(here, "liblimn.so"),
              os.path.join(here, "..", "..", "build", "liblimn.so")):
        if os.path.exists(p):
            return p
    raise ImportError("limn: liblimn.so not found (run `make python`, or set LIMN_LIBRARY to its path)")


# CDLL releases the GIL around every call: C work runs while other Python threads do.
lib = C.CDLL(_find())


class GradOpts(C.Structure):
    _fields_ = [("method", C.c_int), ("space", C.c_int), ("target", C.c_long),
                ("targets", C.POINTER(C.c_long)), ("steps", c_size), ("quadrature", C.c_int),
                ("baseline", C.c_int), ("baseline_rows", c_float_p), ("nbaseline_rows", c_size),
                ("stats", C.c_void_p), ("samples", c_size), ("noise", C.c_double), ("smooth", C.c_int),
                ("smooth_gxi", C.c_int), ("seed", C.c_uint64), ("row_ids", C.POINTER(c_size)),
                ("noise_eps", c_float_p), ("noise_sigma", c_double_p), ("layer", C.c_char_p),
                ("window", c_size * 2), ("stride", c_size * 2), ("fill", C.c_float)]


class LimeOpts(C.Structure):
    _fields_ = [("num_features", c_size), ("num_samples", c_size), ("discretizer", C.c_int),
                ("kernel_width", C.c_double), ("selection", C.c_int), ("sample_around_instance", C.c_int),
                ("ridge_alpha", C.c_double), ("target", C.c_long), ("targets", C.POINTER(C.c_long)),
                ("compat", C.c_int), ("seed", C.c_uint64), ("row_ids", C.POINTER(c_size))]


class ShapOpts(C.Structure):
    _fields_ = [("estimator", C.c_int), ("nsamples", c_size), ("link", C.c_int), ("space", C.c_int),
                ("target", C.c_long), ("targets", C.POINTER(C.c_long)), ("background", c_float_p),
                ("nbackground", c_size), ("exact_max", c_size), ("tolerance", C.c_double), ("seed", C.c_uint64),
                ("row_ids", C.POINTER(c_size)), ("groups", C.POINTER(c_size)), ("ngroups", c_size)]


class Explanation(C.Structure):
    _fields_ = [("row", c_size), ("method", C.c_int), ("space", C.c_int), ("target", c_size),
                ("output", C.c_double), ("base_value", C.c_double), ("delta", C.c_double),
                ("finite_differences", C.c_int), ("nsegments", c_size), ("nfeatures", c_size),
                ("attr", c_double_p), ("nslots", c_size), ("slot_attr", c_double_p),
                ("intercept", C.c_double), ("score", C.c_double), ("local_pred", C.c_double),
                ("selected", C.POINTER(C.c_ubyte)), ("std_error", c_double_p), ("bin", C.POINTER(C.c_long)),
                ("num_samples", c_size), ("seed", C.c_uint64), ("estimator", C.c_int), ("link", C.c_int)]


PREDICT_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, c_float_p, c_size, c_float_p)
LOGITS_FN = PREDICT_FN
VJP_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, c_float_p, c_size, c_float_p, C.c_int, c_float_p)
DESTROY_FN = C.CFUNCTYPE(None, C.c_void_p)


class ModelCallbacks(C.Structure):
    _fields_ = [("nfeatures", c_size), ("noutputs", c_size), ("predict", PREDICT_FN), ("logits", LOGITS_FN),
                ("vjp", VJP_FN), ("destroy", DESTROY_FN), ("ud", C.c_void_p)]


WRITE_FN = C.CFUNCTYPE(C.c_int, C.c_void_p, C.POINTER(C.c_char), c_size)
CANCEL_FN = C.CFUNCTYPE(C.c_int, C.c_void_p)


class Sink(C.Structure):
    _fields_ = [("write", WRITE_FN), ("ud", C.c_void_p)]


class TsneOpts(C.Structure):
    _fields_ = [("perplexity", C.c_double), ("iterations", c_size), ("exaggeration_iters", c_size),
                ("exaggeration", C.c_double), ("learning_rate", C.c_double), ("momentum", C.c_double),
                ("final_momentum", C.c_double), ("method", C.c_int), ("theta", C.c_double), ("fft_nodes", c_size),
                ("max_step", C.c_double), ("init_random", C.c_int), ("seed", C.c_uint64)]


class TsneTransformOpts(C.Structure):
    _fields_ = [("perplexity", C.c_double), ("init_neighbours", c_size), ("iterations", c_size),
                ("learning_rate", C.c_double), ("momentum", C.c_double), ("exaggeration", C.c_double),
                ("max_grad_norm", C.c_double), ("theta", C.c_double)]


class MapSvg(C.Structure):
    _fields_ = [("y", c_double_p), ("n", c_size), ("label", C.POINTER(C.c_long)), ("pred", C.POINTER(C.c_long)),
                ("class_names", C.POINTER(C.c_char_p)), ("nclasses", c_size), ("highlight", C.POINTER(C.c_ubyte)),
                ("ref_y", c_double_p), ("nref", c_size)]


class ReportOpts(C.Structure):
    _fields_ = [("model", C.c_void_p), ("model_path", C.c_char_p), ("model_command", C.c_char_p),
                ("data", C.c_void_p), ("data_path", C.c_char_p), ("background", C.c_void_p),
                ("background_path", C.c_char_p), ("shap_background", c_float_p), ("shap_nbackground", c_size),
                ("summary_max", c_size), ("rows", C.POINTER(c_size)), ("nrows", c_size),
                ("why", C.POINTER(C.c_char_p)), ("reasons", c_size), ("favourable", C.c_long),
                ("reasons_from", C.c_int), ("top", c_size), ("num_samples", c_size), ("seed", C.c_uint64),
                ("map_space", C.c_char_p), ("map_max", c_size), ("title", C.c_char_p), ("command", C.c_char_p),
                ("protected_cols", C.POINTER(C.c_char_p)), ("nprotected", c_size),
                ("data_sha256", C.c_char_p), ("data_sha256_of", C.c_char_p)]


class ReadOpts(C.Structure):
    _fields_ = [("target", C.c_char_p), ("categorical", C.POINTER(C.c_char_p)), ("ncategorical", c_size),
                ("numeric", C.POINTER(C.c_char_p)), ("nnumeric", c_size), ("ignore", C.POINTER(C.c_char_p)),
                ("nignore", c_size), ("task", C.c_int), ("max_auto_classes", c_size), ("schema", C.c_void_p),
                ("target_optional", C.c_int), ("as_text", C.c_int), ("keep_text", C.c_int),
                ("max_field_bytes", c_size), ("missing_ok", C.c_int)]


class Rng(C.Structure):
    _fields_ = [("s", C.c_uint64 * 4), ("spare", C.c_double), ("has_spare", C.c_int)]


class RenderRow(C.Structure):
    _fields_ = [("ex", C.POINTER(Explanation)), ("data_row", c_size), ("line", c_size), ("x", c_float_p),
                ("infidelity", C.c_double), ("sensitivity", C.c_double), ("stability", C.c_double),
                ("deletion", C.c_double), ("insertion", C.c_double), ("sanity", C.c_double)]


class TrustOpts(C.Structure):
    _fields_ = [("min_score", C.c_double), ("max_gap", C.c_double), ("min_change", C.c_double),
                ("max_cancel", C.c_double), ("max_delta", C.c_double), ("max_se", C.c_double)]


class RenderOpts(C.Structure):
    _fields_ = [("model", C.c_void_p), ("method_desc", C.c_char_p), ("manifest", C.c_void_p), ("top", c_size),
                ("image_w", c_size), ("image_h", c_size), ("background", C.c_void_p), ("discretizer", C.c_int),
                ("reasons", c_size), ("favourable", C.c_long), ("shap_plot", C.c_int), ("trust", TrustOpts),
                ("protected_cols", C.POINTER(C.c_char_p)), ("nprotected", c_size)]


def _sig(name, res, *args):
    f = getattr(lib, name)
    f.restype = res
    f.argtypes = list(args)
    return f


P = C.c_void_p
abi_sizeof = _sig("limn_version_sizeof", c_size, C.c_char_p)
ctx_create = _sig("limn_ctx_create", P, P)
ctx_free = _sig("limn_ctx_free", None, P)
ctx_errmsg = _sig("limn_ctx_errmsg", C.c_char_p, P)
ctx_set_threads = _sig("limn_ctx_set_threads", C.c_int, P, C.c_int)
status_name = _sig("limn_status_name", C.c_char_p, C.c_int)
version_string = _sig("limn_version", C.c_char_p)
model_load = _sig("limn_model_load", C.c_int, P, C.c_char_p, C.POINTER(P))
model_load_mem = _sig("limn_model_load_mem", C.c_int, P, C.c_char_p, c_size, C.c_char_p, C.POINTER(P))
model_load_onnx = _sig("limn_model_load_onnx", C.c_int, P, C.c_char_p, P, C.c_int, C.POINTER(P))
model_free = _sig("limn_model_free", None, P)
model_is_onnx = _sig("limn_model_is_onnx", C.c_int, C.c_char_p, c_size)
have_onnx = _sig("limn_have_onnx", C.c_int)
model_load_onnx_mem = _sig("limn_model_load_onnx_mem", C.c_int, P, C.c_char_p, c_size, C.c_char_p, P, C.c_int,
                           C.POINTER(P))
model_nfeatures = _sig("limn_model_nfeatures", c_size, P)
model_noutputs = _sig("limn_model_noutputs", c_size, P)
model_schema = _sig("limn_model_schema", P, P)
model_output_name = _sig("limn_model_output_name", C.c_char_p, P, c_size)
model_kind = _sig("limn_model_kind", C.c_char_p, P)
model_is_trees = _sig("limn_model_is_trees", C.c_int, P)
model_predict = _sig("limn_model_predict", C.c_int, P, P, P, c_size, c_float_p)
model_from_callbacks = _sig("limn_model_from_callbacks", C.c_int, P, C.POINTER(ModelCallbacks), P, C.POINTER(P))
schema_create = _sig("limn_schema_create", C.c_int, P, C.POINTER(P))
schema_free = _sig("limn_schema_free", None, P)
schema_add_numeric = _sig("limn_schema_add_numeric", C.c_int, P, P, C.c_char_p)
schema_set_target = _sig("limn_schema_set_target", C.c_int, P, P, C.c_char_p, C.c_int, C.POINTER(C.c_char_p),
                         c_size)
class LimeImageOpts(C.Structure):
    _fields_ = [("channels", c_size), ("height", c_size), ("width", c_size), ("num_samples", c_size),
                ("segments", c_size), ("compactness", C.c_double), ("labels", C.POINTER(C.c_int)),
                ("nlabels", c_size), ("hide_mean", C.c_int), ("hide", C.c_float), ("kernel_width", C.c_double),
                ("num_features", c_size), ("target", C.c_long), ("targets", C.POINTER(C.c_long)),
                ("seed", C.c_uint64), ("row_ids", C.POINTER(c_size))]


class TextModelOpts(C.Structure):
    _fields_ = [("max_tokens", c_size), ("pad_id", C.c_long), ("embedding", C.c_char_p), ("output", C.c_int),
                ("classes", C.POINTER(C.c_char_p)), ("nclasses", c_size)]


class Tokens(C.Structure):
    _fields_ = [("n", c_size), ("ids", C.POINTER(C.c_long)), ("start", C.POINTER(c_size)),
                ("end", C.POINTER(c_size)), ("words", c_size), ("truncated", C.c_int), ("unknown", c_size)]


class TextOpts(C.Structure):
    _fields_ = [("method", C.c_int), ("space", C.c_int), ("target", C.c_long), ("targets", C.POINTER(C.c_long)),
                ("steps", c_size), ("quadrature", C.c_int), ("baseline", C.c_int), ("num_samples", c_size),
                ("kernel_width", C.c_double), ("num_features", c_size), ("seed", C.c_uint64),
                ("row_ids", C.POINTER(c_size)), ("first_is_cls", C.c_int)]


class Texts(C.Structure):
    _fields_ = [("n", c_size), ("text", C.POINTER(C.c_char_p)), ("len", C.POINTER(c_size)),
                ("label", C.POINTER(C.c_char_p)), ("line", C.POINTER(c_size))]


class TextReportOpts(C.Structure):
    _fields_ = [("model", C.c_void_p), ("model_path", C.c_char_p), ("vocab", C.c_void_p), ("vocab_path", C.c_char_p),
                ("texts", C.POINTER(Texts)), ("texts_path", C.c_char_p), ("rows", C.POINTER(c_size)),
                ("nrows", c_size), ("methods", C.POINTER(C.c_int)), ("nmethods", c_size), ("explain", TextOpts),
                ("deletion_k", c_size), ("title", C.c_char_p), ("command", C.c_char_p)]


schema_feature_name = _sig("limn_schema_feature_name", C.c_char_p, P, c_size)
schema_feature_kind = _sig("limn_schema_feature_kind", C.c_int, P, c_size)
schema_ncategories = _sig("limn_schema_ncategories", c_size, P, c_size)
schema_category = _sig("limn_schema_category", C.c_char_p, P, c_size, c_size)
schema_add_categorical = _sig("limn_schema_add_categorical", C.c_int, P, P, C.c_char_p, C.POINTER(C.c_char_p),
                              c_size)
model_takes_missing = _sig("limn_model_takes_missing", C.c_int, P)
method_parse = _sig("limn_method_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
quadrature_parse = _sig("limn_quadrature_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
smooth_parse = _sig("limn_smooth_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
grad_opts_default = _sig("limn_grad_opts_default", GradOpts)
explain_gradients = _sig("limn_explain_gradients", C.c_int, P, P, P, c_size, C.POINTER(GradOpts),
                         C.POINTER(C.POINTER(Explanation)))
explanations_free = _sig("limn_explanations_free", None, P, C.POINTER(Explanation), c_size)
render_opts_default = _sig("limn_render_opts_default", RenderOpts)
render_row_init = _sig("limn_render_row_init", RenderRow, C.POINTER(Explanation), c_size, c_size, c_float_p)
render_explanations = _sig("limn_render_explanations", C.c_int, P, C.POINTER(RenderOpts), C.POINTER(RenderRow),
                           c_size, C.c_int, Sink)
set_cancel = _sig("limn_ctx_set_cancel", None, P, P, P)
lime_opts_default = _sig("limn_lime_opts_default", LimeOpts)
explain_lime = _sig("limn_explain_lime", C.c_int, P, P, P, P, c_size, C.POINTER(LimeOpts),
                    C.POINTER(C.POINTER(Explanation)))
discretizer_parse = _sig("limn_discretizer_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
selection_parse = _sig("limn_selection_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
model_stats = _sig("limn_model_stats", P, P)
dataset_from_arrays = _sig("limn_dataset_from_arrays", C.c_int, P, P, c_float_p, c_float_p, c_size, C.POINTER(P))
dataset_free = _sig("limn_dataset_free", None, P)
stats_compute = _sig("limn_stats_compute", C.c_int, P, P, C.POINTER(P))
stats_free = _sig("limn_stats_free", None, P)
shap_opts_default = _sig("limn_shap_opts_default", ShapOpts)
explain_shap = _sig("limn_explain_shap", C.c_int, P, P, P, c_size, C.POINTER(ShapOpts),
                    C.POINTER(C.POINTER(Explanation)))
shap_estimator_parse = _sig("limn_shap_estimator_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
link_parse = _sig("limn_link_parse", C.c_int, C.c_char_p, C.POINTER(C.c_int))
method_name = _sig("limn_method_name", C.c_char_p, C.c_int)
quadrature_name = _sig("limn_quadrature_name", C.c_char_p, C.c_int)
smooth_name = _sig("limn_smooth_name", C.c_char_p, C.c_int)
discretizer_name = _sig("limn_discretizer_name", C.c_char_p, C.c_int)
selection_name = _sig("limn_selection_name", C.c_char_p, C.c_int)
shap_estimator_name = _sig("limn_shap_estimator_name", C.c_char_p, C.c_int)
link_name = _sig("limn_link_name", C.c_char_p, C.c_int)
lime_samples = _sig("limn_lime_samples", c_size, C.POINTER(LimeOpts), c_size)
model_piecewise_linear = _sig("limn_model_piecewise_linear", C.c_int, P, C.c_char_p, c_size)

model_forward = _sig("limn_model_forward", C.c_int, P, P, c_float_p, c_size, C.c_int, c_float_p)
model_nhidden = _sig("limn_model_nhidden", c_size, P)
model_hidden_width = _sig("limn_model_hidden_width", c_size, P, c_size)
model_hidden = _sig("limn_model_hidden", C.c_int, P, P, c_float_p, c_size, c_size, c_float_p)
model_task = _sig("limn_model_task", C.c_int, P)
tsne_opts_default = _sig("limn_tsne_opts_default", TsneOpts)
tsne_affinities = _sig("limn_tsne_affinities", C.c_int, P, c_float_p, c_size, c_size, C.c_double, C.POINTER(P))
tsne_affinities_knn = _sig("limn_tsne_affinities_knn", C.c_int, P, c_float_p, c_size, c_size, C.c_double, C.c_int,
                           C.POINTER(P))
tsne_affinity_free = _sig("limn_tsne_affinity_free", None, P, P)
tsne_run = _sig("limn_tsne_run", C.c_int, P, P, c_float_p, c_size, C.POINTER(TsneOpts), c_double_p, c_double_p)
tsne_quality_affinity = _sig("limn_tsne_quality_affinity", C.c_int, P, P, c_float_p, c_size, c_size, c_double_p,
                             C.POINTER(C.c_long), c_size, c_double_p, c_double_p)
tsne_transform_opts_default = _sig("limn_tsne_transform_opts_default", TsneTransformOpts)
tsne_transform = _sig("limn_tsne_transform", C.c_int, P, c_float_p, c_double_p, c_size, c_size, c_float_p, c_size,
                      C.POINTER(TsneTransformOpts), c_double_p, c_double_p)
pca = _sig("limn_pca", C.c_int, P, c_float_p, c_size, c_size, c_size, c_float_p, c_double_p, c_double_p,
           c_double_p)
pca_project = _sig("limn_pca_project", None, c_float_p, c_size, c_size, c_size, c_double_p, c_double_p, c_float_p)
render_map_svg = _sig("limn_render_map_svg", C.c_int, P, C.POINTER(MapSvg), Sink)
format_double = _sig("limn_format_double", None, C.c_char_p, c_size, C.c_double)
format_float = _sig("limn_format_float", None, C.c_char_p, c_size, C.c_float)
write_csv_field = _sig("limn_write_csv_field", C.c_int, Sink, C.c_char_p)

report_opts_default = _sig("limn_report_opts_default", ReportOpts)
report_write = _sig("limn_report_write", C.c_int, P, C.POINTER(ReportOpts), Sink)
read_opts_default = _sig("limn_read_opts_default", ReadOpts)
dataset_read = _sig("limn_dataset_read", C.c_int, P, C.c_char_p, C.POINTER(ReadOpts), C.POINTER(P))
dataset_nrows = _sig("limn_dataset_nrows", c_size, P)
dataset_x = _sig("limn_dataset_x", c_float_p, P)
dataset_y = _sig("limn_dataset_y", c_float_p, P)
rng_init = _sig("limn_rng_init", None, C.POINTER(Rng), C.c_uint64, C.c_uint64)
rng_below = _sig("limn_rng_below", C.c_uint64, C.POINTER(Rng), C.c_uint64)
shap_interactions = _sig("limn_shap_interactions", C.c_int, P, P, c_float_p, c_size, C.c_long,
                         C.POINTER(C.c_long), c_double_p)
lime_image_opts_default = _sig("limn_lime_image_opts_default", LimeImageOpts)
explain_lime_image = _sig("limn_explain_lime_image", C.c_int, P, P, c_float_p, c_size, C.POINTER(LimeImageOpts),
                          C.POINTER(C.POINTER(Explanation)))
image_supported = _sig("limn_image_supported", C.c_int)
image_read = _sig("limn_image_read", C.c_int, P, C.c_char_p, C.POINTER(P))
image_free = _sig("limn_image_free", None, P)
image_width = _sig("limn_image_width", c_size, P)
image_height = _sig("limn_image_height", c_size, P)
image_channels = _sig("limn_image_channels", c_size, P)
image_pixels = _sig("limn_image_pixels", c_float_p, P)
image_create = _sig("limn_image_create", C.c_int, P, c_size, c_size, c_size, c_float_p, C.POINTER(P))
image_convert = _sig("limn_image_convert", C.c_int, P, P, c_size, C.POINTER(P))
image_resize = _sig("limn_image_resize", C.c_int, P, P, c_size, c_size, C.POINTER(P))
image_to_input = _sig("limn_image_to_input", C.c_int, P, P, c_double_p, c_double_p, c_float_p)
image_from_input = _sig("limn_image_from_input", C.c_int, P, c_float_p, c_size, c_size, c_size, c_double_p,
                        c_double_p, C.POINTER(P))


class ImageOverlayOpts(C.Structure):
    _fields_ = [("alpha", C.c_double), ("scale", C.c_double), ("positive", C.c_int)]


image_overlay_opts_default = _sig("limn_image_overlay_opts_default", ImageOverlayOpts)
image_overlay = _sig("limn_image_overlay", C.c_int, P, P, c_double_p, c_size, c_size, C.POINTER(ImageOverlayOpts),
                     C.POINTER(P))
image_write_png = _sig("limn_image_write_png", C.c_int, P, P, C.c_char_p)
model_randomize_layers = _sig("limn_model_randomize_layers", C.c_int, P, P, c_size, C.c_uint64,
                              C.POINTER(c_size))
explain_rank_correlation = _sig("limn_explain_rank_correlation", C.c_double, C.POINTER(Explanation),
                                C.POINTER(Explanation), C.c_int)
model_image_shape = _sig("limn_model_image_shape", C.c_int, P, P, C.POINTER(c_size), C.POINTER(c_size),
                         C.POINTER(c_size))
model_read_descriptions = _sig("limn_model_read_descriptions", C.c_int, P, P, C.c_char_p)
vocab_read = _sig("limn_vocab_read", C.c_int, P, C.c_char_p, C.POINTER(P))
vocab_free = _sig("limn_vocab_free", None, P)
vocab_size = _sig("limn_vocab_size", c_size, P)
vocab_token = _sig("limn_vocab_token", C.c_char_p, P, c_size)
vocab_pad = _sig("limn_vocab_pad", C.c_long, P)
vocab_cls = _sig("limn_vocab_cls", C.c_long, P)
text_tokenize = _sig("limn_text_tokenize", C.c_int, P, P, C.c_char_p, c_size, c_size, C.POINTER(Tokens))
tokens_free = _sig("limn_tokens_free", None, P, C.POINTER(Tokens))
text_model_opts_default = _sig("limn_text_model_opts_default", None, C.POINTER(TextModelOpts))
model_load_onnx_text = _sig("limn_model_load_onnx_text", C.c_int, P, C.c_char_p, C.POINTER(TextModelOpts),
                            C.POINTER(P))
model_text_vocab = _sig("limn_model_text_vocab", c_size, P)
text_opts_default = _sig("limn_text_opts_default", TextOpts)
explain_text = _sig("limn_explain_text", C.c_int, P, P, c_float_p, c_size, C.POINTER(TextOpts),
                    C.POINTER(C.POINTER(Explanation)))
text_deletion = _sig("limn_text_deletion", C.c_int, P, P, c_float_p, c_size, C.POINTER(Explanation), c_size,
                     C.c_int, C.c_int, C.c_uint64, C.POINTER(c_size), c_double_p, c_double_p)
text_method_is_attribution = _sig("limn_text_method_is_attribution", C.c_int, C.c_int)
text_trust = _sig("limn_text_trust", C.c_int, C.POINTER(Explanation), C.c_double, C.c_double, C.c_char_p, c_size)
text_method_supported = _sig("limn_text_method_supported", C.c_int, C.c_int)
texts_read = _sig("limn_texts_read", C.c_int, P, C.c_char_p, C.c_char_p, C.c_char_p, C.POINTER(C.POINTER(Texts)))
texts_free = _sig("limn_texts_free", None, P, C.POINTER(Texts))
text_report_opts_default = _sig("limn_text_report_opts_default", TextReportOpts)
text_report_write = _sig("limn_text_report_write", C.c_int, P, C.POINTER(TextReportOpts), Sink)

for _name, _cls in (("limn_grad_opts", GradOpts), ("limn_lime_opts", LimeOpts), ("limn_shap_opts", ShapOpts), ("limn_explanation", Explanation),
                    ("limn_model_callbacks", ModelCallbacks), ("limn_sink", Sink), ("limn_render_row", RenderRow),
                    ("limn_render_opts", RenderOpts), ("limn_trust_opts", TrustOpts), ("limn_tsne_opts", TsneOpts),
                    ("limn_tsne_transform_opts", TsneTransformOpts), ("limn_map_svg", MapSvg),
                    ("limn_report_opts", ReportOpts), ("limn_read_opts", ReadOpts), ("limn_rng", Rng),
                    ("limn_lime_image_opts", LimeImageOpts), ("limn_text_model_opts", TextModelOpts),
                    ("limn_tokens", Tokens), ("limn_text_opts", TextOpts), ("limn_texts", Texts),
                    ("limn_text_report_opts", TextReportOpts), ("limn_image_overlay_opts", ImageOverlayOpts)):
    if abi_sizeof(_name.encode()) != C.sizeof(_cls):
        raise ImportError("limn: %s's %s is %d bytes, this package's mirror %d: the library and the package "
                          "come from different versions (after rebuilding, run `make python` again)"
                          % (lib._name, _name, abi_sizeof(_name.encode()), C.sizeof(_cls)))

TASK_CLASSIFICATION = 0
TASK_REGRESSION = 1
COL_CATEGORICAL = 1
ONNX_OUTPUT = {"auto": 0, "probabilities": 1, "logits": 2, "value": 3}
FORMAT_TEXT = 0
FORMAT_JSON = 1
FORMAT_SVG = 4
SPACE = {"output": 0, "logit": 1}
