# lavaan 0.6.14 / semTools 0.5-6 reference outputs for iur-survey (tests/reference/json/<case>.json).
#
#   Rscript tests/reference/make_refs.R              # everything (bootstrap case takes a few minutes)
#   Rscript tests/reference/make_refs.R ml_complete_800 hs_cfa   # only these cases
#
# Reads the CSVs of tests/reference/data/ (written by make_data.py; the classic lavaan data sets
# HolzingerSwineford1939 / PoliticalDemocracy and the seeded HS copy with missing cells are written here first,
# then read back from CSV so Python and R fit exactly the same numbers).  Deterministic: no RNG except the
# seeded HS cell deletion (set.seed) and the bootstrap (iseed).  See README.md.

suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")

HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
DATA <- file.path(HERE, "data")
MODELS <- file.path(HERE, "models")
JSON <- file.path(HERE, "json")
dir.create(JSON, showWarnings = FALSE)
ONLY <- commandArgs(trailingOnly = TRUE)
wanted <- function(case) length(ONLY) == 0L || case %in% ONLY

VERSIONS <- list(
  lavaan = as.character(packageVersion("lavaan")),
  semTools = as.character(packageVersion("semTools")),
  jsonlite = as.character(packageVersion("jsonlite")),
  R = paste(R.version$major, R.version$minor, sep = ".")
)

# ---------------------------------------------------------------------------------------------- classic data sets
write_csv <- function(df, name) {
  write.csv(df, file.path(DATA, paste0(name, ".csv")), row.names = FALSE, na = "")
}
HS <- lavaan::HolzingerSwineford1939
write_csv(HS, "hs1939")
HSm <- HS
set.seed(1939)
xs <- paste0("x", 1:9)
M <- matrix(runif(nrow(HS) * 9) < 0.05, nrow(HS), 9)
M[rowSums(M) == 9, 1] <- FALSE # keep at least one observed x per row
for (j in 1:9) HSm[M[, j], xs[j]] <- NA
write_csv(HSm, "hs1939_missing")
write_csv(lavaan::PoliticalDemocracy, "poldem")

read_data <- function(name) read.csv(file.path(DATA, paste0(name, ".csv")), stringsAsFactors = FALSE)
read_model <- function(file) paste(readLines(file.path(MODELS, file)), collapse = "\n")

# ---------------------------------------------------------------------------------------------- helpers
mat_json <- function(m) {
  if (is.null(m)) return(NULL)
  m <- as.matrix(unclass(m))
  list(rownames = rownames(m), colnames = colnames(m), values = unname(lapply(seq_len(nrow(m)), function(i) unname(m[i, ]))))
}
vec_json <- function(v) {
  if (is.null(v)) return(NULL)
  v <- unclass(v)
  as.list(v)
}
# a matrix, vector or (per group) list of them
any_json <- function(x) {
  if (is.null(x)) return(NULL)
  if (is.list(x) && !is.data.frame(x)) return(lapply(x, any_json))
  if (is.matrix(x)) return(mat_json(x))
  vec_json(x)
}
rows <- function(df) {
  df <- as.data.frame(df)
  rownames(df) <- NULL
  df
}

nul <- function(x) if (is.null(x)) NA else x # jsonlite writes NULL as {}; NA becomes null

capture <- function(expr) {
  warns <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = warns)
}

OPTION_KEYS <- c(
  "estimator", "missing", "se", "test", "information", "h1.information", "observed.information",
  "likelihood", "meanstructure", "fixed.x", "std.lv", "int.ov.free", "int.lv.free", "auto.fix.first",
  "group.equal", "group.partial", "bootstrap", "iseed", "parameterization", "optim.method",
  "optim.force.converged", "mimic", "h1", "baseline", "em.h1.iter.max", "em.h1.tol", "scaled.test", "ordered"
)

VCOV_MAX_NPAR <- 130L # larger models store SEs only (JSON size)

fit_case <- function(case, model_file, data_name, fun = "sem", args = list(), note = NULL,
                     extra = NULL, implied = TRUE, timing_reps = 3L, vcov = TRUE, force = FALSE) {
  if (!force && !wanted(case)) return(invisible(NULL))
  cat(sprintf("%-24s", case))
  model <- read_model(model_file)
  data <- read_data(data_name)
  call_args <- c(list(model = model, data = data), args)
  elapsed <- NULL
  cap <- NULL
  t <- system.time(cap <- capture(do.call(fun, call_args)))[["elapsed"]]
  fit <- cap$value
  times <- t
  if (t < 5 && timing_reps > 1L) {
    for (r in 2:timing_reps) times <- c(times, system.time(suppressWarnings(do.call(fun, call_args)))[["elapsed"]])
  }
  opts <- lavInspect(fit, "options")
  npar <- as.integer(fitMeasures(fit, "npar"))
  ng <- lavInspect(fit, "ngroups")
  pe <- parameterEstimates(fit, standardized = TRUE)
  out <- list(
    case = case,
    dataset = data_name,
    versions = VERSIONS,
    `function` = fun,
    model_file = model_file,
    model = model,
    call_options = if (length(args)) args else setNames(list(), character(0)),
    options = lapply(opts[intersect(OPTION_KEYS, names(opts))], nul),
    note = nul(note),
    n = lavInspect(fit, "ntotal"),
    nobs = as.list(lavInspect(fit, "nobs")),
    norig = as.list(lavInspect(fit, "norig")),
    ngroups = ng,
    group_labels = if (ng > 1L) lavInspect(fit, "group.label") else NA,
    converged = lavInspect(fit, "converged"),
    iterations = lavInspect(fit, "iterations"),
    npar = npar,
    warnings = I(cap$warnings),
    timing = list(elapsed = t, repeats = times, median = median(times)),
    estimates = rows(pe),
    fit = vec_json(fitMeasures(fit)),
    test = lapply(lavInspect(fit, "test"), function(tt) tt[setdiff(names(tt), c("UGamma", "UG"))]),
    r2 = any_json(lavInspect(fit, "r2")),
    vcov = if (vcov && npar <= VCOV_MAX_NPAR) mat_json(vcov(fit)) else NA,
    implied = if (implied) any_json(lavInspect(fit, "implied")) else NA,
    h1 = if (implied && ng == 1L && !lavInspect(fit, "categorical")) any_json(lavInspect(fit, "h1")) else NA,
    cor_lv = if (ng == 1L) any_json(lavInspect(fit, "cor.lv")) else NA
  )
  if (!is.null(extra)) out <- c(out, extra(fit))
  write_json(out, file.path(JSON, paste0(case, ".json")), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
  cat(sprintf(" converged=%s  %6.2fs  warnings=%d\n", out$converged, t, length(cap$warnings)))
  invisible(fit)
}

# ---------------------------------------------------------------------------------------------- single-group cases
fit_case("ml_complete_800", "default.lav", "complete_800")
fit_case("ml_complete_250", "default.lav", "complete_250", vcov = FALSE)
fit_case("cfa_complete_800", "cfa.lav", "complete_800", fun = "cfa", vcov = FALSE)
fit_case("fiml_missing_800", "default.lav", "missing_800", args = list(missing = "ml"))
fit_case("fiml_missing_300", "default.lav", "missing_300", args = list(missing = "ml"), vcov = FALSE)
fit_case("listwise_missing_800", "default.lav", "missing_800", args = list(missing = "listwise"), vcov = FALSE)
fit_case("mlr_complete_800", "default.lav", "complete_800", args = list(estimator = "MLR"))
fit_case("mlr_fiml_missing_800", "default.lav", "missing_800", args = list(estimator = "MLR", missing = "ml"))
fit_case("heywood_150", "heywood.lav", "heywood_150", fun = "cfa",
         note = "TAL has two indicators and TAL1 an unmodelled cross-loading on COL: TAL1's residual variance is negative (Heywood case)")
fit_case("hs_cfa", "hs_cfa.lav", "hs1939", fun = "cfa")
fit_case("hs_cfa_fiml", "hs_cfa.lav", "hs1939_missing", fun = "cfa", args = list(missing = "ml"))
fit_case("hs_cfa_mlr", "hs_cfa.lav", "hs1939", fun = "cfa", args = list(estimator = "MLR"))
fit_case("poldem", "poldem.lav", "poldem")
fit_case("wlsmv_600", "default.lav", "ordinal_600", args = list(ordered = TRUE, estimator = "WLSMV"))

# ---------------------------------------------------------------------------------------------- bootstrap
fit_case("boot_complete_800", "default.lav", "complete_800",
         args = list(se = "bootstrap", bootstrap = 1000L, iseed = 2022L), timing_reps = 1L, vcov = FALSE,
         note = "estimates: parameterEstimates(fit, standardized=TRUE, boot.ci.type='perc'); estimates_bca_simple: boot.ci.type='bca.simple'",
         extra = function(fit) {
           B <- lavInspect(fit, "boot")
           list(
             estimates_bca_simple = rows(parameterEstimates(fit, standardized = TRUE, boot.ci.type = "bca.simple")),
             boot = list(R = 1000L, nonadmissible_or_failed = length(attr(B, "error.idx")), nrow = nrow(B),
                         colnames = colnames(B), mean = unname(colMeans(B)), sd = unname(apply(B, 2, sd)))
           )
         })

# ---------------------------------------------------------------------------------------------- multi-group invariance
EQUAL <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
mg_family <- function(suffix, data_name, args) {
  cases <- paste0("mg_", names(EQUAL), suffix)
  all4 <- wanted(paste0("mg_compare", suffix)) # the comparison needs all four fits
  if (!all4 && !any(vapply(cases, wanted, TRUE))) return(invisible(NULL))
  fits <- list()
  for (k in names(EQUAL)) {
    a <- c(list(group = "role"), if (nzchar(EQUAL[[k]][1])) list(group.equal = EQUAL[[k]]) else NULL, args)
    case <- paste0("mg_", k, suffix)
    fits[[k]] <- fit_case(case, "cfa.lav", data_name, fun = "cfa", args = a, implied = FALSE, force = all4)
  }
  if (any(vapply(fits, is.null, TRUE))) return(invisible(NULL)) # need all four for the comparisons
  lrt <- capture(lavTestLRT(fits$configural, fits$metric, fits$scalar, fits$strict,
                            model.names = names(EQUAL)))
  tab <- as.data.frame(lrt$value)
  lrt_rows <- cbind(model = rownames(tab), rows(tab))
  cf <- capture(compareFit(fits$configural, fits$metric, fits$scalar, fits$strict, nested = TRUE))
  cfv <- cf$value
  fm <- as.data.frame(cfv@fit)
  fd <- as.data.frame(cfv@fit.diff)
  nested <- as.data.frame(cfv@nested)
  unfit <- function(x) gsub("fits\\$", "", x) # compareFit names the models by their expressions
  rownames(fm) <- unfit(rownames(fm))
  rownames(fd) <- unfit(rownames(fd))
  rownames(nested) <- unfit(rownames(nested))
  out <- list(
    case = paste0("mg_compare", suffix),
    dataset = data_name,
    versions = VERSIONS,
    call_options = if (length(args)) args else setNames(list(), character(0)),
    models = names(EQUAL),
    group_equal = EQUAL,
    lavTestLRT = list(heading = attr(lrt$value, "heading"), rows = lrt_rows, warnings = I(lrt$warnings)),
    compareFit = list(
      nested = cbind(model = rownames(nested), rows(nested)),
      fit = cbind(model = rownames(fm), rows(fm)),
      fit_diff = cbind(model = rownames(fd), rows(fd)),
      warnings = I(cf$warnings)
    )
  )
  write_json(out, file.path(JSON, paste0("mg_compare", suffix, ".json")), digits = NA, auto_unbox = TRUE,
             na = "null", pretty = TRUE)
  cat(sprintf("%-24s written\n", paste0("mg_compare", suffix)))
}
mg_family("", "groups_1200", list())
mg_family("_mlr", "groups_1200", list(estimator = "MLR"))
mg_family("_fiml", "groups_missing_1200", list(missing = "ml"))

# ---------------------------------------------------------------------------------------------- semTools measurement quality
CONSTRUCTS <- c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")
measure_refs <- function(case, cfa_file, data_name, harman_file, clf_file, items_of) {
  if (!wanted(case)) return(invisible(NULL))
  cat(sprintf("%-24s", case))
  data <- read_data(data_name)
  model <- read_model(cfa_file)
  fit <- cfa(model, data = data)
  factors <- names(items_of)
  items <- unlist(items_of, use.names = FALSE)

  # reliability: semTools definitions
  omega <- compRelSEM(fit)
  omega_obsfalse <- compRelSEM(fit, obs.var = FALSE)
  alpha_taueq <- compRelSEM(fit, tau.eq = TRUE)
  ave <- AVE(fit)
  rel <- capture(reliability(fit))
  # Cronbach's alpha straight from the item covariances (n-1; alpha is scale free)
  alpha_raw <- sapply(items_of, function(it) {
    S <- cov(data[, it], use = "complete.obs")
    k <- length(it)
    k / (k - 1) * (1 - sum(diag(S)) / sum(S))
  })

  # discriminant validity
  htmt_classic <- htmt(model, data = data, htmt2 = FALSE)
  htmt_2 <- htmt(model, data = data, htmt2 = TRUE)
  cor_lv <- lavInspect(fit, "cor.lv")
  fl <- cor_lv
  diag(fl) <- sqrt(ave[rownames(fl)])

  # Harman's single factor: (1) PCA first-component share of total variance on the item correlation matrix,
  # (2) a one-factor ML CFA (lavaan) with its fit measures and the mean squared standardized loading
  R <- cor(data[, items], use = "complete.obs")
  ev <- eigen(R, symmetric = TRUE, only.values = TRUE)$values
  harman_model <- read_model(harman_file)
  h <- capture(cfa(harman_model, data = data))
  hstd <- standardizedSolution(h$value)
  hload <- hstd[hstd$op == "=~", ]
  fa1 <- factanal(covmat = R, factors = 1, n.obs = nrow(data))

  # common latent factor
  clf_model <- read_model(clf_file)
  cl <- capture(cfa(clf_model, data = data))
  cstd <- standardizedSolution(cl$value)
  mload <- cstd[cstd$op == "=~" & cstd$lhs == "METHOD", ]
  lrt <- capture(lavTestLRT(fit, cl$value, model.names = c("cfa", "clf")))
  lrt_tab <- as.data.frame(lrt$value)

  out <- list(
    case = case,
    dataset = data_name,
    versions = VERSIONS,
    cfa_model = model,
    constructs = items_of,
    compRelSEM = vec_json(omega),
    compRelSEM_obs_var_false = vec_json(omega_obsfalse),
    compRelSEM_tau_eq = vec_json(alpha_taueq),
    AVE = vec_json(ave),
    reliability = list(table = mat_json(rel$value), warnings = I(rel$warnings)),
    alpha_raw = vec_json(alpha_raw),
    htmt = mat_json(htmt_classic),
    htmt2 = mat_json(htmt_2),
    cor_lv = mat_json(cor_lv),
    fornell_larcker = list(sqrt_ave = vec_json(sqrt(ave)), table = mat_json(fl),
                           note = "diagonal = sqrt(AVE), off-diagonal = lavInspect(fit, 'cor.lv')"),
    harman = list(
      items = items,
      pca_eigenvalues = ev,
      pca_first_share = ev[1] / sum(ev),
      model = harman_model,
      warnings = I(h$warnings),
      converged = lavInspect(h$value, "converged"),
      fit = vec_json(fitMeasures(h$value)),
      estimates = rows(parameterEstimates(h$value, standardized = TRUE)),
      std_loadings = vec_json(setNames(hload$est.std, hload$rhs)),
      cfa_factor_share = mean(hload$est.std^2),
      factanal_share = sum(fa1$loadings^2) / length(items),
      note = "pca_first_share = first eigenvalue / p of the item correlation matrix (complete cases); cfa_factor_share = mean squared std.all loading of the one-factor ML CFA; factanal_share = same from stats::factanal"
    ),
    clf = list(
      model = clf_model,
      warnings = I(cl$warnings),
      converged = lavInspect(cl$value, "converged"),
      fit = vec_json(fitMeasures(cl$value)),
      estimates = rows(parameterEstimates(cl$value, standardized = TRUE)),
      method_std_loadings = vec_json(setNames(mload$est.std, mload$rhs)),
      method_variance_share = mean(mload$est.std^2),
      lavTestLRT = list(rows = cbind(model = rownames(lrt_tab), rows(lrt_tab)), warnings = I(lrt$warnings)),
      cfa_fit = vec_json(fitMeasures(fit))
    )
  )
  write_json(out, file.path(JSON, paste0(case, ".json")), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
  cat(" written\n")
}
measure_refs("semtools_complete_800", "cfa.lav", "complete_800", "harman.lav", "clf.lav",
             setNames(lapply(CONSTRUCTS, function(c) paste0(c, 1:4)), CONSTRUCTS))
measure_refs("semtools_hs", "hs_cfa.lav", "hs1939", "hs_harman.lav", "hs_clf.lav",
             list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9")))

# semTools on the structural (default) model: COL and INT are endogenous, so their variances are model-implied
# (not parameters) -- checks that measure recovers them from std.lv.
if (wanted("semtools_sem_800")) {
  cat(sprintf("%-24s", "semtools_sem_800"))
  model <- read_model("default.lav")
  fit <- sem(model, data = read_data("complete_800"))
  out <- list(
    case = "semtools_sem_800", dataset = "complete_800", versions = VERSIONS, model = model,
    fit_case = "ml_complete_800",
    compRelSEM = vec_json(compRelSEM(fit)),
    compRelSEM_obs_var_false = vec_json(compRelSEM(fit, obs.var = FALSE)),
    AVE = vec_json(AVE(fit)),
    cov_lv = mat_json(lavInspect(fit, "cov.lv")),
    cor_lv = mat_json(lavInspect(fit, "cor.lv"))
  )
  write_json(out, file.path(JSON, "semtools_sem_800.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
  cat(" written\n")
}
