# lavaan 0.6.14 / semTools 0.5-6 references for the ordinal invariance sequence in the THETA parameterization
# (iur_survey/sem/wlsmv_invariance.py, ordinal_invariance(..., parameterization = "theta")).
#
#   Rscript tests/sem/ordinal_refs/make_wlsmv_theta_invariance_refs.R
#
# Each step is semTools' measEq.syntax(configural.model, ordered = items, parameterization = "theta",
# ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "G", group.equal = ...) fitted by
# cfa(..., estimator = "WLSMV", missing = "pairwise", parameterization = "theta"); each step is tested against
# the one before by lavTestLRT() (WLSMV's default: Satorra 2000, scaled.shifted).
# Data: wlsmv_groups_630.csv (8 five-point items, three groups, missing cells) and
# ../invariance_audit_refs/binary_630.csv (the same with a1-a4 and bb1-bb4 dichotomised).
# Writes wlsmv_theta_invariance_refs.json next to this script: case -> step -> {converged, nobs, fit, lrt,
# estimates, syntax}.  The binary +intercepts step frees the binary items' residual variances: lavaan's default
# optimizer does not converge there (recorded as converged = false, no fit).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
w <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
b <- read.csv(file.path(HERE, "..", "invariance_audit_refs", "binary_630.csv"), stringsAsFactors = FALSE)
FM <- c("npar", "df", "chisq", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
        "chisq.shift.parameters", "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled",
        "cfi.robust", "tli.robust", "rmsea.robust", "srmr")
STEPS <- list(configural = "configural", thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
CASES <- list(
  two = list(data = w, model = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"),
  one = list(data = w, model = "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"),
  mixed = list(data = b, model = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"))
q <- function(expr) suppressWarnings(expr)
refs <- list()
for (cn in names(CASES)) {
  d <- CASES[[cn]]$data
  model <- CASES[[cn]]$model
  items <- lavNames(model, "ov")
  fits <- list()
  out <- list()
  for (s in names(STEPS)) {
    syn <- as.character(q(measEq.syntax(configural.model = model, data = d, ordered = items,
                                        parameterization = "theta", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                                        group = "G", group.equal = STEPS[[s]], missing = "pairwise")))
    f <- q(cfa(syn, d, group = "G", ordered = items, estimator = "WLSMV", missing = "pairwise",
               parameterization = "theta"))
    ok <- lavInspect(f, "converged")
    o <- list(converged = ok, nobs = lavInspect(f, "nobs"), syntax = syn,
              group_equal = if (s == "configural") character(0) else STEPS[[s]])
    if (ok) {
      fm <- fitMeasures(f)
      o$fit <- as.list(fm[intersect(FM, names(fm))])
      pe <- parameterEstimates(f)
      o$estimates <- pe[, c("lhs", "op", "rhs", "group", "est", "se")]
      prev <- if (length(fits)) fits[[length(fits)]] else NULL
      if (!is.null(prev)) {
        lrt <- q(lavTestLRT(f, prev))
        o$lrt <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                      pvalue = lrt[["Pr(>Chisq)"]][2], versus = names(fits)[length(fits)],
                      method = attr(lrt, "heading"))
      }
      fits[[s]] <- f
    }
    out[[s]] <- o
  }
  refs[[cn]] <- out
}
write_json(refs, file.path(HERE, "wlsmv_theta_invariance_refs.json"), digits = NA, auto_unbox = TRUE,
           na = "null")
cat("done\n")
