# The limit of lavaan's WLSMV (and ULS) estimates of a MISSPECIFIED analysis model of ordered codes: the fit of
# model.lav to one very large sample (N = 400000) of pop.lav (y* drawn multivariate normal from the population's
# implied covariance and cut at its thresholds, codes 1..4, as iur_survey.power draws them), lavaan 0.6.14.
# With N this large the estimates are their large-sample limits (the pseudo-true values) to about 0.003.
# The reference for tests/power/test_power_misspec.py.  Run from this directory: Rscript make_misspec_ref.R
suppressMessages({library(lavaan); library(MASS)})
set.seed(20261206)
txt <- readLines("pop.lav")
th_lines <- grep("\\|", txt, value = TRUE)
pop <- paste(grep("\\|", txt, value = TRUE, invert = TRUE), collapse = "\n")
ov <- paste0(rep(c("x", "y"), each = 4), 1:4)
f0 <- lavaan(pop, sample.cov = matrix(diag(8), 8, 8, dimnames = list(ov, ov)), sample.nobs = 100, do.fit = FALSE,
             start = "simple")
S <- lavInspect(f0, "implied")$cov
th <- lapply(th_lines, function(l) {
  parts <- strsplit(sub("^\\s*\\S+\\s*\\|\\s*", "", l), "\\+")[[1]]
  as.numeric(sub("\\*t[0-9]+", "", trimws(parts)))
})
names(th) <- trimws(sub("\\|.*", "", th_lines))
N <- 400000
ys <- mvrnorm(N, rep(0, nrow(S)), S)
d <- as.data.frame(sapply(colnames(S), function(v) 1 + findInterval(ys[, v], th[[v]])))
mod <- paste(readLines("model.lav"), collapse = "\n")
out <- list()
for (est in c("WLSMV", "ULS")) {
  f <- sem(mod, data = d, ordered = colnames(d), estimator = est)
  pe <- parameterEstimates(f)
  pe <- pe[pe$op %in% c("=~", "~", "~~") & (pe$se > 0 | pe$op == "~"), ]
  out[[est]] <- data.frame(estimator = est, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se)
}
res <- do.call(rbind, out)
write.csv(res, "misspec_ref.csv", row.names = FALSE)
print(res)
cat(sprintf("lavaan %s, N = %d\n", packageVersion("lavaan"), N))
