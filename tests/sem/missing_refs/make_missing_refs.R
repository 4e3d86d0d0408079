# lavaan 0.6.14 references for tests/sem/test_missing_robust.py: where the robust statistics of a FIML fit fail,
# robust SEs with estimator ML, and what lavaan reports about the rows (norig, nobs, patterns, empty rows).
#
#   Rscript tests/sem/missing_refs/make_missing_refs.R
#
# Writes, next to this script:
#   smallgrp.csv   HolzingerSwineford1939: all 156 Pasteur rows and the first 30 Grant-White rows, 20 % MCAR
#                  cells (set.seed(4)); the Grant-White group has 30 rows for 54 saturated moments
#   hs_empty.csv   HolzingerSwineford1939 (301 rows), 15 % MCAR cells (set.seed(7)) and rows 33, 62, 166, 207
#                  empty (no value on x1..x9)
#   missing_refs.json
#     small_ml / small_mlr   fits of the 3-factor CFA by school (missing = "ml"): est, se, fitMeasures, warnings
#     small_a1               the unstructured information A1 and first-order B1 of group 2 (MLR fit):
#                            rcond(A1), trace(B1 solve(A1)) and the same trace after relative perturbations of
#                            A1 of 1e-14 (three seeds): how far rounding alone moves lavaan's chisq.scaled
#     robse / robse_grp      se = "robust.huber.white" with estimator ML and missing = "ml" (one group, by school)
#     robse_lw               the same with missing = "listwise" (lavaan then uses the observed information)
#     empty_grp / empty_one  hs_empty.csv, MLR, by school and in one group: norig, nobs, npatterns,
#                            empty.idx, warnings, fitMeasures and the summary(fit.measures = TRUE) text
# Deterministic (seeded deletions only).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
xs <- paste0("x", 1:9)
m <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"

set.seed(4)
d <- HolzingerSwineford1939[, c("school", xs)]
gw <- which(d$school == "Grant-White"); d <- d[c(which(d$school == "Pasteur"), gw[1:30]), ]
for (v in xs) d[[v]][runif(nrow(d)) < .2] <- NA
write.csv(d, file.path(HERE, "smallgrp.csv"), row.names = FALSE, na = "")
small <- read.csv(file.path(HERE, "smallgrp.csv"))

set.seed(7)
e <- HolzingerSwineford1939[, c("school", xs)]
for (v in xs) e[[v]][runif(nrow(e)) < .15] <- NA
e[c(33, 62, 166, 207), xs] <- NA
write.csv(e, file.path(HERE, "hs_empty.csv"), row.names = FALSE, na = "")
hse <- read.csv(file.path(HERE, "hs_empty.csv"))
hs15 <- read.csv(file.path(HERE, "..", "likelihood_refs", "hs_missing15.csv"))

fit_with_warnings <- function(expr) {
  w <- character(0)
  f <- withCallingHandlers(expr, warning = function(c) {
    w <<- c(w, trimws(gsub("\\s+", " ", conditionMessage(c)))); invokeRestart("muffleWarning") })
  list(fit = f, warnings = w)
}
fm_with_warnings <- function(f) {
  w <- character(0)
  fm <- withCallingHandlers(fitMeasures(f), warning = function(c) {
    w <<- c(w, trimws(gsub("\\s+", " ", conditionMessage(c)))); invokeRestart("muffleWarning") })
  list(fm = as.list(fm), warnings = w)
}
pe_of <- function(f) {
  pe <- parameterEstimates(f)
  list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group,
       est = pe$est, se = pe$se)
}
out <- list()
for (est in c("ML", "MLR")) {
  r <- fit_with_warnings(sem(m, small, missing = "ml", estimator = est, group = "school"))
  fw <- fm_with_warnings(r$fit)
  out[[paste0("small_", tolower(est))]] <- list(pe = pe_of(r$fit), fm = fw$fm, warnings = r$warnings,
                                                 fm_warnings = fw$warnings)
  if (est == "MLR") fit_small <- r$fit
}
f <- fit_small
opt <- f@Options; opt$h1.information <- "unstructured"
A1 <- lavaan:::lav_model_h1_information(lavmodel = f@Model, lavsamplestats = f@SampleStats, lavdata = f@Data,
                                        lavimplied = f@implied, lavh1 = f@h1, lavoptions = opt)[[2]]
B1 <- lavaan:::lav_model_h1_information_firstorder(lavmodel = f@Model, lavsamplestats = f@SampleStats,
                                                   lavdata = f@Data, lavimplied = f@implied, lavh1 = f@h1,
                                                   lavoptions = opt)[[2]]
perturbed <- sapply(1:3, function(s) {
  set.seed(s); P <- A1 * (1 + 1e-14 * matrix(rnorm(length(A1)), nrow(A1))); P <- (P + t(P)) / 2
  sum(B1 * t(solve(P)))
})
out$small_a1 <- list(rcond = rcond(A1), trace = sum(B1 * t(solve(A1))), trace_perturbed_1e14 = perturbed,
                     min_eigen_em_cov = min(eigen(lavTech(f, "h1")[[2]]$cov)$values))

r <- fit_with_warnings(sem(m, hs15, missing = "ml", se = "robust.huber.white"))
out$robse <- list(pe = pe_of(r$fit), fm = as.list(fitMeasures(r$fit)), warnings = r$warnings)
r <- fit_with_warnings(sem(m, small, missing = "ml", se = "robust.huber.white", group = "school"))
out$robse_grp <- list(pe = pe_of(r$fit), warnings = r$warnings)
r <- fit_with_warnings(sem(m, hs15, missing = "listwise", se = "robust.huber.white"))
out$robse_lw <- list(pe = pe_of(r$fit), warnings = r$warnings, information = lavInspect(r$fit, "options")$information)

for (g in c("grp", "one")) {
  r <- fit_with_warnings(if (g == "grp") sem(m, hse, missing = "ml", estimator = "MLR", group = "school")
                         else sem(m, hse, missing = "ml", estimator = "MLR"))
  f <- r$fit
  out[[paste0("empty_", g)]] <- list(
    norig = lavInspect(f, "norig"), nobs = lavInspect(f, "nobs"), ntotal = lavInspect(f, "ntotal"),
    npatterns = sapply(lavInspect(f, "patterns", drop.list.single.group = FALSE), nrow),
    empty_idx = lavInspect(f, "empty.idx", drop.list.single.group = FALSE),
    warnings = r$warnings, fm = as.list(fitMeasures(f)),
    summary = capture.output(summary(f, fit.measures = TRUE)))
}
write_json(out, file.path(HERE, "missing_refs.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
