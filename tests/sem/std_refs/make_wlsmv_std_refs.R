# Reference outputs of lavaan 0.6.14 standardizedSolution() (delta-method se, z, pvalue, ci) for WLSMV fits
# with ordered items, for tests/sem/test_wlsmv_standardized_se.py.  Run from the repository root:
#   Rscript tests/sem/std_refs/make_wlsmv_std_refs.R
# Writes tests/sem/std_refs/hs_ord.csv (HolzingerSwineford1939's x1-x9 cut at their quantiles into 3-5 ordered
# categories, the school, and y1-y3 = the raw x1-x3 for a mixed model) and tests/sem/std_refs/wlsmv_std_refs.json
# (per case: the model and options, lavaan's parameter table (est, free), vcov(fit) and standardizedSolution()
# for type std.all, std.lv and std.nox); the tests only read them.
# lavaan 0.6.14 refuses se = "bootstrap" with estimator = "WLSMV" ("use (D)WLS estimator for bootstrap"):
# hs_boot is estimator = "DWLS", test = "scaled.shifted" (the WLSMV fit) with bootstrap SEs; its
# standardizedSolution() is the delta method on the bootstrap vcov(fit).
suppressMessages({ library(lavaan); library(semTools) })
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
out_dir <- "tests/sem/std_refs"

hs <- HolzingerSwineford1939
cutq <- function(x, k) as.integer(cut(x, quantile(x, seq(0, 1, length.out = k + 1)), include.lowest = TRUE))
ks <- c(3, 3, 4, 4, 5, 5, 3, 4, 5)
hs_ord <- data.frame(school = hs$school)
for (i in 1:9) hs_ord[[paste0("x", i)]] <- cutq(hs[[paste0("x", i)]], ks[i])
for (i in 1:3) hs_ord[[paste0("y", i)]] <- hs[[paste0("x", i)]]
write.csv(hs_ord, file.path(out_dir, "hs_ord.csv"), row.names = FALSE)
g630 <- read.csv("tests/sem/ordinal_refs/wlsmv_groups_630.csv", stringsAsFactors = FALSE)

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
hs_eq_model <- '
  visual =~ x1 + l2*x2 + l3*x3
  textual =~ x4 + x5 + x6
  textual ~ a*visual
  x2 ~~ x3
  l2 == l3
'
mixed_model <- '
  visual =~ y1 + y2 + y3
  textual =~ x4 + x5 + x6
  speed =~ x7 + x8 + x9
  textual ~ a*visual
  speed ~ b*textual + c*visual
  ind := a*b
'
g630_model <- '
  F1 =~ a1 + a2 + a3 + a4
  F2 =~ b1 + b2 + b3 + b4
  F2 ~ p*F1
'
items <- paste0("x", 1:9)
cases <- list(
  hs_delta = list(model = hs_model, data = "hs_ord.csv", args = list(ordered = items)),
  hs_theta = list(model = hs_model, data = "hs_ord.csv", args = list(ordered = items, parameterization = "theta")),
  hs_dwls = list(model = hs_model, data = "hs_ord.csv", args = list(ordered = items, estimator = "DWLS")),
  hs_eq = list(model = hs_eq_model, data = "hs_ord.csv", args = list(ordered = items)),
  hs_mixed = list(model = mixed_model, data = "hs_ord.csv", args = list(ordered = items[4:9])),
  hs_mg_config = list(model = hs_mg_model, data = "hs_ord.csv", args = list(ordered = items, group = "school")),
  hs_mg_delta = list(model = hs_mg_model, data = "hs_ord.csv",
                     args = list(ordered = items, group = "school", group.equal = c("thresholds", "loadings"))),
  hs_mg_theta = list(model = hs_mg_model, data = "hs_ord.csv",
                     args = list(ordered = items, group = "school", group.equal = c("thresholds", "loadings"),
                                 parameterization = "theta")),
  g3_delta = list(model = g630_model, data = "../ordinal_refs/wlsmv_groups_630.csv",
                  args = list(ordered = c(paste0("a", 1:4), paste0("b", 1:4)), group = "G",
                              group.equal = c("thresholds", "loadings"), missing = "pairwise")),
  hs_boot = list(model = hs_model, data = "hs_ord.csv",
                 args = list(ordered = items, estimator = "DWLS", test = "scaled.shifted", se = "bootstrap",
                             bootstrap = 60L, iseed = 2022L))
)
datasets <- list(hs_ord.csv = hs_ord, "../ordinal_refs/wlsmv_groups_630.csv" = g630)

pack <- function(fit, cs) {
  stopifnot(lavInspect(fit, "converged"))
  pt <- parTable(fit)
  one <- list(model = cs$model, data = cs$data, args = cs$args,
              partable = list(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, group = pt$group, free = pt$free,
                              est = pt$est, label = pt$label),
              vcov = unname(unclass(vcov(fit))))
  for (type in c("std.all", "std.lv", "std.nox")) {
    ss <- standardizedSolution(fit, type = type)
    one[[type]] <- list(lhs = ss$lhs, op = ss$op, rhs = ss$rhs,
                        group = if (is.null(ss$group)) rep(1L, nrow(ss)) else ss$group,
                        est.std = ss$est.std, se = ss$se, z = ss$z, pvalue = ss$pvalue,
                        ci.lower = ss$ci.lower, ci.upper = ss$ci.upper)
  }
  one
}
res <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  set.seed(17)
  res[[nm]] <- pack(suppressWarnings(do.call("sem", c(list(model = cs$model, data = datasets[[cs$data]]),
                                                      cs$args))), cs)
}
# the Wu & Estabrook (2016) "thresholds" step of the ordinal invariance sequence (semTools' measEq.syntax, as
# tests/sem/ordinal_refs/make_wlsmv_refs.R; iur_survey's ordinal_invariance): the scales of every item and the
# latent means and variances free after the first group
we_model <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
items8 <- c(paste0("a", 1:4), paste0("b", 1:4))
dd <- g630
for (i in items8) dd[[i]] <- ordered(dd[[i]])
syn <- suppressWarnings(measEq.syntax(configural.model = we_model, data = dd, ordered = items8,
                                      parameterization = "delta", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
                                      group = "G", group.equal = "thresholds", missing = "pairwise"))
we_fit <- suppressWarnings(cfa(as.character(syn), data = dd, ordered = items8, estimator = "WLSMV",
                               missing = "pairwise", group = "G", parameterization = "delta"))
res$g3_we_thresholds <- pack(we_fit, list(model = we_model, data = "../ordinal_refs/wlsmv_groups_630.csv",
                                          args = list(invariance_step = "thresholds", group = "G")))
res$meta <- list(lavaan = as.character(packageVersion("lavaan")), R = R.version.string)
writeLines(toJSON(res, digits = NA, na = "null", auto_unbox = TRUE, null = "null"),
           file.path(out_dir, "wlsmv_std_refs.json"))
