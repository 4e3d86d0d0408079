# lavaan 0.6.14 references for fits whose packed start values imply a Sigma that is not positive definite
# (tests/sem/test_step_out.py; stress cases of session 17).  lavaan's objective counts 1e20 there (so the
# start.x / 10 of lav_model_estimate never happens), its gradient uses MASS::ginv(Sigma) (warning
# "lav_model_gradient: Sigma.hat is not positive definite"), and nlminb's first step walks out.
# "partrace" keeps the objective at the first two evaluations (Inf at the start) to show it.
#
#   Rscript tests/sem/stepout_refs/make_stepout_ref.R      -> stepout.json
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
cases <- list(
  s1_112 = list(fun = "cfa", opts = list(meanstructure = TRUE),
                model = "F1 =~ b*x5 + x8 + c1*x1\nf.2 =~ 0.4?x2 + x4 + x6\nf.2 ~ -0.3*F1\nF1 ~ grade + a*ageyr\nx2 ~ ageyr\nx6 ~~ x2\nx4 ~~ 0*x8\nF1 ~~ c1*f.2\nx6 ~~ a*x6\na + b == 1")
)
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  warns <- character(0)
  f <- withCallingHandlers(do.call(cs$fun, c(list(model = cs$model, data = d, optim.partrace = TRUE), cs$opts)),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  pe <- parameterEstimates(f)
  out[[nm]] <- list(fun = cs$fun, model = cs$model, options = cs$opts, warnings = warns,
                    converged = lavInspect(f, "converged"),
                    first_objectives = f@optim$partrace[1:3, 1],
                    fit = as.list(fitMeasures(f, c("npar", "fmin", "chisq", "df", "logl"))),
                    est = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se))
}
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "stepout.json"))
