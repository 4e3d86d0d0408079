# lavaan 0.6.14 references for tests/sem/test_boot_ci_types.py: the bootstrap intervals of
# parameterEstimates(boot.ci.type = "norm" / "basic" / "perc" / "bca.simple") on lavaan's own draws, whose
# resample indices (bootstrapLavaan(keep.idx = TRUE), the same iseed as sem(se = "bootstrap")) are written
# too so that the package refits exactly these resamples.  Data: tests/sem/stdnox_refs/data.csv (complete rows).
# Run from the repository root:  Rscript tests/sem/boot_ci_refs/make_refs.R
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(packageVersion("lavaan") == "0.6.14")
d <- read.csv("tests/sem/stdnox_refs/data.csv")
d <- d[complete.cases(d), ]
model <- '
  M =~ m1 + m2 + m3
  y1 ~ b*M + c*x1
  M ~ a*x1 + x2
  ab := a*b
  tot := c + a*b
'
B <- 150L
fit <- sem(model, d)
bb <- bootstrapLavaan(fit, R = B, FUN = "coef", keep.idx = TRUE, iseed = 31L)
fitb <- sem(model, d, se = "bootstrap", bootstrap = B, iseed = 31L)
stopifnot(max(abs(fitb@boot$coef - bb)) == 0)
tab <- function(x) { x <- as.data.frame(x); rownames(x) <- NULL; x }
out <- list(model = model, B = B, idx = attr(bb, "boot.idx")[[1]] - 1L, coef = unname(bb))
for (ty in c("norm", "basic", "perc", "bca.simple")) {
  pe <- parameterEstimates(fitb, boot.ci.type = ty)
  out[[ty]] <- tab(pe[, c("lhs", "op", "rhs", "est", "se", "ci.lower", "ci.upper")])
}
pe90 <- parameterEstimates(fitb, boot.ci.type = "norm", level = 0.90)
out$norm90 <- tab(pe90[, c("lhs", "op", "rhs", "ci.lower", "ci.upper")])
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", na = "null"),
           "tests/sem/boot_ci_refs/refs.json")
