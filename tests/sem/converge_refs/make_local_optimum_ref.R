# lavaan 0.6.14 reference for a fit with two local optima from the same start values (audit s23 syntaxaudit A4;
# tests/sem/test_local_optimum.py): the scoring path reached a negative factor variance at a higher minimum,
# lavaan's nlminb path (and the package's quasi-Newton path) the proper, lower one.
#
#   Rscript tests/sem/converge_refs/make_local_optimum_ref.R      -> local_optimum.json
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
model <- "visual =~ x7 + c.1*x5 + NA*x9 + NA*x2\nvisual ~ -0.2*grade\nx2 ~~ b*x7\nx5 ~~ x7\nx9 ~ 1"
f <- sem(model, d)
pe <- parameterEstimates(f)
out <- list(model = model, nobs = lavInspect(f, "nobs"), converged = lavInspect(f, "converged"),
            fit = as.list(fitMeasures(f, c("chisq", "df", "logl", "cfi", "rmsea"))),
            est = pe[, c("lhs", "op", "rhs", "est", "se")])
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "local_optimum.json"))
