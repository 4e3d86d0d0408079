# lavaan 0.6.14 references for WLSMV with missing cells, several groups and the ordinal invariance
# sequence (iur_survey/sem/ordinal.py pairwise statistics, wlsmv_groups.py, wlsmv_invariance.py).
#
#   python tests/sem/ordinal_refs/make_wlsmv_data.py      # writes wlsmv_groups_630.csv (once)
#   Rscript tests/sem/ordinal_refs/make_wlsmv_refs.R
#
# Data: wlsmv_groups_630.csv (8 five-point items, groups g1/g2/g3 of 320/190/120 rows, ~7 % missing cells,
# three empty rows).  Writes wlsmv_refs.json next to this script: one entry per case with
# parameterEstimates(), fitMeasures(), nobs, and for the invariance sequence (semTools measEq.syntax with
# ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016") each step's fit and lavTestLRT() against the previous step.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
items <- c(paste0("a", 1:4), paste0("b", 1:4))
two <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
one <- "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"

pack <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  rownames(pe) <- NULL
  list(nobs = lavInspect(fit, "nobs"), converged = lavInspect(fit, "converged"),
       estimates = as.data.frame(pe), fit = as.list(fitMeasures(fit)))
}
q <- function(expr) suppressWarnings(expr)
refs <- list()
# ---- one group, pairwise (and listwise for the count)
refs$pairwise_two <- pack(q(sem(two, d, ordered = TRUE, estimator = "WLSMV", missing = "pairwise")))
refs$pairwise_one <- pack(q(sem(one, d, ordered = TRUE, estimator = "WLSMV", missing = "pairwise")))
refs$listwise_one <- pack(q(sem(one, d, ordered = TRUE, estimator = "WLSMV")))
# ---- several groups (lavaan's group.equal rules), pairwise
mg <- function(ge, par = "delta", model = two)
  pack(q(sem(model, d, ordered = TRUE, estimator = "WLSMV", missing = "pairwise", group = "G",
             group.equal = ge, parameterization = par)))
refs$groups_configural <- mg("")
refs$groups_th_load <- mg(c("thresholds", "loadings"))
refs$groups_th_load_one <- mg(c("thresholds", "loadings"), model = one)
refs$groups_th_load_theta <- mg(c("thresholds", "loadings"), "theta")
refs$groups_th_load_res_theta <- mg(c("thresholds", "loadings", "residuals"), "theta")
refs$groups_configural_theta <- mg("", "theta")
# ---- Wu & Estabrook (2016) sequence
dd <- d
for (i in items) dd[[i]] <- ordered(dd[[i]])
steps <- list(configural = character(0), thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
for (model_name in c("two", "one")) {
  model <- if (model_name == "two") two else one
  fits <- list()
  seq_out <- list()
  for (s in names(steps)) {
    syn <- q(measEq.syntax(configural.model = model, data = dd, ordered = items, parameterization = "delta",
                           ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "G",
                           group.equal = steps[[s]], missing = "pairwise"))
    fit <- q(cfa(as.character(syn), data = dd, ordered = items, estimator = "WLSMV", missing = "pairwise",
                 group = "G", parameterization = "delta"))
    out <- pack(fit)
    out$group_equal <- steps[[s]]
    out$syntax <- as.character(syn)
    if (length(fits)) {
      lrt <- q(lavTestLRT(fit, fits[[length(fits)]]))
      out$lrt <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                      pvalue = lrt[["Pr(>Chisq)"]][2], method = attr(lrt, "heading"))
    }
    fits[[s]] <- fit
    seq_out[[s]] <- out
  }
  refs[[paste0("invariance_", model_name)]] <- seq_out
}
write_json(refs, file.path(HERE, "wlsmv_refs.json"), digits = NA, auto_unbox = TRUE, na = "null")
cat("done\n")

