# lavaan 0.6.14 reference for tests/sem/test_flipped_minimum.py
#
#   Rscript tests/sem/flipped_refs/make_refs.R
#
# three_groups_2157.csv: a random case of the differential check of session 32 (seed 2157; MAR missing),
# rounded to 4 decimals: 'F1 =~ x1 + x2 + x3 + x4 + x5 + x7; F2 =~ x6 + x7 + x8 + x9 + x10', three groups,
# equal latent variances.  From lavaan's start values the package's scoring path stopped at an admissible local
# minimum (chi-square about 601) whose group-3 loadings all turned round their markers; lavaan's nlminb reaches
# the minimum below (FIML and listwise).  Writes lavaan.json next to this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "three_groups_2157.csv"))
model <- "F1 =~ x1 + x2 + x3 + x4 + x5 + x7\nF2 =~ x6 + x7 + x8 + x9 + x10"
one <- function(missing) {
  warns <- character(0)
  fit <- withCallingHandlers(
    sem(model, d, missing = missing, group = "grp", group.equal = "lv.variances"),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  pe <- parameterEstimates(fit)
  list(missing = missing, converged = lavInspect(fit, "converged"), warnings = warns,
       fit = as.list(fitMeasures(fit, c("chisq", "df", "npar", "fmin"))),
       estimates = pe[, c("lhs", "op", "rhs", "group", "est", "se")])
}
write_json(list(model = model, cases = list(one("ml"), one("listwise"))),
           file.path(HERE, "lavaan.json"), digits = NA, auto_unbox = TRUE, na = "null")
