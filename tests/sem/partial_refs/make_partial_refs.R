# lavaan 0.6.14 references for partial invariance, lavaan's group.partial (tests/sem/test_partial_invariance.py):
# a multi-group fit with group.equal + group.partial (every estimate and SE, the fit measures) and the invariance
# sequence configural -> metric -> scalar -> strict with the same group.partial passed to every step (lavaan
# applies an entry where its class is constrained and ignores it elsewhere, as semTools' measurementInvariance
# passes it on), with lavTestLRT between consecutive steps.
#
#   Rscript tests/sem/partial_refs/make_partial_refs.R
#
# Data: ../../reference/data/hs1939.csv (ML, complete) and ../../reference/data/hs1939_missing.csv (MLR with
# missing = "ml": FIML), groups = school.  Writes partial_refs.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
DATA <- file.path(HERE, "..", "..", "reference", "data")
MEAS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
# written as a user writes it (spaces; lavaan removes them)
PARTIAL <- c("speed =~ x9", "x3 ~ 1", "x7 ~1")
FIT_KEYS <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
              "logl", "aic", "bic", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
              "cfi.robust", "rmsea.robust")
fm <- function(f) { v <- fitMeasures(f); as.list(v[intersect(FIT_KEYS, names(v))]) }
pe <- function(f) { p <- parameterEstimates(f); p <- p[p$op != "==", ]
  list(lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, label = p$label, est = p$est, se = p$se) }
STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
one_case <- function(file, args) {
  d <- read.csv(file.path(DATA, file))
  fit <- do.call("cfa", c(list(model = MEAS, data = d, group = "school",
                               group.equal = c("loadings", "intercepts"), group.partial = PARTIAL), args))
  steps <- lapply(STEPS, function(ge) do.call("cfa", c(list(model = MEAS, data = d, group = "school",
                                                            group.equal = ge, group.partial = PARTIAL), args)))
  lrt <- lapply(2:length(steps), function(k) {
    t <- lavTestLRT(steps[[k - 1]], steps[[k]])
    list(chisq.diff = t[["Chisq diff"]][2], df.diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
  })
  names(lrt) <- names(STEPS)[-1]
  list(file = file, args = args, group.equal = c("loadings", "intercepts"), fit = fm(fit), estimates = pe(fit),
       steps = lapply(steps, fm), lrt = lrt)
}
refs <- list(lavaan = as.character(packageVersion("lavaan")), model = MEAS, group.partial = PARTIAL,
             ml = one_case("hs1939.csv", list()),
             mlr_fiml = one_case("hs1939_missing.csv", list(estimator = "MLR", missing = "ml")))
write_json(refs, file.path(HERE, "partial_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
