# lavaan 0.6.14 reference of the default model fitted by group (role) on the demo data:
#   free.json   the default model with group-specific labels (iur-survey fit --group role)
#   equal.json  the default model with shared labels + group.equal = "regressions" (--equal regressions)
#   shared.json the default model with shared labels only (what `fit --group` did before: paths equal)
#   free_gov.json  `--equal regressions --free 'COL ~ GOV'`: the shared labels except COL ~ GOV, labelled per group
#               (c(a1.g1, ..., a1.g4)), and its effects per group (ind_GOV.g1 := a1.g1*b, ...), with group.equal =
#               "regressions": every path equal across groups but COL ~ GOV (a label given per group overrides
#               group.equal, lavaan's rule); model_equal_free_gov.lav is what `fit --print-model` prints for it
# Data: tests/sem/multigroup_default/demo_clean.csv = `iur-survey clean data/demo/export.csv` without ids.
# Run from the repository root:  Rscript tests/sem/multigroup_default/make_refs.R
library(lavaan)
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
dir <- "tests/sem/multigroup_default"
d <- read.csv(file.path(dir, "demo_clean.csv"))
free <- paste(readLines(file.path(dir, "model_free.lav")), collapse = "\n")
shared <- paste(readLines(file.path(dir, "model_equal.lav")), collapse = "\n")
cases <- list(free = list(model = free, group.equal = ""),
              equal = list(model = shared, group.equal = "regressions"),
              shared = list(model = shared, group.equal = ""),
              free_gov = list(model = paste(readLines(file.path(dir, "model_equal_free_gov.lav")), collapse = "\n"),
                              group.equal = "regressions"))
for (name in names(cases)) {
  cs <- cases[[name]]
  fit <- sem(cs$model, data = d, group = "role", missing = "ml", group.equal = cs$group.equal)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe$group <- ifelse(pe$group > 0, lavInspect(fit, "group.label")[pmax(pe$group, 1)], "")
  keep <- pe$op %in% c("~", ":=")
  out <- list(lavaan = as.character(packageVersion("lavaan")), group_labels = lavInspect(fit, "group.label"),
              estimates = pe[keep, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.all")],
              fit = as.list(fitMeasures(fit, c("npar", "chisq", "df", "cfi", "rmsea"))))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), file.path(dir, paste0(name, ".json")))
}
