# lavaan 0.6.14 reference for tests/sem/test_wlsmv_local_minimum.py
#
#   Rscript tests/sem/wlsmv_local_refs/make_refs.R
#
# two_groups_1506.csv: a random case of the differential check of session 31 (seed 1075): five ordered items
# (x2, x3 binary), two groups (grp), std.lv, group.equal loadings + thresholds, group.partial F2=~x4.  From its
# start values (latent variances 0.05) lavaan's nlminb reaches chi-square 59.77 with var(F1) = 1.85 in group 2;
# our path from the same start stopped at 67.14 with var(F1) = -5.83.  Writes lavaan.json next to this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "two_groups_1506.csv"))
model <- "F1 =~ x1 + x2\nF2 =~ x3 + x4 + 0.67*x5"
warns <- character(0)
fit <- withCallingHandlers(
  sem(model, d, ordered = paste0("x", 1:5), group = "grp", std.lv = TRUE,
      group.equal = c("loadings", "thresholds"), group.partial = "F2=~x4"),
  warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
pe <- parameterEstimates(fit)
write_json(list(model = model, converged = lavInspect(fit, "converged"), warnings = warns,
                fit = as.list(fitMeasures(fit, c("chisq", "df", "npar", "chisq.scaled", "cfi.scaled", "rmsea.scaled"))),
                estimates = pe[, c("lhs", "op", "rhs", "group", "est", "se")]),
           file.path(HERE, "lavaan.json"), digits = NA, auto_unbox = TRUE, na = "null")
