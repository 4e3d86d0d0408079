# lavaan 0.6.14 references for iur_survey.sem.compare / invariance (tests/sem/test_compare*.py, test_invariance*.py).
#
#   Rscript tests/sem/invariance_refs/make_invariance_refs.R            # every part (~30 min: lrt_mlr_fiml)
#   Rscript tests/sem/invariance_refs/make_invariance_refs.R wald lrt_sb2010 lrt_pairs_mlr   # ~2 min
# Writes invariance_refs.json next to this file; with part names, only those keys are replaced in it.
#
# Data: tests/reference/data/groups_1200.csv (4 roles, complete) and groups_missing_1200.csv (same, with NAs).
#  * wald_ml / wald_mlr: a multi-group SEM (the study's default model with one label per group for every
#    structural path); lavTestWald of "x.g1 == x.g2; x.g1 == x.g3; x.g1 == x.g4" for each path (df = 3) and of
#    all paths jointly.
#  * lrt_sb2010: lavTestLRT(configural, metric, scalar, strict, method = "satorra.bentler.2010"), MLR, complete.
#  * lrt_pairs_mlr: lavTestLRT of non-adjacent pairs (default method "satorra.bentler.2001").
#  * lrt_mlr_fiml: the four steps with estimator = "MLR", missing = "ml" (default method), plus fit measures
#    (lavaan needs ~25 minutes for these four fits: observed information of FIML by numerical Hessian).
# lavaan's default optimizer tolerance is kept (nlminb rel.tol 1e-10; tighter values do not converge here).
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
REF <- normalizePath(file.path(HERE, "..", "..", "reference"))
PARTS <- c("wald", "lrt_sb2010", "lrt_pairs_mlr", "lrt_mlr_fiml")
ONLY <- commandArgs(trailingOnly = TRUE)
if (length(ONLY) == 0L) ONLY <- PARTS
stopifnot(all(ONLY %in% PARTS))
OUT <- file.path(HERE, "invariance_refs.json")
d <- read.csv(file.path(REF, "data", "groups_1200.csv"), stringsAsFactors = FALSE)
dm <- read.csv(file.path(REF, "data", "groups_missing_1200.csv"), stringsAsFactors = FALSE)
cfa_model <- paste(readLines(file.path(REF, "models", "cfa.lav")), collapse = "\n")
G <- 4L
lab <- function(x) vapply(x, function(v) sprintf("c(%s)", paste0(v, ".g", seq_len(G), collapse = ", ")), "")
mech <- c("GOV", "MKT", "BEN", "VAL", "TAL")
sem_model <- paste(
  cfa_model,
  paste0("COL ~ ", paste0(lab(paste0("a", 1:5)), "*", mech, collapse = " + ")),
  paste0("INT ~ ", lab("b"), "*COL + ", paste0(lab(paste0("c", 1:5)), "*", mech, collapse = " + ")),
  sep = "\n")
paths <- c(paste0("a", 1:5), "b", paste0("c", 1:5))
rows <- function(df) { df <- as.data.frame(df); rownames(df) <- NULL; df }

wald_case <- function(estimator) {
  fit <- sem(sem_model, d, group = "role", estimator = estimator)
  pe <- parameterEstimates(fit)
  per <- lapply(paths, function(p) {
    con <- paste0(p, ".g1 == ", p, ".g", 2:G, collapse = "; ")
    w <- lavTestWald(fit, constraints = con)
    r <- pe[pe$label %in% paste0(p, ".g", 1:G), ]
    list(path = p, lhs = r$lhs[1], op = r$op[1], rhs = r$rhs[1], constraints = con,
         est = r$est, se = r$se, stat = w$stat, df = w$df, p.value = w$p.value, se_type = w$se)
  })
  all_con <- paste(vapply(per, `[[`, "", "constraints"), collapse = "; ")
  wj <- lavTestWald(fit, constraints = all_con)
  list(estimator = estimator, group_labels = lavInspect(fit, "group.label"), converged = lavInspect(fit, "converged"),
       chisq = fitMeasures(fit, "chisq")[[1]], paths = per,
       joint = list(constraints = all_con, stat = wj$stat, df = wj$df, p.value = wj$p.value))
}

EQ <- list(configural = character(0), metric = "loadings", scalar = c("loadings", "intercepts"),
           strict = c("loadings", "intercepts", "residuals"))
fit_steps <- function(data, ...) lapply(EQ, function(e) {
  if (length(e)) cfa(cfa_model, data, group = "role", group.equal = e, ...) else cfa(cfa_model, data, group = "role", ...)
})
lrt_rows <- function(x) cbind(model = rownames(as.data.frame(x)), rows(x))
KEYS <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
          "cfi", "tli", "rmsea", "srmr", "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust",
          "rmsea.robust", "aic", "bic", "logl")

null2na <- function(x) if (is.null(x)) NA else if (is.list(x)) lapply(x, null2na) else x # keep JSON nulls
out <- if (length(ONLY) < length(PARTS) && file.exists(OUT)) null2na(fromJSON(OUT, simplifyVector = FALSE)) else list()
out$versions <- list(lavaan = as.character(packageVersion("lavaan")), R = paste(R.version$major, R.version$minor, sep = "."))
out$sem_model <- sem_model
out$cfa_model <- cfa_model
if ("wald" %in% ONLY) {
  out$wald_ml <- wald_case("ML")
  out$wald_mlr <- wald_case("MLR")
}
if (any(c("lrt_sb2010", "lrt_pairs_mlr") %in% ONLY)) {
  mlr <- suppressWarnings(fit_steps(d, estimator = "MLR"))
}
if ("lrt_sb2010" %in% ONLY) {
  sb10 <- suppressWarnings(lavTestLRT(mlr$configural, mlr$metric, mlr$scalar, mlr$strict, model.names = names(EQ),
                                      method = "satorra.bentler.2010"))
  out$lrt_sb2010 <- list(heading = attr(sb10, "heading"), rows = lrt_rows(sb10))
}
if ("lrt_pairs_mlr" %in% ONLY) {
  pairs <- list(c("configural", "scalar"), c("metric", "strict"), c("configural", "strict"))
  out$lrt_pairs_mlr <- lapply(pairs, function(p) {
    x <- lavTestLRT(mlr[[p[2]]], mlr[[p[1]]], model.names = rev(p)) # given in reverse order: lavaan sorts by df
    list(models = p, rows = lrt_rows(x))
  })
}
if ("lrt_mlr_fiml" %in% ONLY) {
  mf <- fit_steps(dm, estimator = "MLR", missing = "ml")
  lf <- lavTestLRT(mf$configural, mf$metric, mf$scalar, mf$strict, model.names = names(EQ))
  out$lrt_mlr_fiml <- list(heading = attr(lf, "heading"), rows = lrt_rows(lf),
                           fit = lapply(mf, function(f) as.list(fitMeasures(f, intersect(KEYS, names(fitMeasures(f)))))))
}
write_json(out, OUT, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat("wrote", OUT, "\n")
