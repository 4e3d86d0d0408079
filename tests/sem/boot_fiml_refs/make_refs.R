# lavaan 0.6.14 references for tests/sem/test_bootstrap_fiml_intervals.py: a FIML (missing = "ml") bootstrap of a
# mediation model refitted by lavaan on GIVEN resamples (as lavaan's own bootstrap refits a draw: no SEs, no
# test, check.post = FALSE; lavaan's default starting values, since start = fit frees the exogenous x's moments
# under missing = "ml"), the intervals of parameterEstimates(
# boot.ci.type = "perc" / "bca.simple" / "norm" / "basic") computed by lavaan's code on those draws (the draws
# put into a bootstrap fit's @boot slot, the SEs by lav_model_vcov_se as lavaan computes them), and the BCa
# interval with the jackknife acceleration (leave-one-case-out refits; Efron's a = sum(L^3) / (6 sum(L^2)^1.5),
# lavaan's z0 and its norm.inter quantiles), the package's ci = "bca".  Data: tests/sem/stdnox_refs/data.csv
# (m1, m3, y2 have missing answers).  Run from the repository root:
#   Rscript tests/sem/boot_fiml_refs/make_refs.R
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(packageVersion("lavaan") == "0.6.14")
d <- read.csv("tests/sem/stdnox_refs/data.csv")
model <- '
  M =~ m1 + m2 + m3
  Y =~ y1 + y2 + y3
  M ~ a*x1 + x2
  Y ~ b*M + c*x1
  ab := a*b
  tot := c + a*b
'
N <- nrow(d); B <- 60L
fit <- sem(model, d, missing = "ml")
set.seed(7)
idx <- t(replicate(B, sample.int(N, N, replace = TRUE)))
refit <- function(dd) {
  f <- suppressWarnings(sem(model, dd, missing = "ml", se = "none", test = "none", baseline = FALSE, h1 = FALSE,
                            loglik = FALSE, implied = FALSE, check.start = FALSE, check.post = FALSE,
                            optim.attempts = 1L))
  stopifnot(f@optim$converged)
  f@optim$x
}
BOOT <- t(apply(idx, 1, function(i) refit(d[i, ])))
colnames(BOOT) <- names(coef(fit))
JACK <- t(sapply(seq_len(N), function(i) refit(d[-i, ])))
set.seed(1)
fitb <- suppressWarnings(sem(model, d, missing = "ml", se = "bootstrap", bootstrap = 2L))
attr(BOOT, "seed") <- 1L; attr(BOOT, "error.idx") <- integer(0)
fitb@boot$coef <- BOOT
fitb@ParTable$se <- lavaan:::lav_model_vcov_se(fitb@Model, fitb@ParTable, VCOV = cov(BOOT) * (B - 1) / B, BOOT = BOOT)
tab <- function(x) { x <- as.data.frame(x); rownames(x) <- NULL; x }
out <- list(model = model, B = B, N = N, idx = idx - 1L, coef = unname(BOOT[, ]), jack = unname(JACK))
for (ty in c("perc", "bca.simple", "norm", "basic")) {
  pe <- parameterEstimates(fitb, boot.ci.type = ty)
  out[[ty]] <- tab(pe[, c("lhs", "op", "rhs", "est", "se", "ci.lower", "ci.upper")])
}
# BCa with the jackknife acceleration, every free parameter and := parameter (lavaan's loop of "bca")
src <- deparse(lavaan:::parameterEstimates)
i0 <- grep("norm.inter <- function", src)[1]; i1 <- grep("cbind(round(rk, 2), out)", src, fixed = TRUE)[1] + 1
norm.inter <- eval(parse(text = sub("^\\s*norm.inter <- ", "", paste(src[i0:i1], collapse = "\n"))))
accel <- function(x) { L <- mean(x) - x; sum(L^3) / (6 * sum(L^2)^1.5) }
zalpha <- qnorm(c(.025, .975))
x <- coef(fit); x.def <- fit@Model@def.function(x)
T <- cbind(BOOT[, ], t(apply(BOOT, 1, fit@Model@def.function)))
J <- cbind(JACK, t(apply(JACK, 1, fit@Model@def.function)))
t0 <- c(x, x.def)
bca <- t(sapply(seq_along(t0), function(i) {
  w <- qnorm(sum(T[, i] < t0[i]) / B); a <- accel(J[, i])
  norm.inter(T[, i], pnorm(w + (w + zalpha) / (1 - a * (w + zalpha))))[, 2]
}))
out$bca_jackknife <- data.frame(name = c(names(x), names(x.def)), ci.lower = bca[, 1], ci.upper = bca[, 2],
                                accel = apply(J, 2, accel))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", na = "null"),
           "tests/sem/boot_fiml_refs/refs.json")
