# lavaan 0.6.14 references for standard errors lavaan reports as NA in WLSMV fits (sem/wlsmv.py dwls_vcov,
# dwls_se, defined_se; read by tests/sem/test_wlsmv_na_se.py).
#
#   Rscript tests/sem/ordinal_refs/make_na_se_refs.R
#
# Data: misfit_600.csv (committed; 600 rows, 28 five-point items).  Each case is a model that is not
# identified; lavaan warns "Could not compute standard errors! The information matrix could not be inverted"
# and "could not invert information matrix needed for robust test statistic", and reports every free
# parameter's SE as NA (fitMeasures() stops with an error there, so no fit measures are stored).  Writes
# na_se_refs.json next to this script: per case the parameterEstimates() rows, the warnings, the standard
# chi-square and df, a few fit measures (null where fitMeasures() fails), and whether vcov() is NULL.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "misfit_600.csv"))
zero_cov <- "F1 =~ GOV1 + GOV2\nF2 =~ MKT1 + MKT2 + MKT3\nF1 ~~ 0*F2"
nonrec <- "F1 =~ GOV1 + GOV2 + GOV3\nF2 =~ MKT1 + MKT2 + MKT3\nF1 ~ b1*F2\nF2 ~ b2*F1\nbb := b1*b2"
two_pairs <- "F =~ GOV1 + GOV2 + GOV3 + GOV4\nGOV1 ~~ GOV2\nGOV3 ~~ GOV4"
# the same rule in ML fits with a general '==' constraint (sem/api.py _finish): zero_cov stays unidentified,
# two_pairs becomes identified by the constraint (Delta alone has a null direction; Delta with the
# constraint's Jacobian has none, and lavaan computes every SE)
zero_cov_eq <- "F1 =~ GOV1 + GOV2\nF2 =~ MKT1 + l2*MKT2 + l3*MKT3\nF1 ~~ 0*F2\nl2 == 2*l3 - 0.9"
two_pairs_eq <- "F =~ GOV1 + l2*GOV2 + l3*GOV3 + GOV4\nGOV1 ~~ GOV2\nGOV3 ~~ GOV4\nl2 == 2*l3 - 0.9"
one_eq_def <- "F =~ GOV1 + l2*GOV2 + l3*GOV3 + GOV4\nl2 == 2*l3 - 0.9\nd := l2 - l3"

case <- function(model, ordered = TRUE, estimator = "WLSMV") {
  w <- character(0)
  fit <- withCallingHandlers(sem(model, d, ordered = ordered, estimator = estimator),
                             warning = function(e) { w <<- c(w, conditionMessage(e)); invokeRestart("muffleWarning") })
  pe <- parameterEstimates(fit)
  rownames(pe) <- NULL
  st <- lavInspect(fit, "test")$standard
  list(model = model, ordered = if (isTRUE(ordered)) "all" else if (isFALSE(ordered)) "none" else ordered,
       estimator = estimator,
       warnings = gsub("\\s+", " ", w), converged = lavInspect(fit, "converged"), vcov_null = is.null(fit@vcov$vcov),
       chisq = st$stat, df = st$df,
       fit = tryCatch(as.list(fitMeasures(fit, c("npar", "chisq", "df", "chisq.scaled", "cfi.scaled", "cfi.robust",
                                                  "rmsea.scaled", "srmr"))), error = function(e) NULL),
       estimates = as.data.frame(pe[, intersect(c("lhs", "op", "rhs", "label", "est", "se"), names(pe))]))
}
refs <- list(
  zero_cov = case(zero_cov),
  nonrec = case(nonrec),
  two_pairs = case(two_pairs),
  zero_cov_dwls = case(zero_cov, estimator = "DWLS"),
  zero_cov_mixed = case(zero_cov, ordered = c("GOV1", "GOV2", "MKT2", "MKT3")),
  ml_eq_zero_cov = case(zero_cov_eq, ordered = FALSE, estimator = "ML"),
  ml_eq_two_pairs = case(two_pairs_eq, ordered = FALSE, estimator = "ML"),
  # ordered items with a general '==' constraint (sem/wlsmv.py: the fit on theta = theta0 + B z)
  wlsmv_eq_two_pairs = case(two_pairs_eq),
  wlsmv_eq_def = case(one_eq_def),
  dwls_eq_def = case(one_eq_def, estimator = "DWLS"),
  wlsmv_eq_zero_cov = case(zero_cov_eq),
  mixed_eq_def = case(one_eq_def, ordered = c("GOV1", "GOV3"))
)
# several groups (wlsmv_groups_630.csv, pairwise) with a general '==' across groups (sem/wlsmv_groups.py)
dg <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
groups_eq <- "F =~ a1 + c(l2, l2b, l2c)*a2 + c(l3, l3b, l3c)*a3 + a4\nl2 == 0.5*l3 + l2b"
gfit <- suppressWarnings(sem(groups_eq, dg, ordered = TRUE, group = "G", missing = "pairwise", estimator = "WLSMV"))
gpe <- parameterEstimates(gfit)
refs$groups_eq <- list(model = groups_eq, group = "G", missing = "pairwise",
                       fit = as.list(fitMeasures(gfit, c("npar", "chisq", "df", "chisq.scaled", "cfi.scaled",
                                                          "rmsea.scaled", "srmr"))),
                       estimates = as.data.frame(gpe[, c("lhs", "op", "rhs", "group", "label", "est", "se")]))
write_json(refs, file.path(HERE, "na_se_refs.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
