# Regenerate the lavaan 0.6.14 fixtures of tests/sem:
#   lavaan_partables.json   parTable() of the models in tests/sem/fixtures/partable_models.json
#                           (sem(..., do.fit = FALSE) on tests/reference/data/groups_1200.csv)
#   lavaan_fits.json        full fits of the single-group models on complete_800.csv
#   lavaan_constraints.json linear equality constraints (ML, FIML, MLR)
# Run from the repository root:  Rscript tests/sem/make_fixtures.R
library(lavaan)
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
models <- fromJSON("tests/sem/fixtures/partable_models.json", simplifyVector = FALSE)
d <- read.csv("tests/reference/data/groups_1200.csv")
out <- list()
for (name in names(models)) {
  m <- models[[name]]
  args <- c(list(model = m$model, data = d, do.fit = FALSE), lapply(m$options, function(x) if (is.list(x)) unlist(x) else x))
  fit <- do.call("sem", args)
  pt <- parTable(fit)
  out[[name]] <- list(partable = pt[, c("id", "lhs", "op", "rhs", "user", "block", "group", "free", "ustart", "exo",
                                        "label", "plabel")],
                      group_labels = lavInspect(fit, "group.label"),
                      npar = lavaan:::lav_utils_get_npar(fit))
}
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, pretty = FALSE),
           "tests/sem/fixtures/lavaan_partables.json")

# Full fits of the single-group models on tests/reference/data/complete_800.csv ->
# tests/sem/fixtures/lavaan_fits.json (parameterEstimates(standardized = TRUE), fitMeasures(), r2).
d8 <- read.csv("tests/reference/data/complete_800.csv")
fits <- list()
for (name in names(models)) {
  m <- models[[name]]
  if (name == "default" || !is.null(m$options$group)) next
  args <- c(list(model = m$model, data = d8), lapply(m$options, function(x) if (is.list(x)) unlist(x) else x))
  fit <- do.call("sem", args)
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  fits[[name]] <- list(converged = lavInspect(fit, "converged"),
                       estimates = pe, fit = as.list(fitMeasures(fit)), r2 = as.list(lavInspect(fit, "r2")),
                       warnings = NULL)
}
writeLines(toJSON(fits, digits = NA, na = "null", auto_unbox = TRUE, pretty = FALSE),
           "tests/sem/fixtures/lavaan_fits.json")

# Linear equality constraints (reparametrised on our side) -> tests/sem/fixtures/lavaan_constraints.json
con_model <- paste(c("GOV =~ GOV1 + GOV2 + GOV3 + GOV4", "MKT =~ MKT1 + MKT2 + MKT3 + MKT4",
                     "COL =~ COL1 + COL2 + COL3 + COL4", "COL ~ a1*GOV + a2*MKT", "a1 == 2*a2",
                     "GOV1 ~~ e*GOV2", "e == 0.01", "ind := a1*a2"), collapse = "\n")
cases <- list(ml = list(data = "complete_800", missing = "listwise", estimator = "ML"),
              fiml = list(data = "missing_800", missing = "ml", estimator = "ML"),
              mlr = list(data = "complete_800", missing = "listwise", estimator = "MLR"))
cons <- list(model = con_model)
for (k in names(cases)) {
  cs <- cases[[k]]
  dd <- read.csv(file.path("tests/reference/data", paste0(cs$data, ".csv")))
  fit <- sem(con_model, dd, missing = cs$missing, estimator = cs$estimator)
  cons[[k]] <- list(data = cs$data, missing = cs$missing, estimator = cs$estimator,
                    estimates = parameterEstimates(fit, standardized = TRUE), fit = as.list(fitMeasures(fit)))
}
writeLines(toJSON(cons, digits = NA, na = "null", auto_unbox = TRUE, pretty = FALSE),
           "tests/sem/fixtures/lavaan_constraints.json")
