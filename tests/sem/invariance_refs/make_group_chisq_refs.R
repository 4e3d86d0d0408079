# lavaan 0.6.14 / semTools 0.5-6 references for each group's part of the test statistic of every step of the
# measurement-invariance sequence (tests/sem/test_invariance_group_chisq.py): lavaan's fit@test[[k]]$stat.group
# (what lavInspect(fit, "test") and summary()'s "Test statistic for each group:" give), per test of the fit.
#
#   Rscript tests/sem/invariance_refs/make_group_chisq_refs.R
#
# Cases (HolzingerSwineford1939, group = "school", the three-factor CFA):
#   ml, mlr: cfa(..., group.equal = <step>) for configural, metric (loadings), scalar (+ intercepts), strict
#            (+ residuals); MLR's scaled test is "yuan.bentler.mplus" (stat.group = standard / scaling factor);
#   wlsmv:   x1-x9 cut at their quartiles (../groupsum_refs/hs1939_ordered4.csv), the Wu & Estabrook (2016)
#            steps as semTools' measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
#            parameterization = "delta") writes them, fitted by cfa(..., estimator = "WLSMV",
#            missing = "pairwise"); its scaled test is "scaled.shifted" (stat.group = standard * a + n_g/N * shift).
# Writes group_chisq_refs.json next to this script: case -> step -> {group_label, nobs, df, tests: {name: {stat,
# stat.group, df, scaling.factor, shift.parameter}}}.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"), stringsAsFactors = FALSE)
ho <- read.csv(file.path(HERE, "..", "groupsum_refs", "hs1939_ordered4.csv"), stringsAsFactors = FALSE)
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
items <- paste0("x", 1:9)
ML_STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
                 strict = c("loadings", "intercepts", "residuals"))
WE_STEPS <- list(configural = "configural", thresholds = "thresholds",
                 thresholds_loadings = c("thresholds", "loadings"),
                 thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
KEEP <- c("test", "stat", "stat.group", "df", "scaling.factor", "shift.parameter")
record <- function(f) {
  tests <- lapply(f@test, function(t) lapply(t[intersect(names(t), KEEP)], function(x) { attributes(x) <- NULL; x }))
  names(tests) <- sapply(f@test, function(t) t$test)
  list(converged = lavInspect(f, "converged"), group_label = lavInspect(f, "group.label"),
       nobs = unlist(lavInspect(f, "nobs")), df = unname(fitMeasures(f, "df")),
       chisq = unname(fitMeasures(f, "chisq")), tests = tests)
}
refs <- list()
for (est in c("ML", "MLR")) {
  out <- list()
  for (s in names(ML_STEPS)) {
    f <- cfa(m, hs, group = "school", estimator = est, group.equal = ML_STEPS[[s]])
    out[[s]] <- record(f)
  }
  refs[[tolower(est)]] <- out
}
out <- list()
for (s in names(WE_STEPS)) {
  syn <- as.character(suppressMessages(measEq.syntax(configural.model = m, data = ho, ordered = items,
                                                     parameterization = "delta", ID.fac = "std.lv",
                                                     ID.cat = "Wu.Estabrook.2016", group = "school",
                                                     group.equal = WE_STEPS[[s]], missing = "pairwise")))
  f <- cfa(syn, ho, group = "school", ordered = items, estimator = "WLSMV", missing = "pairwise",
           parameterization = "delta")
  out[[s]] <- record(f)
}
refs$wlsmv <- out
write_json(refs, file.path(HERE, "group_chisq_refs.json"), digits = NA, auto_unbox = TRUE, na = "null",
           pretty = TRUE)
cat("done\n")
