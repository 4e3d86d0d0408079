# lavaan 0.6.14 references for fitMeasures() and the summary's test block at the edges of the degrees of freedom,
# for tests/sem/test_fit_edge_df.py.
#
#   Rscript tests/sem/fitedge_refs/make_fitedge_refs.R
#
# Writes, next to this script:
#   hs_edge.csv       HolzingerSwineford1939 school, x1..x4 (complete)
#   hs_edge_miss.csv  the same with 12 % of x1..x4 removed at random and rows 1-2 empty (set.seed(2416))
#   pd_edge.csv       PoliticalDemocracy y1..y4, x1, x2 (complete)
#   fitedge_refs.json per case: df, fitMeasures() (null when lavaan's fitMeasures() stops, as it does for a
#                     scaled test with df < 0), the test statistic, and the lines of the summary's
#                     "Model Test User Model:" block (with the per-group statistics of a multi-group fit)
# Cases: df < 0 (ML, two groups, FIML, MLR), df = 0 (ML, MLR, MLR with two groups, MLR with fixed.x covariates,
# FIML, FIML + MLR).  Deterministic.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
h <- HolzingerSwineford1939[, c("school", paste0("x", 1:4))]
write.csv(h, file.path(HERE, "hs_edge.csv"), row.names = FALSE)
set.seed(2416)
hm <- h
for (v in paste0("x", 1:4)) hm[[v]][runif(nrow(hm)) < .12] <- NA
hm[1:2, paste0("x", 1:4)] <- NA
write.csv(hm, file.path(HERE, "hs_edge_miss.csv"), row.names = FALSE, na = "")
write.csv(PoliticalDemocracy[, c(paste0("y", 1:4), "x1", "x2")], file.path(HERE, "pd_edge.csv"), row.names = FALSE)
hs <- read.csv(file.path(HERE, "hs_edge.csv")); hsm <- read.csv(file.path(HERE, "hs_edge_miss.csv"))
pd <- read.csv(file.path(HERE, "pd_edge.csv"))

NEG <- "F =~ x1 + x2\n x1 ~~ x2"
SAT <- "F =~ x1 + x2 + x3"
PATH <- "y1 ~ y2 + y3\n y4 ~ y1 + y2 + y3"
cases <- list(
  dfneg_ml = list(NEG, hs), dfneg_groups = list(NEG, hs, group = "school"),
  dfneg_fiml = list(NEG, hsm, missing = "ml"), dfneg_mlr = list(NEG, hs, estimator = "MLR"),
  df0_ml = list(SAT, hs), df0_mlr = list(PATH, pd, estimator = "MLR"),
  df0_mlr_groups = list("x1 ~ x2 + x3\n x4 ~ x1 + x2 + x3", hs, group = "school", estimator = "MLR"),
  df0_mlr_fixedx = list("y1 ~ x1 + x2", pd, estimator = "MLR"),
  df0_fiml = list(SAT, hsm, missing = "ml"), df0_fiml_mlr = list(SAT, hsm, missing = "ml", estimator = "MLR"))
args_of <- list(dfneg_ml = list(), dfneg_groups = list(group = "school"), dfneg_fiml = list(missing = "ml"),
                dfneg_mlr = list(estimator = "MLR"), df0_ml = list(), df0_mlr = list(estimator = "MLR"),
                df0_mlr_groups = list(group = "school", estimator = "MLR"), df0_mlr_fixedx = list(estimator = "MLR"),
                df0_fiml = list(missing = "ml"), df0_fiml_mlr = list(missing = "ml", estimator = "MLR"))
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  fit <- suppressWarnings(do.call("sem", c(list(model = cs[[1]], data = cs[[2]]), args_of[[nm]])))
  fm <- tryCatch(suppressWarnings(fitMeasures(fit)), error = function(e) NULL)
  txt <- capture.output(summary(fit))
  i <- which(txt == "Model Test User Model:")
  blk <- character(0)
  for (l in txt[(i + 1):length(txt)]) {
    if (!nzchar(trimws(l)) && length(blk)) break
    if (nzchar(trimws(l))) blk <- c(blk, trimws(gsub("\\s+", " ", l)))
  }
  out[[nm]] <- list(model = cs[[1]], options = args_of[[nm]], df = fit@test[[1]]$df,
                    stat = fit@test[[1]]$stat, converged = lavInspect(fit, "converged"),
                    fm = if (is.null(fm)) NULL else as.list(unclass(fm)), test_block = blk)
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE),
           file.path(HERE, "fitedge_refs.json"))
