# lavaan 0.6.14 reference for tests/sem/test_admissible_minimum.py
#
#   Rscript tests/sem/admissible_refs/make_refs.R
#
# two_groups_1073.csv: a random case of the differential check of session 31 (seed 1246; FIML, MAR missing):
# 'F1 =~ x1 + x2 + 0.83*x3; x1 ~~ x3; x1 ~~ x2', two groups, std.lv, equal loadings, intercepts, residuals and
# lv.covariances, group.partial F1=~x2.  The ML fit function has a lower minimum whose residual covariance matrix
# is not positive definite (x1's loading of the other sign); lavaan reports the admissible one, without a
# warning.  Writes lavaan.json next to this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "two_groups_1073.csv"))
model <- "F1 =~ x1 + x2 + 0.83*x3\nx1 ~~ x3\nx1 ~~ x2"
warns <- character(0)
fit <- withCallingHandlers(
  sem(model, d, missing = "ml", group = "grp", std.lv = TRUE,
      group.equal = c("loadings", "intercepts", "residuals", "lv.covariances"), group.partial = "F1=~x2"),
  warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
pe <- parameterEstimates(fit)
write_json(list(model = model, converged = lavInspect(fit, "converged"), warnings = warns,
                fit = as.list(fitMeasures(fit, c("chisq", "df", "npar", "logl", "fmin"))),
                estimates = pe[, c("lhs", "op", "rhs", "group", "est", "se")]),
           file.path(HERE, "lavaan.json"), digits = NA, auto_unbox = TRUE, na = "null")
