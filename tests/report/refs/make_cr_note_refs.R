# lavaan 0.6.14 / semTools references for tests/report/test_cr_note.py: the measurement table's CR (the composite
# reliability of the completely standardized solution) beside semTools' compRelSEM(fit, obs.var = FALSE) of the
# unstandardized fit, which a reader may run to check it: on HS1939's three-factor CFA they differ (speed .691
# against .688), and the note says why.
#
#   Rscript tests/report/refs/make_cr_note_refs.R
#
# Writes cr_note_refs.json next to this script: the model, cr_std ((sum of std.all loadings)^2 / sum of the
# model-implied correlations of the construct's items, lavInspect(fit, "cor.ov")) and cr_semtools_unstd.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fit <- cfa(m, hs)
lam <- lavInspect(fit, "std")$lambda
Rimp <- lavInspect(fit, "cor.ov")
cr <- sapply(colnames(lam), function(f) {
  ind <- rownames(lam)[lam[, f] != 0]
  sum(lam[ind, f])^2 / sum(Rimp[ind, ind])
})
writeLines(toJSON(list(model = m, cr_std = as.list(cr),
                       cr_semtools_unstd = as.list(compRelSEM(fit, obs.var = FALSE))),
                  digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "cr_note_refs.json"))
