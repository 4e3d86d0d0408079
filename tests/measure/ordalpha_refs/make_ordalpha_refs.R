# References for alpha (compRelSEM(tau.eq = TRUE)) and the total composite (compRelSEM(return.total = TRUE)) of
# fits with ORDERED items (lavaan 0.6.14, semTools 0.5-6, psych).
#
#   Rscript tests/measure/ordalpha_refs/make_ordalpha_refs.R
#
# Reads tests/measure/ordrel_refs/hs1939_ord4.csv and hs1939_mixed.csv (written by make_ordrel_refs.R) and
# writes, next to this script, hs1939_ord4_gaps.csv (hs1939_ord4 with x1 coded 1, 3, 4, 7 instead of 1-4 and
# x2, x5 blank in 12 rows each) and ordalpha_refs.json, one entry per case:
#   model, data (file under tests/), ordered, parameterization, missing, group, nobs;
#   estimates: parameterEstimates(fit); sampstat, fitted: lavInspect(fit, "sampstat" / "fitted")$cov (per group
#   label for hs4_groups);
#   alpha: compRelSEM(fit, tau.eq = TRUE) (ord.scale = TRUE: alpha of cov(lavInspect(fit, "data")), the codes
#     1..K of the rows the fit used, divided by the scales), alpha_ord_scale_false (tau.eq, ord.scale = FALSE:
#     of the polychoric sampstat), alpha_ord_scale_false_obs_var_false (of the fitted matrix);
#   total: compRelSEM(fit, return.total = TRUE) or total_error (semTools' error), total_ord_scale_false,
#     total_obs_var_false (ord.scale = FALSE, obs.var = FALSE), alpha_total (tau.eq, return.total),
#     alpha_total_ord_scale_false;
#   messages: semTools' messages of each call (named as the entry);
#   psych_alpha: psych::alpha(lavInspect(fit, "data"))$total$raw_alpha per factor (the codes of the fit's rows),
#   psych_ordinal_alpha: psych::alpha(psych::polychoric(codes)$rho)$total$raw_alpha per factor ("ordinal alpha").
# Cases: hs4, hs4_theta (parameterization = "theta"), hs4_mixed (x1-x3, x9 continuous: speed mixed),
#   hs4_gaps (hs1939_ord4_gaps.csv, listwise: x1's codes are its ranks 1-4, the rows are those complete on x1-x9),
#   hs4_pairwise (the same data, missing = "pairwise": the data hold NA, so semTools' alpha is NA),
#   hs4_groups (two groups, school), study (ordinal_600.csv, the study's structural model).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
TESTS <- dirname(dirname(HERE))
hs4 <- read.csv(file.path(TESTS, "measure", "ordrel_refs", "hs1939_ord4.csv"))
mixed <- read.csv(file.path(TESTS, "measure", "ordrel_refs", "hs1939_mixed.csv"))
ord600 <- read.csv(file.path(TESTS, "reference", "data", "ordinal_600.csv"))
gaps <- hs4
gaps$x1 <- c(1L, 3L, 4L, 7L)[gaps$x1]
gaps$x2[seq(5, by = 23, length.out = 12)] <- NA
gaps$x5[seq(11, by = 19, length.out = 12)] <- NA
write.csv(gaps, file.path(HERE, "hs1939_ord4_gaps.csv"), row.names = FALSE, na = "")

hs3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
items <- function(p) paste(p, 1:4, sep = "", collapse = " + ")
F7 <- c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")
study <- paste(c(sprintf("%s =~ %s", F7, sapply(F7, items)),
                 "COL ~ GOV + MKT + BEN + VAL + TAL", "INT ~ COL + GOV + MKT + BEN + VAL + TAL"), collapse = "\n")
x19 <- paste0("x", 1:9)
cases <- list(
  hs4 = list(model = hs3, data = "measure/ordrel_refs/hs1939_ord4.csv", d = hs4, ordered = x19),
  hs4_theta = list(model = hs3, data = "measure/ordrel_refs/hs1939_ord4.csv", d = hs4, ordered = x19,
                   parameterization = "theta"),
  hs4_mixed = list(model = hs3, data = "measure/ordrel_refs/hs1939_mixed.csv", d = mixed, ordered = paste0("x", 4:8)),
  hs4_gaps = list(model = hs3, data = "measure/ordalpha_refs/hs1939_ord4_gaps.csv", d = gaps, ordered = x19),
  hs4_pairwise = list(model = hs3, data = "measure/ordalpha_refs/hs1939_ord4_gaps.csv", d = gaps, ordered = x19,
                      missing = "pairwise"),
  hs4_groups = list(model = hs3, data = "measure/ordrel_refs/hs1939_ord4.csv", d = hs4, ordered = x19,
                    group = "school"),
  study = list(model = study, data = "reference/data/ordinal_600.csv", d = ord600,
               ordered = as.vector(sapply(F7, paste0, 1:4))))
m2l <- function(m) list(rownames = rownames(m), colnames = colnames(m), values = unname(as.matrix(m)))
# one named list per group label (or the vector of a one-group fit), NA -> null
rel <- function(v, labs) if (is.null(labs)) as.list(setNames(as.numeric(v), names(v))) else
  setNames(lapply(seq_along(labs), function(i) as.list(unlist(v[i, -1]))), labs)
run <- function(expr) { out <- character(0)
  val <- tryCatch(withCallingHandlers(expr, message = function(m) {
    out <<- c(out, trimws(conditionMessage(m))); invokeRestart("muffleMessage") }),
    error = function(e) structure(conditionMessage(e), class = "semtools_error"))
  list(value = val, messages = out) }
out <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
            psych = as.character(packageVersion("psych")))
for (nm in names(cases)) {
  k <- cases[[nm]]
  par <- if (is.null(k$parameterization)) "delta" else k$parameterization
  mis <- if (is.null(k$missing)) "listwise" else k$missing
  fit <- if (is.null(k$group)) sem(k$model, data = k$d, ordered = k$ordered, estimator = "WLSMV",
                                   parameterization = par, missing = mis) else
    sem(k$model, data = k$d, ordered = k$ordered, estimator = "WLSMV", group = k$group)
  stopifnot(lavInspect(fit, "converged"))
  labs <- if (is.null(k$group)) NULL else lavInspect(fit, "group.label")
  pe <- parameterEstimates(fit)
  cols <- c("lhs", "op", "rhs", "est", "se")
  if (!is.null(labs)) { pe$group <- labs[pe$group]; cols <- c(cols, "group") }
  one <- function(x) if (is.null(labs)) m2l(x$cov) else setNames(lapply(labs, function(g) m2l(x[[g]]$cov)), labs)
  e <- list(model = k$model, data = k$data, ordered = k$ordered, parameterization = par, missing = mis,
            group = k$group, groups = labs, nobs = lavInspect(fit, "nobs"), estimates = pe[, cols],
            sampstat = one(lavInspect(fit, "sampstat")), fitted = one(lavInspect(fit, "fitted")), messages = list())
  calls <- list(alpha = list(tau.eq = TRUE), alpha_ord_scale_false = list(tau.eq = TRUE, ord.scale = FALSE),
                alpha_ord_scale_false_obs_var_false = list(tau.eq = TRUE, ord.scale = FALSE, obs.var = FALSE),
                total = list(return.total = TRUE), total_ord_scale_false = list(return.total = TRUE, ord.scale = FALSE),
                total_obs_var_false = list(return.total = TRUE, ord.scale = FALSE, obs.var = FALSE),
                alpha_total = list(tau.eq = TRUE, return.total = TRUE),
                alpha_total_ord_scale_false = list(tau.eq = TRUE, ord.scale = FALSE, return.total = TRUE))
  for (cn in names(calls)) {
    r <- run(do.call(compRelSEM, c(list(fit), calls[[cn]])))
    if (inherits(r$value, "semtools_error")) e[[paste0(cn, "_error")]] <- unclass(r$value)
    else e[[cn]] <- rel(r$value, labs)
    e$messages[[cn]] <- r$messages
  }
  if (is.null(labs) && mis == "listwise") {   # psych on the codes of the rows the fit used
    X <- lavInspect(fit, "data")
    fac <- unique(pe$lhs[pe$op == "=~"])
    e$psych_alpha <- sapply(fac, function(f) {
      it <- pe$rhs[pe$op == "=~" & pe$lhs == f]
      suppressWarnings(psych::alpha(X[, it])$total$raw_alpha) }, simplify = FALSE)
    e$psych_ordinal_alpha <- sapply(fac, function(f) {
      it <- pe$rhs[pe$op == "=~" & pe$lhs == f]
      if (!all(it %in% k$ordered)) return(NA)
      suppressWarnings(psych::alpha(psych::polychoric(X[, it])$rho)$total$raw_alpha) }, simplify = FALSE)
  }
  out[[nm]] <- e
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE),
           file.path(HERE, "ordalpha_refs.json"))
