# References for Harman's single-factor test on data with no complete response (psych 2.x, lavaan 0.6.14).
#
#   Rscript tests/measure/cmv_refs/make_harman_refs.R
#
# Writes harman_missing.csv (300 respondents, 8 seven-point items of two correlated factors, 25 % of the cells
# missing completely at random plus one more blank item in every row, so that no row is complete) and
# harman_refs.json: psych::principal(data, nfactors = 1, rotate = "none")'s first eigenvalue / p (psych's
# default use = "pairwise": the pairwise-complete correlation matrix), the pairwise counts, and the one-factor
# CFA's mean squared std.all loading fitted by lavaan with missing = "ml" (FIML).
suppressPackageStartupMessages({ library(lavaan); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
set.seed(20261205)
n <- 300
f <- MASS::mvrnorm(n, c(0, 0), matrix(c(1, .4, .4, 1), 2))
lam <- c(.8, .7, .6, .5)
y <- cbind(f[, 1] %o% lam, f[, 2] %o% lam) + matrix(rnorm(n * 8), n) * sqrt(1 - rep(lam, 2)^2)
x <- matrix(as.integer(cut(y, c(-Inf, -1.5, -.8, -.25, .25, .8, 1.5, Inf))), n)
colnames(x) <- c(paste0("a", 1:4), paste0("b", 1:4))
x[matrix(runif(n * 8) < .25, n)] <- NA
x[cbind(seq_len(n), sample(8, n, replace = TRUE))] <- NA
stopifnot(sum(complete.cases(x)) == 0)
d <- as.data.frame(x)
write.csv(d, file.path(HERE, "harman_missing.csv"), row.names = FALSE, na = "")
pc <- principal(d, nfactors = 1, rotate = "none")
cnt <- crossprod(!is.na(as.matrix(d)))
one <- cfa(paste("F =~", paste(names(d), collapse = " + ")), d, missing = "ml")
ss <- standardizedSolution(one)
refs <- list(lavaan = as.character(packageVersion("lavaan")), psych = as.character(packageVersion("psych")),
             n_rows = nrow(d), n_complete = sum(complete.cases(d)),
             pca_first_share = pc$values[1] / ncol(d), pca_values = pc$values,
             pairwise_n_min = min(cnt[upper.tri(cnt)]), pairwise_n_max = max(cnt[upper.tri(cnt)]),
             cfa_fiml_share = mean(ss$est.std[ss$op == "=~"]^2), cfa_fiml_nobs = lavInspect(one, "nobs"),
             cfa_fiml_fit = as.list(fitMeasures(one, c("chisq", "df", "cfi", "rmsea", "srmr"))))
writeLines(toJSON(refs, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(HERE, "harman_refs.json"))
