# semTools 0.5-6 reliability of FIML fits (missing = "ml") for the measurement table of `iur-survey tables`
# (tests/report/test_reliability_missing.py).  Writes json/omega_missing.json.
#
#   Rscript tests/reference/make_omega_missing_ref.R
#
# compRelSEM(fit) divides by lavInspect(fit, "sampstat")$cov, which under missing = "ml" is the EM estimate
# of the saturated (h1) covariance of all the model's observed variables (lavaan's h1 implied moments), per
# group; alpha is compRelSEM(fit, tau.eq = TRUE) on the same moments.  Also stored: the listwise
# Cronbach's alpha of each construct (psych-free: on the rows complete on its items), semTools htmt(htmt2 =
# FALSE) with its default missing = "listwise" (per group: on that group's rows) and lavaan's cor.lv.
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
MODEL <- paste("GOV =~ GOV1 + GOV2 + GOV3 + GOV4", "MKT =~ MKT1 + MKT2 + MKT3 + MKT4",
               "COL =~ COL1 + COL2 + COL3 + COL4", "COL ~ GOV + MKT", sep = "\n")
CMAP <- list(GOV = paste0("GOV", 1:4), MKT = paste0("MKT", 1:4), COL = paste0("COL", 1:4))

alpha_listwise <- function(d) sapply(CMAP, function(it) {
  x <- na.omit(d[, it]); S <- cov(x); k <- ncol(S); k / (k - 1) * (1 - sum(diag(S)) / sum(S))
})
htmt_list <- function(d) {
  h <- semTools::htmt(MODEL, data = d, htmt2 = FALSE)
  out <- list()
  nm <- rownames(h)
  for (i in seq_along(nm)) for (j in seq_along(nm)) if (i < j) out[[paste(nm[i], nm[j], sep = "~~")]] <- h[i, j]
  out
}
one_block <- function(fit, d, rel, alpha, b = NULL) {
  pick <- function(x) if (is.null(b)) x else x[[b]]
  ss <- pick(lavInspect(fit, "sampstat"))
  list(omega = as.list(rel), alpha_em = as.list(alpha), alpha_listwise = as.list(alpha_listwise(d)),
       htmt = htmt_list(d), cor_lv = unclass(pick(lavInspect(fit, "cor.lv"))),
       n = nrow(d), sampstat_cov = unname(unclass(ss$cov)), sampstat_names = rownames(ss$cov),
       listwise_n = sum(complete.cases(d[, unlist(CMAP)])))
}
cases <- list()
# ---- one group: missing_300 (6% of cells missing)
d <- read.csv(file.path(HERE, "data", "missing_300.csv"), stringsAsFactors = FALSE)
fit <- sem(MODEL, data = d, missing = "ml")
cases$single <- c(list(data = "data/missing_300.csv", group = NULL, converged = lavInspect(fit, "converged"),
                       chisq = unname(fitMeasures(fit, "chisq")), nobs = lavInspect(fit, "nobs")),
                  one_block(fit, d, compRelSEM(fit), compRelSEM(fit, tau.eq = TRUE)))
# ---- four groups: groups_missing_1200 by role (3.1% of cells missing); group order = first appearance
d <- read.csv(file.path(HERE, "data", "groups_missing_1200.csv"), stringsAsFactors = FALSE)
fit <- sem(MODEL, data = d, missing = "ml", group = "role")
labs <- lavInspect(fit, "group.label")
rel <- compRelSEM(fit)
alp <- compRelSEM(fit, tau.eq = TRUE)
blocks <- list()
for (b in seq_along(labs)) {
  blocks[[labs[b]]] <- one_block(fit, d[d$role == labs[b], ], unlist(rel[b, names(CMAP)]),
                                 unlist(alp[b, names(CMAP)]), b)
}
cases$groups <- list(data = "data/groups_missing_1200.csv", group = "role", group_labels = labs,
                     converged = lavInspect(fit, "converged"), chisq = unname(fitMeasures(fit, "chisq")),
                     nobs = lavInspect(fit, "nobs"), blocks = blocks)
out <- list(versions = list(lavaan = as.character(packageVersion("lavaan")),
                            semTools = as.character(packageVersion("semTools"))),
            model = MODEL, constructs = CMAP, cases = cases)
write_json(out, file.path(HERE, "json", "omega_missing.json"), auto_unbox = TRUE, digits = NA, null = "null",
           pretty = TRUE)
cat("wrote", file.path(HERE, "json", "omega_missing.json"), "\n")
