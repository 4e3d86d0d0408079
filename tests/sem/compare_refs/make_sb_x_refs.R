# lavaan 0.6.14 references for lavTestLRT() of two nested MLR fits with observed covariates (fixed.x):
# the Satorra-Bentler 2001 and 2010 scaled difference tests, listwise and FIML.
#
#   Rscript tests/sem/compare_refs/make_sb_x_refs.R
#
# Data: tests/fixtures/real/HolzingerSwineford1939.csv (lavaan's data set; sex recoded 0/1).
# Writes sb_x.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "fixtures", "real", "HolzingerSwineford1939.csv"))
d$sex <- d$sex - 1
cfa <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
m1 <- paste0(cfa, "visual ~ ageyr + sex\ntextual ~ ageyr + sex\nspeed ~ ageyr")
m0 <- paste0(cfa, "visual ~ ageyr + sex\ntextual ~ ageyr + 0*sex\nspeed ~ 0*ageyr")
out <- list(m1 = m1, m0 = m0)
for (ms in c("listwise", "ml")) {
  f1 <- sem(m1, d, estimator = "MLR", missing = ms)
  f0 <- sem(m0, d, estimator = "MLR", missing = ms)
  for (meth in c("satorra.bentler.2001", "satorra.bentler.2010")) {
    t <- lavTestLRT(f1, f0, method = meth)
    out[[paste(ms, meth)]] <- list(chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"],
                                   pvalue = t[2, "Pr(>Chisq)"])
  }
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "sb_x.json"))
