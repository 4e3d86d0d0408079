# lavaan 0.6.14's warnings when FIML (missing = "ml") meets observed exogenous covariates with fixed.x = TRUE
# (lav_data_full: the cases missing an exogenous variable are deleted, "N cases were deleted [in group g] due to
# missing values in exogenous variable(s), while fixed.x = TRUE."; an empty case is one of them), for
# tests/sem/test_fixedx_lavaan.py.
#
#   Rscript tests/sem/fixedx_refs/make_fixedx_warning_refs.R
#
# Data: tests/reference/data/poldem.csv (PoliticalDemocracy) with cells blanked below; writes
# fixedx_warning_refs.json next to this script: case -> {nobs, warnings, chisq, df, npar, logl}.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
pd <- read.csv(file.path(HERE, "..", "..", "reference", "data", "poldem.csv"))
pd$G <- ifelse(seq_len(nrow(pd)) <= 40, "a", "b")
d <- pd
d$x1[c(3, 10, 20, 50)] <- NA          # exogenous x1 missing: rows 3, 10, 20 (group a), 50 (group b)
d$y1[c(5, 6)] <- NA                   # an endogenous cell missing: kept by FIML
d[c(60, 61), c("y1", "y2", "x1", "x2")] <- NA      # two empty cases (every model variable missing)
m <- "y1 ~ x1 + x2\ny2 ~ y1 + x2"
run <- function(...) {
  w <- character(0)
  f <- withCallingHandlers(sem(m, d, missing = "ml", ...),
                           warning = function(cond) { w <<- c(w, conditionMessage(cond)); invokeRestart("muffleWarning") })
  fm <- fitMeasures(f, c("npar", "chisq", "df", "logl"))
  list(nobs = lavInspect(f, "nobs"), warnings = I(gsub("\\s+", " ", w)), fit = as.list(fm))
}
refs <- list(one = run(), groups = run(group = "G"), fixed_x_false = run(fixed.x = FALSE))
write_json(refs, file.path(HERE, "fixedx_warning_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("done\n")
