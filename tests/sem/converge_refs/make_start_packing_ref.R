# lavaan 0.6.14 references for the start values of an ML fit as lavaan's optimizer sees them
# (tests/sem/test_start_packing.py; audit s23 syntaxaudit B2):
#  * parTable(fit)$start: one start value per row (lav_start, then lav_start_check_cov with check.start = TRUE);
#  * "packed": the point nlminb starts from, K z + k0 with z = K'(x - k0) (lav_model_estimate; with
#    ceq.simple = FALSE every row of a shared label / group.equal has its own free parameter);
#  * the converged fit.
#
#   Rscript tests/sem/converge_refs/make_start_packing_ref.R      -> start_packing.json
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
cases <- list(
  b2 = list(fun = "cfa", model = 'visual =~ label("a")*x2 + x6 + x7\nf.2 =~ start(0.5)*x8 + x1 + start(0.5)*x7\nf.2 ~ 0.4?visual + NA*ageyr\nx6 ~~ x1\nx1 ~~ x7\nx6 ~~ label("a")*x7\nx7 ~~ x7',
            opts = list(std.lv = TRUE, group = "school", group.equal = c("means", "residuals", "regressions"))),
  checkcov = list(fun = "cfa", model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx1 ~~ 0.9*x2\nx4 ~~ start(2)*x5",
                  opts = list()),
  linear = list(fun = "cfa", model = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + a*x5 + x6\nb == 2*a",
                opts = list(group = "school", group.equal = "loadings"))
)
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  warns <- character(0)
  f <- withCallingHandlers(do.call(cs$fun, c(list(model = cs$model, data = d), cs$opts)),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  pt <- parTable(f)
  lm <- f@Model
  x <- lavaan:::lav_model_get_parameters(lm)            # the per-row start values of the free rows
  xs <- lavaan:::lav_model_get_parameters(lavaan:::lav_model_set_parameters(lm, x))
  if (lm@eq.constraints) {
    z <- as.numeric((x - lm@eq.constraints.k0) %*% lm@eq.constraints.K)
    xs <- as.numeric(lm@eq.constraints.K %*% z) + lm@eq.constraints.k0
  }
  free <- pt$free > 0
  # the start is the model's before fitting: refit with do.fit = FALSE for the start columns
  f0 <- do.call(cs$fun, c(list(model = cs$model, data = d, do.fit = FALSE, warn = FALSE), cs$opts))
  pt0 <- parTable(f0)
  x0 <- lavaan:::lav_model_get_parameters(f0@Model)
  xs0 <- x0
  if (f0@Model@eq.constraints) {
    z <- as.numeric((x0 - f0@Model@eq.constraints.k0) %*% f0@Model@eq.constraints.K)
    xs0 <- as.numeric(f0@Model@eq.constraints.K %*% z) + f0@Model@eq.constraints.k0
  }
  pe <- parameterEstimates(f)
  out[[nm]] <- list(fun = cs$fun, model = cs$model, options = cs$opts, warnings = warns,
                    rows = list(lhs = pt0$lhs[free], op = pt0$op[free], rhs = pt0$rhs[free], group = pt0$group[free],
                                start = pt0$start[free], packed = xs0),
                    converged = lavInspect(f, "converged"),
                    fit = as.list(fitMeasures(f, c("npar", "chisq", "df", "logl"))),
                    est = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group, est = pe$est))
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "start_packing.json"))
