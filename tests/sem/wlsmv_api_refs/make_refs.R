# References for tests/sem/test_wlsmv_api.py (lavaan 0.6.14).  Run from the repository root:
#   Rscript tests/sem/wlsmv_api_refs/make_refs.R
# dwls_600.json:           sem(default.lav, ordinal_600, ordered = TRUE, estimator = "DWLS")
# wlsmv_missing_600.json:  sem(default.lav, ordinal_600 with cells blanked, ordered = TRUE) (WLSMV, listwise):
#                          cell (i, j) of the 28 items (1-based row i, item j) is NA when (7 i + 3 j) %% 211 == 0
suppressMessages({library(lavaan); library(jsonlite)})
model <- paste(readLines("tests/reference/models/default.lav"), collapse = "\n")
d <- read.csv("tests/reference/data/ordinal_600.csv")
items <- names(d)[-(1:2)]
stopifnot(length(items) == 28)
dump <- function(fit, file, what) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  out <- list(what = what, lavaan = as.character(packageVersion("lavaan")),
              n = lavInspect(fit, "nobs"), norig = lavInspect(fit, "norig"),
              converged = lavInspect(fit, "converged"),
              estimates = pe[, c("lhs", "op", "rhs", "label", "est", "se", "std.all")],
              fit = as.list(fitMeasures(fit)), r2 = as.list(lavInspect(fit, "r2")))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE), file)
}
dump(sem(model, d, ordered = TRUE, estimator = "DWLS"), "tests/sem/wlsmv_api_refs/dwls_600.json",
     "sem(default.lav, ordinal_600, ordered = TRUE, estimator = 'DWLS')")
dm <- d
for (i in seq_len(nrow(d))) for (j in seq_along(items)) if ((7 * i + 3 * j) %% 211 == 0) dm[i, items[j]] <- NA
dump(sem(model, dm, ordered = TRUE, estimator = "WLSMV"), "tests/sem/wlsmv_api_refs/wlsmv_missing_600.json",
     "sem(default.lav, ordinal_600 with (7 i + 3 j) %% 211 == 0 cells NA, ordered = TRUE)")
