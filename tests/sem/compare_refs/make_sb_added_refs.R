# lavaan 0.6.14 references for lavTestLRT(method = "satorra.bentler.2010") of two nested MLR fits where the less
# restricted model has parameters the other one leaves out of its syntax (a cross-loading, a residual
# covariance): lavaan's M10 holds them at 0 (the start of lav_partable_full(M0, start = TRUE)).
#
#   Rscript tests/sem/compare_refs/make_sb_added_refs.R
#
# Data: tests/fixtures/real/HolzingerSwineford1939.csv (lavaan's data set). Writes sb_added.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "fixtures", "real", "HolzingerSwineford1939.csv"))
m0 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
m1 <- paste0(m0, "\nvisual =~ x9\nx2 ~~ x7")
out <- list(m1 = m1, m0 = m0)
for (ms in c("listwise", "ml")) {
  f1 <- sem(m1, d, estimator = "MLR", missing = ms)
  f0 <- sem(m0, d, estimator = "MLR", missing = ms)
  M10 <- lavaan:::lav_test_diff_m10(f1, f0, test = TRUE)
  for (meth in c("satorra.bentler.2001", "satorra.bentler.2010")) {
    t <- lavTestLRT(f1, f0, method = meth)
    out[[paste(ms, meth)]] <- list(chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"],
                                   pvalue = t[2, "Pr(>Chisq)"])
  }
  out[[paste(ms, "c10")]] <- M10@test[[2]]$scaling.factor
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "sb_added.json"))
