# References for the measurement fixes of session 10 (lavaan 0.6.14, semTools, psych).
#
#   Rscript tests/measure/refs/make_measurefix_refs.R
#
# Reads tests/reference/data/hs1939.csv and tests/measure/efa_refs/data_bfi.csv (complete rows of psych::bfi);
# writes measurefix_refs.json next to this script:
#   cfa.<case>: lavaan's parameterEstimates(standardized = TRUE) of the HS CFA with a cross-loading (x9 on vis
#     and speed, "hs_xl") and with a residual covariance (x7 ~~ x8, "hs_ce"); cr_std: the composite reliability
#     of the completely standardized solution, (sum of std loadings)^2 / sum of the model-implied correlation
#     block (lavInspect(fit, "cor.ov")); cr_std_semtools: semTools::compRelSEM(obs.var = FALSE) of the same
#     model refitted (std.lv = TRUE) to that implied correlation matrix, i.e. compRelSEM on the standardized
#     solution; htmt_distinct: HTMT (classic, absolute, listwise) with the heterotrait means over pairs of
#     different items (a shared item's r = 1 with itself left out); semtools_htmt_error: semTools' refusal.
#   alpha: psych::alpha on raw bfi (reverse-keyed items not recoded) for A, C, E: raw_alpha, std.alpha,
#     alpha.drop (raw, std), item.stats$r.drop, and psych's warnings.
#   clf: the common latent factor model (iur_survey.measure.clf_model_syntax) on clf_heywood.csv (written here:
#     N = 80, three correlated factors, c3 loading on A too) whose CFA + method fit has a negative residual
#     variance (c3): lavaan's warnings, the method variance and the largest loading change.
#   ave.<case>: semTools::AVE() of four CFAs, for iur_survey.measure.ave and the tables built on it (the book's
#     and `iur-survey tables`'): hs (HolzingerSwineford1939, complete), complete_800 (the study's simulated data,
#     seven factors), hs_fiml (hs1939_missing.csv, missing = "ml": sampstat is the EM h1 estimate) and
#     ordinal_600 (ordered = TRUE, WLSMV, delta): lavaan's parameterEstimates(standardized = TRUE), sampstat cov,
#     cor.lv, AVE() (obs.var = TRUE, semTools' default) and AVE(obs.var = FALSE).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
TESTS <- dirname(dirname(HERE))
hs <- read.csv(file.path(TESTS, "reference", "data", "hs1939.csv"))[, paste0("x", 1:9)]
models <- list(
  hs_xl = "vis =~ x1 + x2 + x3 + x9\ntext =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
  hs_ce = "vis =~ x1 + x2 + x3\ntext =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx7 ~~ x8")
cmap_of <- function(m) {
  out <- list()
  for (l in strsplit(m, "\n")[[1]]) if (grepl("=~", l)) {
    p <- strsplit(l, "=~")[[1]]; out[[trimws(p[1])]] <- trimws(strsplit(p[2], "\\+")[[1]])
  }
  out
}
htmt_distinct <- function(d, cmap) {
  R <- abs(cor(na.omit(d)))
  mono <- sapply(cmap, function(v) { r <- R[v, v]; mean(r[upper.tri(r)]) })
  nm <- names(cmap); H <- diag(length(nm)); dimnames(H) <- list(nm, nm)
  for (i in seq_along(nm)) for (j in seq_along(nm)) if (i != j) {
    a <- cmap[[i]]; b <- cmap[[j]]
    cells <- c(); for (x in a) for (y in b) if (x != y) cells <- c(cells, R[x, y])
    H[i, j] <- mean(cells) / sqrt(mono[i] * mono[j])
  }
  H
}
m2l <- function(m) list(rownames = rownames(m), colnames = colnames(m), values = unname(as.matrix(m)))
out <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
            psych = as.character(packageVersion("psych")))
for (nm in names(models)) {
  m <- models[[nm]]
  fit <- cfa(m, hs)
  pe <- parameterEstimates(fit, standardized = TRUE)
  lam <- lavInspect(fit, "std")$lambda
  Rimp <- lavInspect(fit, "cor.ov")
  cr <- sapply(colnames(lam), function(f) {
    ind <- rownames(lam)[lam[, f] != 0]
    sum(lam[ind, f])^2 / sum(Rimp[ind, ind])
  })
  fit2 <- cfa(m, sample.cov = Rimp, sample.nobs = nobs(fit), std.lv = TRUE)
  cmap <- cmap_of(m)
  err <- tryCatch({ htmt(m, hs, htmt2 = FALSE); "" }, error = function(e) conditionMessage(e))
  out$cfa[[nm]] <- list(model = m, estimates = pe, cor_ov = m2l(Rimp), cr_std = as.list(cr),
                        cr_std_semtools = as.list(compRelSEM(fit2, obs.var = FALSE)),
                        cor_lv = m2l(lavInspect(fit, "cor.lv")),
                        htmt_distinct = m2l(htmt_distinct(hs, cmap)), semtools_htmt_error = err)
}
bfi <- read.csv(file.path(TESTS, "measure", "efa_refs", "data_bfi.csv"))
for (k in c("A", "C", "E")) {
  items <- paste0(k, 1:5)
  w <- character(0)
  a <- withCallingHandlers(psych::alpha(bfi[, items]),
                           warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") })
  out$alpha[[k]] <- list(items = items, n = nrow(bfi), raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
                         alpha_drop = a$alpha.drop$raw_alpha, alpha_std_drop = a$alpha.drop$std.alpha,
                         r_drop = a$item.stats$r.drop, warnings = w)
}
set.seed(123)
N <- 80
F <- MASS::mvrnorm(N, c(0, 0, 0), matrix(c(1, .4, .3, .4, 1, .5, .3, .5, 1), 3))
sim <- data.frame(a1 = .8 * F[, 1], a2 = .7 * F[, 1], a3 = -.6 * F[, 1], a4 = .5 * F[, 1], b1 = .8 * F[, 2],
                  b2 = .6 * F[, 2], c1 = .7 * F[, 3], c2 = .7 * F[, 3], c3 = .5 * F[, 3] + .3 * F[, 1])
sim <- sim + matrix(rnorm(N * 9, sd = .6), N, 9)
write.csv(sim, file.path(HERE, "clf_heywood.csv"), row.names = FALSE)
base <- "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2\nC =~ c1 + c2 + c3"
clf <- paste0(base, "\nMETHOD =~ NA*a1 + m*a1 + m*a2 + m*a3 + m*a4 + m*b1 + m*b2 + m*c1 + m*c2 + m*c3",
              "\nMETHOD ~~ 1*METHOD\nMETHOD ~~ 0*A + 0*B + 0*C")
w <- character(0)
f1 <- withCallingHandlers(cfa(clf, sim), warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") })
f0 <- cfa(base, sim)
s0 <- standardizedSolution(f0); s1 <- standardizedSolution(f1)
l0 <- s0[s0$op == "=~", ]; l1 <- s1[s1$op == "=~" & s1$lhs != "METHOD", ]
out$clf <- list(warnings = w, method_variance = mean(s1$est.std[s1$lhs == "METHOD" & s1$op == "=~"]^2),
                max_loading_change = max(abs(l1$est.std - l0$est.std)),
                c3_residual_variance = parameterEstimates(f1)$est[with(parameterEstimates(f1), lhs == "c3" & op == "~~" & rhs == "c3")])
ave_cases <- list(
  hs = list(data = "hs1939.csv", model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"),
  complete_800 = list(data = "complete_800.csv", model = paste(sapply(c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"),
    function(f) paste0(f, " =~ ", paste0(f, 1:4, collapse = " + "))), collapse = "\n")),
  hs_fiml = list(data = "hs1939_missing.csv", missing = "ml",
                 model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"),
  ordinal_600 = list(data = "ordinal_600.csv", ordered = TRUE, model = paste(sapply(c("GOV", "BEN", "TAL", "COL"),
    function(f) paste0(f, " =~ ", paste0(f, 1:4, collapse = " + "))), collapse = "\n")))
for (nm in names(ave_cases)) {
  a <- ave_cases[[nm]]
  d <- read.csv(file.path(TESTS, "reference", "data", a$data))
  fit <- if (isTRUE(a$ordered)) cfa(a$model, d, ordered = TRUE) else
    cfa(a$model, d, missing = if (is.null(a$missing)) "listwise" else a$missing)
  S <- lavInspect(fit, "sampstat")$cov
  out$ave[[nm]] <- list(model = a$model, data = a$data, missing = if (is.null(a$missing)) "listwise" else a$missing,
                        ordered = isTRUE(a$ordered), estimator = lavInspect(fit, "options")$estimator, nobs = nobs(fit),
                        estimates = parameterEstimates(fit, standardized = TRUE),
                        sampstat = m2l(unclass(S)), cor_lv = m2l(lavInspect(fit, "cor.lv")),
                        AVE = as.list(unclass(AVE(fit))), AVE_obs_var_false = as.list(unclass(AVE(fit, obs.var = FALSE))))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(HERE, "measurefix_refs.json"))
