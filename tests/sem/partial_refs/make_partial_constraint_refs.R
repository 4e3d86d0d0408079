# lavaan 0.6.14 references for a model's '==' lines together with group.equal and group.partial
# (tests/sem/test_partial_invariance_constraints.py): group.partial frees a parameter from group.equal only; a
# parameter given one label per group and tied by a model line 'a1 == a2' stays equal whatever group.partial says,
# in every step of the invariance sequence (the configural one included).  And the per-path Wald tests of equal
# paths across groups (lavTestWald) on a model whose path speed ~ visual is held equal by a general '==' line
# (b1 - b2 == 0): only speed ~ textual is left to test (labels t1, t2 added for lavTestWald; the same model).
#
#   Rscript tests/sem/partial_refs/make_partial_constraint_refs.R
#
# Data: ../../reference/data/hs1939.csv (Holzinger & Swineford, group school), ML.  Writes
# partial_constraint_refs.json: case -> step -> fit measures (npar, chisq, df, cfi, rmsea, srmr) and, for the
# sem() cases, every estimate and SE.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
M <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MODELS <- list(
  loading = "visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\na1 == a2",
  resvar = paste0(M, "\nx1 ~~ c(v1, v2)*x1\nv1 == v2"),
  path = paste0(M, "\nspeed ~ c(b1, b2)*visual + textual\nb1 == b2"))
FIT_KEYS <- c("npar", "chisq", "df", "cfi", "rmsea", "srmr")
fm <- function(f) as.list(fitMeasures(f, FIT_KEYS))
pe <- function(f) { p <- parameterEstimates(f); p <- p[p$op != "==", ]
  list(lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, est = p$est, se = p$se) }
one <- function(model, ge, gp) sem(model, hs, group = "school", group.equal = if (length(ge)) ge else "",
                                   group.partial = if (length(gp)) gp else "")
SEM_CASES <- list(
  loading_free_x3 = list(model = "loading", group.equal = "loadings", group.partial = "visual =~ x3"),
  resvar_free_x3_int = list(model = "resvar", group.equal = c("loadings", "intercepts"), group.partial = "x3 ~ 1"),
  path_free_textual = list(model = "path", group.equal = "regressions", group.partial = "speed ~ textual"))
STEPS <- list(configural = character(0), metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
SEQ_CASES <- list(loading_free_x3 = list(model = "loading", group.partial = "visual =~ x3"),
                  resvar_free_x3_int = list(model = "resvar", group.partial = "x3 ~ 1"),
                  loading = list(model = "loading", group.partial = character(0)))
refs <- list(lavaan = as.character(packageVersion("lavaan")), models = MODELS, sem = list(), sequence = list())
for (k in names(SEM_CASES)) {
  C <- SEM_CASES[[k]]
  f <- one(MODELS[[C$model]], C$group.equal, C$group.partial)
  refs$sem[[k]] <- c(C, list(fit = fm(f), estimates = pe(f)))
}
for (k in names(SEQ_CASES)) {
  C <- SEQ_CASES[[k]]
  steps <- lapply(STEPS, function(ge) fm(one(MODELS[[C$model]], ge, if (length(ge)) C$group.partial else character(0))))
  refs$sequence[[k]] <- c(C, list(steps = steps))
}
WALD_MODEL <- paste0(M, "\nspeed ~ c(b1, b2)*visual + c(t1, t2)*textual\nb1 - b2 == 0")
fw <- sem(WALD_MODEL, hs, group = "school")
tw <- lavTestWald(fw, "t1 == t2")
refs$wald <- list(model = paste0(M, "\nspeed ~ c(b1, b2)*visual + textual\nb1 - b2 == 0"), fit = fm(fw),
                  path = "speed ~ textual", stat = tw$stat, df = tw$df, p.value = tw$p.value)
write_json(refs, file.path(HERE, "partial_constraint_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
