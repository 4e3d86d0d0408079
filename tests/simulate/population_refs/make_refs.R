# lavaan 0.6.14 reference for tests/simulate/test_population.py::test_lavaan_implied_covariance_matches: the
# model-implied covariance matrix of the fully fixed population model (every parameter a value: no free one).
#
# Input pop.lav (committed): the package's lavaan syntax of the default population, written by
#   python -c 'from iur_survey.simulate.population import lavaan_syntax; print(lavaan_syntax(), end="")' > pop.lav
# (the test checks that lavaan_syntax() still gives this text: if the population changes, rewrite pop.lav and
# rerun this script).  Output implied.json (committed): the item names, lavaan's implied covariance of the items
# (rows in that order; 15 significant digits) and the numbers of free parameters and free loadings (0).  Nothing is fitted: do.fit =
# FALSE, and the sample covariance given to sem() (equicorrelation 0.3) is unused by a model without free
# parameters (the implied matrix comes from the fixed values alone).
#
#   Rscript tests/simulate/population_refs/make_refs.R          (R 4.2.2, lavaan 0.6.14; a few seconds)
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
m <- paste(readLines(file.path(HERE, "pop.lav")), collapse = "\n")
items <- lavNames(lavParseModelString(m, as.data.frame. = TRUE), "ov")
S <- 0.7 * diag(length(items)) + 0.3           # any positive-definite matrix: it only feeds start values
dimnames(S) <- list(items, items)
fit <- sem(m, sample.cov = S, sample.nobs = 500, do.fit = FALSE)
stopifnot(sum(parTable(fit)$free > 0) == 0)
imp <- lavInspect(fit, "implied")$cov
imp <- unclass(imp)[items, items]
out <- list(lavaan = as.character(packageVersion("lavaan")), items = items,
            nfree = sum(parTable(fit)$free > 0), nfree_lambda = sum(lavInspect(fit, "free")$lambda),
            implied = unname(imp))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"), file.path(HERE, "implied.json"))
