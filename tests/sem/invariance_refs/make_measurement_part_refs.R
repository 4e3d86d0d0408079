# The invariance steps of a two-factor measurement model across three regions, lavaan 0.6.14 (semTools-style
# sequence: configural, metric, scalar, strict) and lavTestLRT's differences.  The package's
# measurement_invariance() of a FULL model (regressions, explicit variances of y and x, ';' separators or an
# =~ statement continued on the next line) reduces it to this measurement model, so it must give these numbers.
# Data: regions_510.csv (simulated: 3 groups of 90/160/260, a non-invariant loading and intercept).
# Run from the repository root:
#   Rscript tests/sem/invariance_refs/make_measurement_part_refs.R > tests/sem/invariance_refs/make_measurement_part_refs.Rout
suppressMessages({library(lavaan); library(jsonlite)})
d <- read.csv("tests/sem/invariance_refs/regions_510.csv")
m <- "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2 + b3 + b4"
S <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
          strict = c("loadings", "intercepts", "residuals"))
F <- lapply(S, function(ge) cfa(m, d, group = "region", group.equal = ge))
k <- c("npar", "chisq", "df", "cfi", "rmsea", "srmr")
fm <- t(sapply(F, fitMeasures, k))
l <- do.call(lavTestLRT, c(unname(F), list(model.names = names(S))))
print(lavInspect(F[[1]], "group.label")); print(round(fm, 6)); print(l)
write_json(list(lavaan = as.character(packageVersion("lavaan")), model = m, groups = lavInspect(F[[1]], "group.label"),
                steps = names(S), fit = as.data.frame(fm),
                chisq_diff = unname(l[["Chisq diff"]]), df_diff = unname(l[["Df diff"]]), p_diff = unname(l[["Pr(>Chisq)"]])),
           "tests/sem/invariance_refs/measurement_part_refs.json", digits = NA, na = "null")
