# References for tests/sem/test_boundary_se.py: a CFA plus an equal-loading method factor whose loading m is
# estimated at its bound 0 (data.csv from make_data.py), under FIML (lavaan's default observed information) and
# on the complete rows with information = "observed".  Run: Rscript make_refs.R  (lavaan 0.6.14) -> refs.json
library(lavaan)
library(jsonlite)
d <- read.csv("data.csv")
model <- "A =~ a1 + a2 + a3
B =~ b1 + b2 + b3
C =~ c1 + c2 + c3
METHOD =~ NA*a1 + m*a1 + m*a2 + m*a3 + m*b1 + m*b2 + m*b3 + m*c1 + m*c2 + m*c3
METHOD ~~ 1*METHOD
METHOD ~~ 0*A + 0*B + 0*C"
one <- function(fit) {
  pe <- parameterEstimates(fit)
  list(estimates = pe[, c("lhs", "op", "rhs", "label", "est", "se")],
       fit = as.list(unclass(fitMeasures(fit, c("chisq", "df", "cfi", "cfi.robust", "rmsea.robust")))),
       m = unname(coef(fit)["m"]),
       warnings = "")
}
out <- list(
  fiml = one(cfa(model, d, missing = "fiml")),
  observed = one(cfa(model, d[complete.cases(d), ], information = "observed")),
  model = model, lavaan = as.character(packageVersion("lavaan")))
write(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "refs.json")
