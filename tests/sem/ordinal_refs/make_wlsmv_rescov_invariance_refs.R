# lavaan 0.6.14 / semTools 0.5-6 references for the ordinal invariance sequence of a model WITH residual
# covariances of items (a1 ~~ a2, b3 ~~ b4), delta and theta (iur_survey/sem/wlsmv_invariance.py: we_syntax keeps
# them free in every group, as measEq.syntax does; before, the sequence dropped them without a word).
#
#   Rscript tests/sem/ordinal_refs/make_wlsmv_rescov_invariance_refs.R
#
# Each step: measEq.syntax(configural.model, ordered = items, parameterization =, ID.fac = "std.lv",
# ID.cat = "Wu.Estabrook.2016", group = "G", group.equal = ...) fitted by cfa(..., estimator = "WLSMV",
# missing = "pairwise"); lavTestLRT against the step before (Satorra 2000, scaled.shifted).
# Data: wlsmv_groups_630.csv.  Writes wlsmv_rescov_invariance_refs.json: parameterization -> step -> fit, lrt,
# residual covariances (est, se).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
model <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\na1 ~~ a2\nb3 ~~ b4"
items <- lavNames(model, "ov")
FM <- c("npar", "df", "chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr")
STEPS <- list(configural = "configural", thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
refs <- list(model = model)
for (pz in c("delta", "theta")) {
  prev <- NULL; out <- list()
  for (s in names(STEPS)) {
    syn <- as.character(suppressWarnings(measEq.syntax(configural.model = model, data = d, ordered = items,
      parameterization = pz, ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "G",
      group.equal = STEPS[[s]], missing = "pairwise")))
    f <- suppressWarnings(cfa(syn, d, group = "G", ordered = items, estimator = "WLSMV", missing = "pairwise",
                              parameterization = pz))
    stopifnot(lavInspect(f, "converged"))
    pe <- parameterEstimates(f)
    rc <- pe[pe$op == "~~" & pe$lhs != pe$rhs & pe$lhs %in% items, c("lhs", "rhs", "group", "est", "se")]
    o <- list(fit = as.list(fitMeasures(f, FM)), rescov = rc)
    if (!is.null(prev)) {
      lrt <- suppressWarnings(lavTestLRT(f, prev))
      o$lrt <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2], pvalue = lrt[["Pr(>Chisq)"]][2])
    }
    prev <- f
    out[[s]] <- o
  }
  refs[[pz]] <- out
}
write_json(refs, file.path(HERE, "wlsmv_rescov_invariance_refs.json"), digits = NA, auto_unbox = TRUE, na = "null")
cat("done\n")
