# lavaan 0.6.14 / semTools 0.5-6 references for the ordinal invariance sequence (Wu & Estabrook 2016) with some
# binary items whose factors also have items of three or more categories: the thresholds + loadings + intercepts
# step frees the binary items' scales (delta) / residual variances (theta) and is identified, because each
# factor's mean and variance in group 2 are pinned by its polytomous items (tests/sem/test_wlsmv_binary_mixed.py).
#
#   Rscript tests/sem/ordinal_refs/make_binary_mixed_refs.R
#
# Data: psych's bfi, A and C items and gender, 1000 rows drawn with set.seed(8), A1, A2 and C1 made binary
# (> 3), complete cases: written as bfi_bin_937.csv beside this script.  Each step is measEq.syntax(...,
# ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = ...) fitted by cfa(..., estimator = "WLSMV"),
# lavaan's default optimizer; each step against the one before by lavTestLRT (Satorra 2000, scaled.shifted).
# Writes binary_mixed_refs.json: parameterization -> step -> fit measures, converged, iterations; lrt.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
data(bfi, package = "psych")
b <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5), "gender")]
set.seed(8); b <- b[sort(sample(nrow(b), 1000)), ]
for (v in c("A1", "A2", "C1")) b[[v]] <- as.integer(b[[v]] > 3)
b <- b[complete.cases(b), ]
write.csv(b, file.path(HERE, "bfi_bin_937.csv"), row.names = FALSE)
d <- read.csv(file.path(HERE, "bfi_bin_937.csv"))
mod <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
ov <- lavNames(mod, "ov")
STEPS <- list(configural = "configural", thresholds = "thresholds", thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
KEYS <- c("npar", "df", "chisq", "chisq.scaled", "pvalue.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
refs <- list(lavaan = as.character(packageVersion("lavaan")), nobs = NULL)
for (param in c("delta", "theta")) {
  fits <- lapply(STEPS, function(ge) {
    syn <- as.character(measEq.syntax(mod, data = d, group = "gender", ordered = ov, parameterization = param,
                                      ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = ge))
    cfa(syn, d, group = "gender", ordered = ov, estimator = "WLSMV", parameterization = param) })
  refs$nobs <- lavInspect(fits[[1]], "nobs")
  lr <- lapply(2:4, function(k) { t <- lavTestLRT(fits[[k - 1]], fits[[k]])
    list(chisq.diff = t[2, "Chisq diff"], df.diff = t[2, "Df diff"], pvalue = t[2, "Pr(>Chisq)"]) })
  names(lr) <- names(STEPS)[2:4]
  refs[[param]] <- list(
    fit = lapply(fits, function(f) c(as.list(fitMeasures(f)[KEYS]), converged = lavInspect(f, "converged"),
                                     iterations = lavInspect(f, "iterations"))),
    lrt = lr)
}
write_json(refs, file.path(HERE, "binary_mixed_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
