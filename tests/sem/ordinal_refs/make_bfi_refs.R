# lavaan 0.6.14 references on data the WLSMV code was not built on: psych's bfi (2800 rows, 25 six-point
# items with missing cells, gender 1/2).  Writes bfi_2800.csv (the 25 items and gender) and wlsmv_bfi.json:
# a five-factor CFA by WLSMV with missing = "pairwise", in one group ("one") and by gender with equal
# thresholds and loadings ("groups"): parameterEstimates() est/se and fitMeasures().
#
#   Rscript tests/sem/ordinal_refs/make_bfi_refs.R
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
data(bfi, package = "psych")
d <- bfi[, 1:25]; d$gender <- bfi$gender
write.csv(d, file.path(HERE, "bfi_2800.csv"), row.names = FALSE, na = "")
m <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nE =~ E1 + E2 + E3 + E4 + E5\nN =~ N1 + N2 + N3 + N4 + N5\nO =~ O1 + O2 + O3 + O4 + O5"
t <- system.time(f <- sem(m, d, ordered = names(d)[1:25], estimator = "WLSMV", missing = "pairwise"))
t2 <- system.time(g <- sem(m, d, ordered = names(d)[1:25], estimator = "WLSMV", missing = "pairwise", group = "gender", group.equal = c("thresholds", "loadings")))
pk <- function(x) { pe <- parameterEstimates(x); list(nobs = lavInspect(x, "nobs"), est = pe$est, se = pe$se, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = if (is.null(pe$group)) rep(1, nrow(pe)) else pe$group, fit = as.list(fitMeasures(x))) }
write_json(list(one = pk(f), groups = pk(g), t1 = t[["elapsed"]], t2 = t2[["elapsed"]]), file.path(HERE, "wlsmv_bfi.json"), digits = NA, auto_unbox = TRUE)
cat("ok", t[["elapsed"]], t2[["elapsed"]], "\n")
