# lavaan 0.6.14 reference fits of models with observed exogenous covariates (lavaan's ov.x, "control variables")
# for tests/sem/test_fixedx_lavaan.py.
#
#   Rscript tests/sem/fixedx_refs/make_fixedx_refs.R
#
# Writes fixedx_refs.json next to this script: for every case, fitMeasures() and the free parameters' est/se.
# Cases: ML and MLR, missing = "listwise" (complete data) and "ml" (FIML, on complete and on incomplete data),
# fixed.x = TRUE and FALSE, one group and two groups, on
#   hs:    HolzingerSwineford1939 (tests/reference/data/hs1939.csv, hs1939_missing.csv), covariates ageyr, sex;
#          two groups = school
#   and information = "expected" with FIML (HS incomplete, this model and the 3-factor CFA, ML and MLR, 1-2 groups)
#   study: the study's simulated respondents (tests/reference/data/complete_800.csv, missing_800.csv) with the
#          control variable ent = (role == "enterprise"), a 0/1 covariate; one group
# lavaan's default convergence (nlminb rel.tol 1e-10: tighter settings make nlminb report non-convergence).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
REFDATA <- file.path(HERE, "..", "..", "reference", "data")
hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~ ageyr + sex
textual ~ visual + ageyr"
study_model <- "GOV =~ GOV1 + GOV2 + GOV3 + GOV4
MKT =~ MKT1 + MKT2 + MKT3 + MKT4
COL =~ COL1 + COL2 + COL3 + COL4
INT =~ INT1 + INT2 + INT3 + INT4
COL ~ GOV + MKT + ent
INT ~ COL + ent"
data <- list(hs_complete = read.csv(file.path(REFDATA, "hs1939.csv")),
             hs_missing = read.csv(file.path(REFDATA, "hs1939_missing.csv")),
             study_complete = read.csv(file.path(REFDATA, "complete_800.csv")),
             study_missing = read.csv(file.path(REFDATA, "missing_800.csv")))
for (k in c("study_complete", "study_missing")) data[[k]]$ent <- as.integer(data[[k]]$role == "enterprise")
cases <- list()
for (src in c("hs", "study")) for (est in c("ML", "MLR")) for (fx in c(TRUE, FALSE))
  for (dm in c("complete_listwise", "complete_ml", "missing_ml")) for (grp in c(FALSE, TRUE)) {
    if (src == "study" && grp) next
    name <- sprintf("%s_%s_%s_%s_%s", src, est, dm, if (fx) "fx" else "nofx", if (grp) "g2" else "g1")
    cases[[name]] <- list(data = paste0(src, "_", sub("_.*", "", dm)), missing = sub(".*_", "", dm),
                          estimator = est, fixed_x = fx, group = if (grp) "school" else NULL,
                          model = if (src == "hs") hs_model else study_model)
  }
# information = "expected" with FIML (lavaan's h1 side of the robust statistics then differs): HS, incomplete data
for (est in c("ML", "MLR")) for (grp in c(FALSE, TRUE)) for (mod in c("hs", "cfa")) {
  name <- sprintf("%s_%s_missing_ml_expected_%s", mod, est, if (grp) "g2" else "g1")
  cases[[name]] <- list(data = "hs_missing", missing = "ml", estimator = est, fixed_x = TRUE,
                        group = if (grp) "school" else NULL, information = "expected",
                        model = if (mod == "hs") hs_model else "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9")
}
out <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  args <- list(model = cs$model, data = data[[cs$data]], estimator = cs$estimator, missing = cs$missing,
               fixed.x = cs$fixed_x)
  if (!is.null(cs$group)) args$group <- cs$group
  if (!is.null(cs$information)) args$information <- cs$information
  fit <- do.call("sem", args)
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op != ":=" & (is.na(pe$se) | pe$se > 0), ]
  if (is.null(pe$group)) pe$group <- 1L
  out[[name]] <- list(data = cs$data, missing = cs$missing, estimator = cs$estimator, fixed_x = cs$fixed_x,
                      group = cs$group, information = cs$information, model = cs$model,
                      pe = pe[, c("lhs", "op", "rhs", "group", "est", "se")],
                      fit = as.list(fitMeasures(fit)), nobs = lavInspect(fit, "ntotal"))
  cat(name, fitMeasures(fit, c("chisq", "baseline.chisq", "baseline.df", "logl", "cfi")), "\n")
}
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, pretty = FALSE),
           file.path(HERE, "fixedx_refs.json"))
