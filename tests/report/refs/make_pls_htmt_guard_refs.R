# semTools references for tests/report/test_pls_htmt_guard.py: the HTMT each discriminant-validity table must
# show when a pls.json is passed to `iur-survey tables` beside a multi-group fit (each group's own HTMT, not the
# whole sample's of the pls.json), on HS1939 (tests/reference/data/hs1939.csv) grouped by school.
#
#   Rscript tests/report/refs/make_pls_htmt_guard_refs.R
#
# Writes pls_htmt_guard_refs.json next to this script: the model, htmt_whole (all 301 rows) and htmt_by_group
# (semTools::htmt(htmt2 = FALSE) on each school's rows), as lists of {construct_1, construct_2, htmt}.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
pairs <- function(h) {
  n <- rownames(h); out <- list()
  for (i in seq_along(n)) for (j in seq_along(n)) if (j < i)
    out[[length(out) + 1]] <- list(construct_1 = n[j], construct_2 = n[i], htmt = h[i, j])
  out
}
by <- list()
for (g in unique(hs$school)) by[[g]] <- pairs(htmt(m, hs[hs$school == g, ], htmt2 = FALSE))
writeLines(toJSON(list(model = m, htmt_whole = pairs(htmt(m, hs, htmt2 = FALSE)), htmt_by_group = by),
                  digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "pls_htmt_guard_refs.json"))
