# lavaan 0.6.14 references for two stress fits of session 17 that lavaan converges and ours did not
# (tests/sem/test_nlminb_path.py).
#
# s1_0 (HolzingerSwineford1939): lavaan's first attempt (nlminb from its start values) does not converge;
# lavaan() then tries optim.parscale = "standardized", then start = "simple" (its third attempt), which
# converges.  Recorded: the fit with optim.attempts = 1 (not converged: "the optimizer (NLMINB) claimed the
# model converged, but not all elements of the gradient are (near) zero"), and the default fit (converged),
# each with the first objective evaluations of its partrace (of the attempt reported: the default fit's
# are those of the third attempt, from the simple start values of lav_model_estimate(start = "simple"), which
# are not those of the user option start = "simple").
# s1_117 (simmiss.csv, FIML, 2 groups): the start values imply a Sigma that is not positive definite; lavaan's
# objective counts 1e20 there, its gradient inverts Sigma all the same (warning "lav_model_gradient:
# Sigma.hat is not positive definite") and nlminb's first step walks out.
#
#   Rscript tests/sem/nlminb_refs/make_nlminb_ref.R      -> nlminb.json
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
simmiss <- read.csv(file.path(HERE, "simmiss.csv"))
cases <- list(
  s1_0 = list(fun = "sem", data = "hs", opts = list(),
              model = "F1 =~ start(-0.5)*x7 + x9 + NA*x3\nf.2 =~ x8 + NA*x6 + a*x4\nF1 ~ d*grade"),
  s1_0_attempt1 = list(fun = "sem", data = "hs", opts = list(optim.attempts = 1L),
              model = "F1 =~ start(-0.5)*x7 + x9 + NA*x3\nf.2 =~ x8 + NA*x6 + a*x4\nF1 ~ d*grade"),
  s1_117 = list(fun = "cfa", data = "simmiss",
                opts = list(group = "grp", group.equal = c("loadings", "lv.covariances"), missing = "ml"),
                model = paste("F1 =~ d*z5 + b*z3 + NA*z8 + b*z4", "f.2 =~ NA*z7 + start(2)*z6 + z2",
                              "Fa_3 =~ z4 + z9 + z1", "f.2 ~ F1 + c2", "Fa_3 ~ f.2 + F1 + d*c1", "z6 ~~ b*z9",
                              "z1 ~~ z4", sep = "\n"))
)
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  warns <- character(0)
  d <- if (cs$data == "hs") hs else simmiss
  f <- withCallingHandlers(do.call(cs$fun, c(list(model = cs$model, data = d, optim.partrace = TRUE), cs$opts)),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  conv <- lavInspect(f, "converged")
  pe <- parameterEstimates(f)
  rec <- list(fun = cs$fun, data = cs$data, model = cs$model, options = cs$opts, warnings = warns,
              converged = conv, iterations = lavInspect(f, "iterations"),
              first_objectives = f@optim$partrace[1:4, 1])
  if (conv) {
    rec$fit <- as.list(fitMeasures(f, c("npar", "fmin", "chisq", "df", "logl")))
    rec$est <- list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group,
                    est = pe$est, se = pe$se)
  }
  out[[nm]] <- rec
}
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "nlminb.json"))
