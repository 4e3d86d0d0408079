# lavaan 0.6.14 reference of `iur-survey fit --group role --equal regressions --free 'COL ~ GOV'` on the demo data:
# the default model with shared labels except COL ~ GOV, labelled per group (c(a1.g1, ..., a1.g4)), and its
# effects per group (ind_GOV.g1 := a1.g1*b, ...), with group.equal = "regressions": every path equal across
# groups but COL ~ GOV (a label given per group overrides group.equal, lavaan's rule).
#   free_gov.json   the structural paths and := effects (lhs op rhs group label est se std.all) and fit measures
# Model: model_equal_free_gov.lav (what `fit --print-model` prints for those options).
# Run from the repository root:  Rscript tests/sem/multigroup_default/make_free_path_refs.R
library(lavaan)
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
dir <- "tests/sem/multigroup_default"
d <- read.csv(file.path(dir, "demo_clean.csv"))
model <- paste(readLines(file.path(dir, "model_equal_free_gov.lav")), collapse = "\n")
fit <- sem(model, data = d, group = "role", missing = "ml", group.equal = "regressions")
pe <- parameterEstimates(fit, standardized = TRUE)
pe$group <- ifelse(pe$group > 0, lavInspect(fit, "group.label")[pmax(pe$group, 1)], "")
keep <- pe$op %in% c("~", ":=")
out <- list(lavaan = as.character(packageVersion("lavaan")), group_labels = lavInspect(fit, "group.label"),
            estimates = pe[keep, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.all")],
            fit = as.list(fitMeasures(fit, c("npar", "chisq", "df", "cfi", "rmsea"))))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), file.path(dir, "free_gov.json"))
