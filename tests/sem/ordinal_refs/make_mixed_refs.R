# lavaan 0.6.14 references for WLSMV with a mix of ordered and continuous items (one group, listwise):
# sample statistics (wls.obs, NACOV) and the fit (parameterEstimates, fitMeasures).
#
#   Rscript tests/sem/ordinal_refs/make_mixed_refs.R
#
# Data: wlsmv_groups_630.csv (8 five-point items, ~7 % missing cells).  a1, a2, b1, b2 are declared
# ordered, a3, a4, b3, b4 are continuous (their 1..5 codes as numbers).  Writes mixed_refs.json.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
ord <- c("a1", "a2", "b1", "b2")
two <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
one <- "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"
pack <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  rownames(pe) <- NULL
  wo <- lavInspect(fit, "wls.obs")
  list(nobs = lavInspect(fit, "nobs"), converged = lavInspect(fit, "converged"),
       ov = lavNames(fit), wls_obs = unname(wo), wls_obs_names = names(wo),
       gamma = unname(lavInspect(fit, "gamma")),
       estimates = as.data.frame(pe), fit = as.list(fitMeasures(fit)))
}
q <- function(expr) suppressWarnings(expr)
refs <- list()
refs$mixed_two <- pack(q(sem(two, d, ordered = ord, estimator = "WLSMV")))
refs$mixed_one <- pack(q(sem(one, d, ordered = ord, estimator = "WLSMV")))
# continuous items on a larger scale (variances near 1e6): a3 and b3 times 1000
d_big <- d; d_big$a3 <- 1000 * d_big$a3; d_big$b3 <- 1000 * d_big$b3
refs$mixed_two_scaled <- pack(q(sem(two, d_big, ordered = ord, estimator = "WLSMV")))
# missing = "pairwise": every non-empty row, each statistic from the rows where its variables are present
refs$mixed_two_pairwise <- pack(q(sem(two, d, ordered = ord, estimator = "WLSMV", missing = "pairwise")))
refs$mixed_one_pairwise <- pack(q(sem(one, d, ordered = ord, estimator = "WLSMV", missing = "pairwise")))
# data the project did not simulate: psych's bfi (bfi_2800.csv, written by make_bfi_refs.R), agreeableness
# items ordered, conscientiousness items continuous, pairwise
b <- read.csv(file.path(HERE, "bfi_2800.csv"), stringsAsFactors = FALSE)
bfi_model <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
refs$bfi_pairwise <- pack(q(sem(bfi_model, b, ordered = paste0("A", 1:5), estimator = "WLSMV",
                                missing = "pairwise")))
write_json(refs, file.path(HERE, "mixed_refs.json"), digits = NA, auto_unbox = TRUE, na = "null",
           pretty = FALSE)
