# lavaan 0.6.14's side of benchmarks/bench_wlsmv_start.py: one WLSMV fit per case of a manifest.
# Usage: Rscript benchmarks/wlsmv_start_lavaan.R manifest.json out.json
# manifest: a list of {id, csv, model, std_lv, parameterization, ordered}; ordered: the ordered columns (null:
# every column of the model).  Per case: converged, iterations, fmin, chisq (the unscaled DWLS statistic), npar and the estimates
# (parameterEstimates, keyed "lhs op rhs"); an error is converged = FALSE with the message.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)
out <- lapply(cases, function(cs) {
  d <- read.csv(cs$csv)
  ordered <- if (is.null(cs$ordered)) TRUE else unlist(cs$ordered)
  fit <- tryCatch(suppressWarnings(sem(cs$model, data = d, ordered = ordered, estimator = "WLSMV",
                                       std.lv = isTRUE(cs$std_lv),
                                       parameterization = cs$parameterization)),
                  error = function(e) conditionMessage(e))
  if (is.character(fit)) return(list(id = cs$id, converged = FALSE, error = fit))
  conv <- lavInspect(fit, "converged")
  res <- list(id = cs$id, converged = conv, iterations = lavInspect(fit, "iterations"))
  if (conv) {
    fm <- fitMeasures(fit, c("fmin", "chisq", "npar"))
    pe <- parameterEstimates(fit)
    pe <- pe[pe$op %in% c("=~", "~~", "~", "|", "~*~"), ]
    res$fmin <- fm[["fmin"]]; res$chisq <- fm[["chisq"]]; res$npar <- fm[["npar"]]
    res$est <- as.list(setNames(pe$est, paste(pe$lhs, pe$op, pe$rhs)))
    # a Heywood case or a loading that ran off: lavaan's own post-fit check
    res$post_check <- suppressWarnings(lavInspect(fit, "post.check"))
  }
  res
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null"), args[2])
