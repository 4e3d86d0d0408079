# The fuzz case of issue 10: two latent variables regress on each other (GOV ~ MKT, MKT ~ GOV) on the
# cleaned simulated survey (`iur-survey simulate --n 300 --seed 7 --format csv --out sim/`,
# `iur-survey clean sim/export.csv --out c/`, items GOV1-4 and MKT1-4 of c/clean.csv, 20 blank cells).
# Reads the committed tests/base/data/nonrecursive_fuzz_301.csv and nonrecursive_fuzz.lav and writes
# nonrecursive_fuzz_301.lavaan.json: lavaan 0.6.14's warnings and every parameter's est and se (NA -> null),
# with missing = "ml" as `iur-survey fit` uses (FIML, observed information).
# Run from the repository root: Rscript tests/base/make_nonrecursive_fuzz_ref.R
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
d <- read.csv("tests/base/data/nonrecursive_fuzz_301.csv")
model <- paste(readLines("tests/base/data/nonrecursive_fuzz.lav"), collapse = "\n")
warn <- character(0)
fit <- withCallingHandlers(sem(model, data = d, missing = "ml"),
                           warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
pe <- parameterEstimates(fit)
I <- lavInspect(fit, "information")
out <- list(lavaan = as.character(packageVersion("lavaan")), model = model, missing = "ml",
            converged = lavInspect(fit, "converged"), warnings = warn,
            information_min_eigenvalue = min(eigen(I, symmetric = TRUE, only.values = TRUE)$values),
            vcov_min_eigenvalue = min(eigen(vcov(fit), symmetric = TRUE, only.values = TRUE)$values),
            # R's solve() rule, which lavaan applies to the information matrix: does solve() fail on the
            # n x n Hilbert matrix (reciprocal condition number against .Machine$double.eps)?
            solve_fails_hilbert = setNames(as.list(sapply(8:14, function(n) {
                H <- outer(1:n, 1:n, function(i, j) 1 / (i + j - 1))
                inherits(try(solve(H), silent = TRUE), "try-error") })), as.character(8:14)),
            parameters = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se))
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, na = "null", digits = NA),
           "tests/base/data/nonrecursive_fuzz_301.lavaan.json")
