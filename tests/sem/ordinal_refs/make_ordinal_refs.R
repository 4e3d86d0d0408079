# lavaan 0.6.14 references for the ordinal / WLSMV code (iur_survey/sem/ordinal.py, wlsmv.py).
#
#   Rscript tests/sem/ordinal_refs/make_ordinal_refs.R
#
# Data: tests/reference/data/ordinal_600.csv (written by tests/reference/make_data.py), edge_300.csv
# (make_edge_data.py) and misfit_600.csv (make_misfit_data.py: the default model is misspecified) here.  Writes, next to this script:
#   stats_ordinal_600.json  thresholds, polychoric correlations, DWLS weights (diag of wls.v) of all 28 items,
#                           and the block of gamma (NACOV) for the first 8 items (their thresholds + 28 pairs)
#   stats_edge_300.json     the same, full gamma, for the edge-case items (binary / empty cells / unused code / NA)
#   stats_misfit_600.json   the same as stats_ordinal_600.json for misfit_600.csv
#   wlsmv_<case>.json       sem(..., ordered = TRUE, estimator = "WLSMV"): parameterEstimates (standardized),
#                           fitMeasures, the test list, vcov (small models)
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
REF <- file.path(HERE, "..", "..", "reference")
ord600 <- read.csv(file.path(REF, "data", "ordinal_600.csv"), stringsAsFactors = FALSE)
edge <- read.csv(file.path(HERE, "edge_300.csv"))
misfit <- read.csv(file.path(HERE, "misfit_600.csv"))
items <- grep("^(GOV|MKT|BEN|VAL|TAL|COL|INT)[1-4]$", names(ord600), value = TRUE)
default_model <- paste(readLines(file.path(REF, "models", "default.lav")), collapse = "\n")

out <- function(x, name) write_json(x, file.path(HERE, name), digits = NA, auto_unbox = TRUE, na = "null")

stats_of <- function(fit, keep_items = NULL) {
  s <- lavInspect(fit, "sampstat")
  G <- lavInspect(fit, "gamma")
  ov <- colnames(s$cov)
  th.idx <- lavInspect(fit, "th.idx")
  if (!is.null(keep_items)) {
    k <- match(keep_items, ov)
    p <- length(ov)
    pairs <- which(lower.tri(diag(p)), arr.ind = TRUE)  # column-major order (vech without diagonal)
    pairs <- pairs[order(pairs[, 2], pairs[, 1]), , drop = FALSE]
    keep_pair <- which(pairs[, 1] %in% k & pairs[, 2] %in% k)
    idx <- c(which(th.idx %in% k), length(th.idx) + keep_pair)
    G <- G[idx, idx]
  }
  list(n = lavInspect(fit, "nobs"), ov = ov, th = unname(as.numeric(s$th)), th_names = names(s$th),
       cor = unname(unclass(s$cov)), wls_v = unname(diag(lavInspect(fit, "wls.v"))),
       gamma_items = if (is.null(keep_items)) ov else keep_items, gamma = unname(unclass(G)),
       zero_cell_tables = unname(fit@SampleStats@zero.cell.tables[[1]]))
}

one <- "GOV =~ GOV1 + GOV2 + GOV3 + GOV4"
three <- "GOV =~ GOV1 + GOV2 + GOV3 + GOV4\nMKT =~ MKT1 + MKT2 + MKT3 + MKT4\nBEN =~ BEN1 + BEN2 + BEN3 + BEN4"
edge_model <- "f =~ b1 + b2 + b3 + x3 + y7 + z"

fit_json <- function(model, data, name, vcov = TRUE) {
  warns <- character(0)
  fit <- withCallingHandlers(sem(model, data = data, ordered = TRUE, estimator = "WLSMV"),
                             warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  pe <- parameterEstimates(fit, standardized = TRUE)
  rownames(pe) <- NULL
  res <- list(model = model, n = lavInspect(fit, "nobs"), converged = lavInspect(fit, "converged"),
              warnings = warns, estimates = as.data.frame(pe), fit = as.list(fitMeasures(fit)),
              test = lapply(fit@test, function(t) t[setdiff(names(t), "stat.group")]),
              vcov = if (vcov) unname(unclass(vcov(fit))) else NULL,
              vcov_names = if (vcov) colnames(vcov(fit)) else NULL)
  out(res, name)
  fit
}

f_default <- fit_json(default_model, ord600, "wlsmv_default_600.json", vcov = FALSE)
out(stats_of(f_default, keep_items = items[1:8]), "stats_ordinal_600.json")
invisible(fit_json(one, ord600, "wlsmv_one_600.json"))
invisible(fit_json(three, ord600, "wlsmv_three_600.json"))
f_edge <- fit_json(edge_model, edge, "wlsmv_edge_300.json")
out(stats_of(f_edge), "stats_edge_300.json")
f_mis <- fit_json(default_model, misfit, "wlsmv_default_misfit_600.json", vcov = FALSE)
out(stats_of(f_mis, keep_items = items[1:8]), "stats_misfit_600.json")
invisible(fit_json(three, misfit, "wlsmv_three_misfit_600.json"))
invisible(fit_json("f =~ b1 + x3 + y7", edge, "wlsmv_justid_300.json"))   # df = 0
cat("done\n")
