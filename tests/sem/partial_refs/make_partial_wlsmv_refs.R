# lavaan 0.6.14 references for group.partial with ordered items under WLSMV
# (tests/sem/test_partial_invariance_wlsmv.py): sem(..., ordered = TRUE, estimator = "WLSMV", missing = "pairwise",
# group = "G", group.equal = c("thresholds", "loadings"), group.partial = ...) in the delta and theta
# parameterizations (every estimate and SE, the fit measures), and lavTestLRT() (method "satorra.2000", lavaan's
# default for WLSMV) of the partial model against the full thresholds + loadings model.  lavaan frees a threshold
# (a1 | t2) in every group and keeps its other rules as they are: the scales (delta) or residual variances
# (theta) and the latent means stay free after the first group.  Then the Wu & Estabrook (2016) sequence with
# semTools 0.5-6's measEq.syntax(..., group.partial =) (delta and theta), each step's fit and lavTestLRT against
# the step before (tests/sem/test_partial_invariance_wlsmv.py compares iur_survey's ordinal_invariance).
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
# ---- the Wu & Estabrook (2016) sequence with group.partial: semTools' measEq.syntax(..., group.partial =), each
# entry freed in every step that constrains its class, fitted by cfa() as make_wlsmv_refs.R does; lavTestLRT
# between consecutive steps
SEQ_PARTIAL <- c("F1 =~ a2", "a1 | t2", "b3|t1", "a3 ~ 1")
items <- c("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4")
dd <- d[!is.na(d$G), ]
for (i in items) dd[[i]] <- ordered(dd[[i]])
STEPS <- list(configural = character(0), thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
# (the argument is not called `par`: with an item intercept in group.partial, semTools 0.5-6's measEq.syntax
# then stops with "comparison (==) is possible only for atomic and list types")
seq_case <- function(pz) {
  fits <- list(); out <- list()
  for (s in names(STEPS)) {
    syn <- q(measEq.syntax(configural.model = TWO, data = dd, ordered = items, parameterization = pz,
                           ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "G", group.equal = STEPS[[s]],
                           group.partial = if (length(STEPS[[s]])) SEQ_PARTIAL else "", missing = "pairwise"))
    fit <- q(cfa(as.character(syn), data = dd, ordered = items, estimator = "WLSMV", missing = "pairwise",
                 group = "G", parameterization = pz))
    o <- list(fit = fm(fit), estimates = pe(fit))
    if (length(fits)) {
      t <- q(lavTestLRT(fit, fits[[length(fits)]]))
      o$lrt <- list(chisq.diff = t[["Chisq diff"]][2], df.diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
    }
    fits[[s]] <- fit; out[[s]] <- o
  }
  out
}
suppressPackageStartupMessages(library(semTools))
refs <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
             model = TWO, group.equal = GE, group.partial = PARTIAL, delta = one_case("delta"),
             theta = one_case("theta"),
             every_threshold = fm(fitone("delta", c("a1 | t1", "a1 | t2", "a1 | t3", "a1 | t4"))),
             sequence.partial = SEQ_PARTIAL, sequence_delta = seq_case("delta"),
             sequence_theta = seq_case("theta"))
write_json(refs, file.path(HERE, "partial_wlsmv_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
