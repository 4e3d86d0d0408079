# lavaan 0.6.14 on the non-converging fixture: converged?, iterations, and what fitMeasures() says.
# Run from the repository root: Rscript tests/base/make_nonconverged_ref.R
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
d <- read.csv("tests/base/data/nonconverged_51.csv")
model <- paste(readLines("tests/base/data/cfa3.lav"), collapse = "\n")
warn <- character(0)
fit <- withCallingHandlers(cfa(model, data = d),
                           warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
fm <- tryCatch({fitMeasures(fit); "returned"}, error = function(e) conditionMessage(e))
out <- list(lavaan = as.character(packageVersion("lavaan")), n = nrow(d), converged = lavInspect(fit, "converged"),
            iterations = lavInspect(fit, "iterations"), warnings = warn, fitMeasures = fm)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE), "tests/base/data/nonconverged_51.lavaan.json")
