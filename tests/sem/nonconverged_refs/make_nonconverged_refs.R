# What lavaan 0.6.14 reports for a fit that did NOT converge, for tests/sem/test_nonconverged_se.py.
# Run from the repository root:
#   Rscript tests/sem/nonconverged_refs/make_nonconverged_refs.R
# Writes tests/sem/nonconverged_refs/nonconverged_refs.json; the tests only read it.
# Data: tests/sem/std_refs/hs.csv, hs_miss.csv and hs_ord.csv (made by make_std_refs.R / make_wlsmv_std_refs.R).
# Non-convergence is forced with control = list(iter.max = 5) (WLSMV: 2).  Per case: converged, the
# parameterEstimates() rows (est, se, z, pvalue, ci; NA -> null), whether standardizedSolution() has finite
# SEs (lavaan recomputes the vcov at the last iterate for it), the vcov() and fitMeasures() errors and the
# summary() lines of the x2 loading and of the := row.
suppressMessages(library(lavaan))
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
dir <- "tests/sem"
hs <- read.csv(file.path(dir, "std_refs", "hs.csv"))
hs_miss <- read.csv(file.path(dir, "std_refs", "hs_miss.csv"))
hs_ord <- read.csv(file.path(dir, "std_refs", "hs_ord.csv"))
model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
ab := a*b"
gmodel <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
err <- function(expr) tryCatch({ expr; "" }, error = function(e) conditionMessage(e))
case <- function(name, fit, model) {
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- 1L
  ss <- standardizedSolution(fit)
  txt <- capture.output(summary(fit))
  list(name = name, model = model, converged = lavInspect(fit, "converged"),
       iterations = lavInspect(fit, "iterations"),
       estimates = lapply(seq_len(nrow(pe)), function(i) list(
         lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], group = pe$group[i],
         free = parTable(fit)$free[match(paste(pe$lhs[i], pe$op[i], pe$rhs[i], pe$group[i]),
                                         paste(parTable(fit)$lhs, parTable(fit)$op, parTable(fit)$rhs,
                                               parTable(fit)$group))] > 0,
         est = pe$est[i], se = pe$se[i], z = pe$z[i], pvalue = pe$pvalue[i],
         ci.lower = pe$ci.lower[i], ci.upper = pe$ci.upper[i])),
       std_se_finite = all(is.finite(ss$se)),
       vcov_error = err(vcov(fit)), fitmeasures_error = err(fitMeasures(fit)),
       summary_x2 = trimws(grep("^    x2 ", txt, value = TRUE)[1], "right"),
       summary_def = trimws(grep("^    ab ", txt, value = TRUE)[1], "right"))
}
fits <- list(
  case("ml", cfa(model, data = hs, control = list(iter.max = 5)), model),
  case("mlr", cfa(model, data = hs, estimator = "MLR", control = list(iter.max = 5)), model),
  case("fiml", cfa(model, data = hs_miss, missing = "ml", control = list(iter.max = 5)), model),
  case("groups", cfa(gmodel, data = hs, group = "school", control = list(iter.max = 5)), gmodel),
  case("wlsmv", cfa(model, data = hs_ord, ordered = paste0("x", 1:9), control = list(iter.max = 2)), model))
for (f in fits) stopifnot(!f$converged)
write_json(list(lavaan = as.character(packageVersion("lavaan")), cases = fits),
           file.path(dir, "nonconverged_refs", "nonconverged_refs.json"),
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
