# lavaan 0.6.14 reference for the polychoric correlation of a sparse pair (tests/sem/test_polychoric_convergence.py)
#
#   Rscript tests/sem/polyconv_refs/make_refs.R
#
# plateau_542.csv: two ordered items (5 and 2 categories) of another case (seed 122) whose table has empty cells that
# make the likelihood flat from about 0.95 to 1: lavaan stops at 0.920 without a warning (plateau.json).
#
# pair_412.csv: two ordered items (7 and 6 categories; 43 and 41 missing cells, no empty row) of a random WLSMV case
# (differential check s31, seed 14): most cells of the table are empty.  lavaan's nlminb calls the pairwise
# polychoric correlation converged and gives no warning.  Writes lavaan.json next to this script: the correlation,
# the thresholds and the warnings of lavCor(missing = "pairwise").
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "pair_412.csv"))
warns <- character(0)
fit <- withCallingHandlers(lavCor(d, ordered = c("a", "b"), missing = "pairwise", output = "fit"),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
s <- lavInspect(fit, "sampstat")
write_json(list(cor = s$cov[1, 2], th = unname(s$th), th_names = names(s$th), warnings = warns,
                n = lavInspect(fit, "nobs")),
           file.path(HERE, "lavaan.json"), digits = NA, auto_unbox = TRUE, na = "null")

d2 <- read.csv(file.path(HERE, "plateau_542.csv"))
warns <- character(0)
fit <- withCallingHandlers(lavCor(d2, ordered = c("a", "b"), output = "fit"),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
s <- lavInspect(fit, "sampstat")
write_json(list(cor = s$cov[1, 2], th = unname(s$th), warnings = warns, n = lavInspect(fit, "nobs")),
           file.path(HERE, "plateau.json"), digits = NA, auto_unbox = TRUE, na = "null")
