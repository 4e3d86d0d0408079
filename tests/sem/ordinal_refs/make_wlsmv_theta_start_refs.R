# lavaan 0.6.14 / semTools 0.5-6 references for the start values of the several-group WLSMV engine
# (iur_survey/sem/wlsmv_groups.py, _fit): the Wu & Estabrook sequence in the THETA parameterization on
# psych::bfi (psych 2.2.9) rows 1-900 with an education value, A1-A5 and C1-C5 (six points, missing cells),
# education merged into three groups (1-2 "lo", 3 "mid", 4-5 "hi").  A1 (the first A item) is weak in the "lo"
# group: a start of loadings as ratios to it ran the theta configural fit off to a loading of 2.7e5 (audit s22).
#
#   Rscript tests/sem/ordinal_refs/make_wlsmv_theta_start_refs.R
#
# Writes bfi_edu_900.csv (the data) and wlsmv_theta_start_refs.json next to this script: step -> {converged,
# fit, lrt, estimates (=~ and | rows, group)}.  Each step is measEq.syntax(..., parameterization = "theta",
# ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016") fitted by lavaan(..., estimator = "WLSMV", missing =
# "pairwise", parameterization = "theta"); lavTestLRT() between consecutive steps.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
b <- psych::bfi[1:900, ]
items <- c(paste0("A", 1:5), paste0("C", 1:5))
d <- b[!is.na(b$education), c(items, "education")]
d$education <- c("lo", "lo", "mid", "hi", "hi")[d$education]
write.csv(d, file.path(HERE, "bfi_edu_900.csv"), row.names = FALSE, na = "")
d <- read.csv(file.path(HERE, "bfi_edu_900.csv"), stringsAsFactors = FALSE)
model <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
FM <- c("npar", "df", "chisq", "chisq.scaled", "pvalue.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
STEPS <- list(configural = "configural", thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
out <- list(); fits <- list()
for (s in names(STEPS)) {
  syn <- measEq.syntax(model, data = d, ordered = items, parameterization = "theta", ID.fac = "std.lv",
                       ID.cat = "Wu.Estabrook.2016", group = "education", group.equal = STEPS[[s]])
  fit <- lavaan(as.character(syn), data = d, ordered = items, group = "education", estimator = "WLSMV",
                missing = "pairwise", parameterization = "theta")
  fits[[s]] <- fit
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op %in% c("=~", "|"), c("lhs", "op", "rhs", "group", "est", "se")]
  out[[s]] <- list(converged = lavInspect(fit, "converged"), group_labels = lavInspect(fit, "group.label"),
                   fit = as.list(fitMeasures(fit, FM)), estimates = pe)
}
for (k in 2:length(fits)) {
  l <- lavTestLRT(fits[[k - 1]], fits[[k]])
  out[[names(fits)[k]]]$lrt <- list(chisq.diff = l[2, "Chisq diff"], df.diff = l[2, "Df diff"],
                                     pvalue = l[2, "Pr(>Chisq)"])
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(HERE, "wlsmv_theta_start_refs.json"))
