# A non-recursive pair (G ~ F and F ~ G) with 3 indicators each: what lavaan 0.6.14 says.
# Writes tests/base/data/nonrecursive_300.csv (the data, drawn here) and nonrecursive_300.lavaan.json.
# Run from the repository root: Rscript tests/base/make_nonrecursive_ref.R
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
set.seed(1); n <- 300
F <- rnorm(n); G <- 0.5 * F + rnorm(n)
d <- data.frame(f1 = F + rnorm(n, 0, .6), f2 = F + rnorm(n, 0, .6), f3 = F + rnorm(n, 0, .6),
                g1 = G + rnorm(n, 0, .6), g2 = G + rnorm(n, 0, .6), g3 = G + rnorm(n, 0, .6))
d <- round(d, 6)
write.csv(d, "tests/base/data/nonrecursive_300.csv", row.names = FALSE)
model <- "F =~ f1 + f2 + f3\nG =~ g1 + g2 + g3\nG ~ F\nF ~ G"
warn <- character(0)
fit <- withCallingHandlers(sem(model, data = d),
                           warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
pe <- parameterEstimates(fit)
out <- list(lavaan = as.character(packageVersion("lavaan")), model = model, converged = lavInspect(fit, "converged"),
            warnings = warn, se_regressions = pe$se[pe$op == "~"])
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, na = "null"), "tests/base/data/nonrecursive_300.lavaan.json")
