# Reference outputs of lavaan 0.6.14 standardizedSolution() (delta-method se, z, pvalue, ci) for
# tests/sem/test_standardized_se.py.  Run from the repository root:
#   Rscript tests/sem/std_refs/make_std_refs.R
# Writes tests/sem/std_refs/std_refs.json (and the HS data with holes, hs_miss.csv); the tests only read them.
suppressMessages(library(lavaan))
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
out_dir <- "tests/sem/std_refs"

pd <- PoliticalDemocracy
hs <- HolzingerSwineford1939[, c("school", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9")]
set.seed(4242)
hs_miss <- hs
for (v in paste0("x", 1:9)) hs_miss[[v]][runif(nrow(hs)) < 0.10] <- NA
write.csv(hs_miss, file.path(out_dir, "hs_miss.csv"), row.names = FALSE, na = "")
write.csv(pd, file.path(out_dir, "pd.csv"), row.names = FALSE)
write.csv(hs, file.path(out_dir, "hs.csv"), row.names = FALSE)

pd_model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  dem60 ~ p1*ind60
  dem65 ~ p2*ind60 + p3*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ind := p1*p3
  tot := p2 + p1*p3
'
pd_x_model <- '
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ a*x1 + x2
  dem65 ~ b*dem60 + x3
  ab := a*b
'
hs_model <- '
  visual =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed =~ x7 + x8 + x9
  textual ~ a*visual
  speed ~ b*textual + c*visual
  ind := a*b
  tot := c + a*b
'
hs_mg_model <- '
  visual =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed =~ x7 + x8 + x9
  textual ~ c(a1, a2)*visual
  speed ~ c(b1, b2)*textual + visual
  ind1 := a1*b1
  ind2 := a2*b2
  d := ind1 - ind2
'
pd_eq_model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + l2*y2 + l3*y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ p1*ind60
  dem65 ~ ind60 + p3*dem60
  l2 == l3
  ind := p1*p3
'
heywood_model <- paste(readLines("tests/reference/models/heywood.lav"), collapse = "\n")
cases <- list(
  pd_ml = list(model = pd_model, data = "pd.csv", args = list()),
  pd_x_ml = list(model = pd_x_model, data = "pd.csv", args = list()),
  hs_ml = list(model = hs_model, data = "hs.csv", args = list()),
  hs_mg = list(model = hs_mg_model, data = "hs.csv", args = list(group = "school")),
  hs_mlr = list(model = hs_model, data = "hs.csv", args = list(estimator = "MLR")),
  pd_x_mlr = list(model = pd_x_model, data = "pd.csv", args = list(estimator = "MLR")),
  hs_fiml = list(model = hs_model, data = "hs_miss.csv", args = list(missing = "ml")),
  pd_eq = list(model = pd_eq_model, data = "pd.csv", args = list()),
  heywood = list(model = heywood_model, data = "heywood_150.csv", args = list(), fun = "cfa"),
  hs_boot = list(model = hs_model, data = "hs.csv", args = list(se = "bootstrap", bootstrap = 60L))
)
datasets <- list(pd.csv = pd, hs.csv = hs, hs_miss.csv = hs_miss,
                 heywood_150.csv = read.csv("tests/reference/data/heywood_150.csv"))

res <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  set.seed(17)
  fit <- do.call(if (is.null(cs$fun)) "sem" else cs$fun,
                 c(list(model = cs$model, data = datasets[[cs$data]]), cs$args))
  stopifnot(lavInspect(fit, "converged"))
  pt <- parTable(fit)
  one <- list(model = cs$model, data = if (cs$data == "heywood_150.csv") "../../reference/data/heywood_150.csv"
                                       else cs$data, fun = if (is.null(cs$fun)) "sem" else cs$fun, args = cs$args,
              partable = list(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, group = pt$group, free = pt$free,
                              est = pt$est),
              vcov = unname(unclass(vcov(fit))))
  for (type in c("std.all", "std.lv", "std.nox")) {
    ss <- standardizedSolution(fit, type = type)
    one[[type]] <- list(lhs = ss$lhs, op = ss$op, rhs = ss$rhs,
                        group = if (is.null(ss$group)) rep(1L, nrow(ss)) else ss$group,
                        est.std = ss$est.std, se = ss$se, z = ss$z, pvalue = ss$pvalue,
                        ci.lower = ss$ci.lower, ci.upper = ss$ci.upper)
  }
  res[[nm]] <- one
}
res$meta <- list(lavaan = as.character(packageVersion("lavaan")), R = R.version.string)
writeLines(toJSON(res, digits = NA, na = "null", auto_unbox = TRUE, null = "null"),
           file.path(out_dir, "std_refs.json"))
