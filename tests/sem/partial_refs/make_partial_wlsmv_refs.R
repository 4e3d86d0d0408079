# lavaan 0.6.14 references for group.partial with ordered items under WLSMV
# (tests/sem/test_partial_invariance_wlsmv.py): sem(..., ordered = TRUE, estimator = "WLSMV", missing = "pairwise",
# group = "G", group.equal = c("thresholds", "loadings"), group.partial = ...) in the delta and theta
# parameterizations (every estimate and SE, the fit measures), and lavTestLRT() (method "satorra.2000", lavaan's
# default for WLSMV) of the partial model against the full thresholds + loadings model.  lavaan frees a threshold
# (a1 | t2) in every group and keeps its other rules as they are: the scales (delta) or residual variances
# (theta) and the latent means stay free after the first group.
#
#   Rscript tests/sem/partial_refs/make_partial_wlsmv_refs.R
#
# Data: ../ordinal_refs/wlsmv_groups_630.csv (8 five-point items, three groups, ~7 % missing cells).  Writes
# partial_wlsmv_refs.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "ordinal_refs", "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
TWO <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
GE <- c("thresholds", "loadings")
# written as a user writes it (spaces or none; lavaan removes them)
PARTIAL <- c("F1 =~ a2", "a1 | t2", "b3|t1")
FIT_KEYS <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
              "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr", "cfi", "rmsea")
q <- function(expr) suppressWarnings(expr)
fm <- function(f) { v <- fitMeasures(f); as.list(v[intersect(FIT_KEYS, names(v))]) }
pe <- function(f) { p <- parameterEstimates(f); p <- p[p$op != "==", ]
  list(lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, label = p$label, est = p$est, se = p$se) }
fitone <- function(par, partial) q(sem(TWO, d, ordered = TRUE, estimator = "WLSMV", missing = "pairwise",
                                       group = "G", group.equal = GE, group.partial = partial,
                                       parameterization = par))
one_case <- function(par) {
  full <- fitone(par, character(0))
  part <- fitone(par, PARTIAL)
  t <- q(lavTestLRT(part, full))
  list(parameterization = par, fit = fm(part), estimates = pe(part), full_fit = fm(full),
       lrt = list(chisq.diff = t[["Chisq diff"]][2], df.diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2],
                  method = attr(t, "heading")))
}
refs <- list(lavaan = as.character(packageVersion("lavaan")), model = TWO, group.equal = GE,
             group.partial = PARTIAL, delta = one_case("delta"), theta = one_case("theta"))
write_json(refs, file.path(HERE, "partial_wlsmv_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
