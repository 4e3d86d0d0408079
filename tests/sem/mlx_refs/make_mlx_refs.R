# lavaan 0.6.14 references for missing = "ml.x" (FIML that keeps the rows missing an exogenous covariate)
# for tests/sem/test_mlx.py.
#
#   Rscript tests/sem/mlx_refs/make_mlx_refs.R
#
# Writes, next to this script:
#   pd_mlx.csv    PoliticalDemocracy y1..y4, x1, x2: 10 values of x1 and 8 of y1 removed (set.seed(15))
#   pd_mlx2.csv   pd_mlx.csv and 7 values of x2 removed in rows where x1 is observed, 6 of y3 (set.seed(16)):
#                 two covariates missing in different rows
#   hs_mlx.csv    HolzingerSwineford1939 school, x1..x6, ageyr, grade (its own NA): 20 values of ageyr and 8 %
#                 of x1..x6 removed (set.seed(17)); two groups
#   mlx_refs.json per case: nobs, norig, npatterns, warnings, fitMeasures, parameterEstimates (lhs op rhs group
#                 est se), the EM (h1) moments of the covariates; "pd_ml" the same data with missing = "ml"
#                 (rows missing x1 deleted); "pd_boot": se = "bootstrap" (R = 1000, iseed = 2026) of pd_ml.x;
#                 "pd_mi": modindices(); "pd_resid": lavResiduals(se = TRUE) cov / mean / summary
# Deterministic except pd_boot (a bootstrap: compared within Monte Carlo tolerance).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- PoliticalDemocracy[, c(paste0("y", 1:4), "x1", "x2")]
set.seed(15); d$x1[sample(75, 10)] <- NA; d$y1[sample(75, 8)] <- NA
write.csv(d, file.path(HERE, "pd_mlx.csv"), row.names = FALSE, na = "")
d2 <- d
set.seed(16); d2$x2[sample(which(!is.na(d2$x1)), 7)] <- NA; d2$y3[sample(75, 6)] <- NA
write.csv(d2, file.path(HERE, "pd_mlx2.csv"), row.names = FALSE, na = "")
h <- HolzingerSwineford1939[, c("school", paste0("x", 1:6), "ageyr", "grade")]
set.seed(17); h$ageyr[sample(nrow(h), 20)] <- NA
for (v in paste0("x", 1:6)) h[[v]][runif(nrow(h)) < .08] <- NA
write.csv(h, file.path(HERE, "hs_mlx.csv"), row.names = FALSE, na = "")
pd <- read.csv(file.path(HERE, "pd_mlx.csv")); pd2 <- read.csv(file.path(HERE, "pd_mlx2.csv"))
hs <- read.csv(file.path(HERE, "hs_mlx.csv"))
PD_MODEL <- "dem60 =~ y1 + y2 + y3 + y4\n dem60 ~ x1 + x2"
HS_MODEL <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n visual ~ ageyr\n textual ~ ageyr + grade"

fit_with_warnings <- function(expr) {
  w <- character(0)
  f <- withCallingHandlers(expr, warning = function(c) {
    w <<- c(w, trimws(gsub("\\s+", " ", conditionMessage(c)))); invokeRestart("muffleWarning") })
  list(fit = f, warnings = w)
}
pe_list <- function(fit) {
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- 1L
  list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group, est = pe$est, se = pe$se)
}
one <- function(model, data, ...) {
  r <- fit_with_warnings(sem(model, data = data, ...))
  f <- r$fit
  h1 <- lavInspect(f, "sampstat.h1", drop.list.single.group = FALSE)
  xs <- lavNames(f, "ov.x")
  list(nobs = as.list(lavInspect(f, "nobs")), norig = as.list(lavInspect(f, "norig")),
       npatterns = as.list(sapply(lavInspect(f, "patterns", drop.list.single.group = FALSE), nrow)),
       warnings = r$warnings, missing = lavInspect(f, "options")$missing,
       fm = as.list(fitMeasures(f)), pe = pe_list(f),
       h1_x = lapply(h1, function(s) list(names = xs, cov = unname(s$cov[xs, xs, drop = FALSE]),
                                           mean = unname(s$mean[xs]))))
}
out <- list()
out$pd_ml.x <- one(PD_MODEL, pd, missing = "ml.x")
out$pd_mlr <- one(PD_MODEL, pd, missing = "ml.x", estimator = "MLR")
out$pd_ml <- one(PD_MODEL, pd, missing = "ml")
out$pd_fiml.x <- one(PD_MODEL, pd, missing = "fiml.x")          # alias
out$pd2_ml.x <- one(PD_MODEL, pd2, missing = "ml.x")
out$pd2_mlr <- one(PD_MODEL, pd2, missing = "ml.x", estimator = "MLR")
out$pd_fx_false <- one(PD_MODEL, pd, missing = "ml.x", fixed.x = FALSE)
out$hs_ml.x <- one(HS_MODEL, hs, missing = "ml.x", group = "school")
out$hs_mlr <- one(HS_MODEL, hs, missing = "ml.x", group = "school", estimator = "MLR")
out$hs_ml.x_loadings <- one(HS_MODEL, hs, missing = "ml.x", group = "school", group.equal = "loadings")

fit <- sem(PD_MODEL, data = pd, missing = "ml.x")
fb <- sem(PD_MODEL, data = pd, missing = "ml.x", se = "bootstrap", bootstrap = 1000L, iseed = 2026L)
out$pd_boot <- list(R = 1000L, pe = pe_list(fb))
m <- as.data.frame(modindices(fit)); rownames(m) <- NULL
out$pd_mi <- as.list(m[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")])
lr <- lavResiduals(fit, se = TRUE)
out$pd_resid <- list(cov = unname(lr$cov), mean = unname(lr$mean), cov.se = unname(lr$cov.se),
                     summary = lapply(as.data.frame(lr$summary), unname), summary_rows = rownames(lr$summary))
fit0 <- sem("dem60 =~ y1 + y2 + y3 + y4\n dem60 ~ x1 + 0*x2", data = pd, missing = "ml.x")
t <- as.data.frame(lavTestLRT(fit, fit0))
out$pd_lrt <- list(chisq_diff = t[["Chisq diff"]][2], df_diff = t[["Df diff"]][2], p = t[["Pr(>Chisq)"]][2])
fr <- sem(PD_MODEL, data = pd, missing = "ml.x", estimator = "MLR")
fr0 <- sem("dem60 =~ y1 + y2 + y3 + y4\n dem60 ~ x1 + 0*x2", data = pd, missing = "ml.x", estimator = "MLR")
t <- as.data.frame(lavTestLRT(fr, fr0))
out$pd_lrt_mlr <- list(chisq_diff = t[["Chisq diff"]][2], df_diff = t[["Df diff"]][2], p = t[["Pr(>Chisq)"]][2])
write_json(out, file.path(HERE, "mlx_refs.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
