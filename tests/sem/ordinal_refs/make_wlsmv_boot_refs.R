# lavaan 0.6.14 bootstrap references for the WLSMV bootstrap (iur_survey/sem/wlsmv_bootstrap.py).
#
#   Rscript tests/sem/ordinal_refs/make_wlsmv_boot_refs.R single   # -> wlsmv_boot_single.json
#   Rscript tests/sem/ordinal_refs/make_wlsmv_boot_refs.R groups   # -> wlsmv_boot_groups.json
#
# Data: wlsmv_groups_630.csv (see make_wlsmv_refs.R).  Each file holds parameterEstimates() (est, se,
# percentile CI) of a fit with se = "bootstrap", bootstrap = 1000 (groups: 300), iseed = 2022, for comparing the bootstrap
# standard errors within Monte Carlo error (the draws themselves come from R's generator).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
which <- commandArgs(TRUE)[1]
d <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
two <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
q <- function(expr) suppressWarnings(expr)
# lavaan 0.6.14 refuses se = "bootstrap" with estimator = "WLSMV" ("use (D)WLS estimator for bootstrap"):
# estimator = "DWLS" with test = "scaled.shifted" is the same fit with bootstrap SEs.
boot_pack <- function(fit) {
  pe <- parameterEstimates(fit)
  rownames(pe) <- NULL
  list(nobs = lavInspect(fit, "nobs"), B = nrow(lavInspect(fit, "boot")),
       estimates = as.data.frame(pe[, c("lhs", "op", "rhs", intersect("group", names(pe)), "est", "se",
                                        "ci.lower", "ci.upper")]))
}
if (which == "single") {
  out <- boot_pack(q(sem(two, d, ordered = TRUE, estimator = "DWLS", test = "scaled.shifted", missing = "pairwise",
                         se = "bootstrap", bootstrap = 1000L, iseed = 2022L)))
} else {
  out <- boot_pack(q(sem(two, d, ordered = TRUE, estimator = "DWLS", test = "scaled.shifted", missing = "pairwise",
                         group = "G", group.equal = c("thresholds", "loadings"),
                         se = "bootstrap", bootstrap = 300L, iseed = 2022L)))
}
write_json(out, file.path(HERE, paste0("wlsmv_boot_", which, ".json")), digits = NA, auto_unbox = TRUE, na = "null")
cat("done", which, "\n")
