# psych's cor.smooth of lavaan's non-positive-definite polychoric matrix
# (tests/measure/test_efaaudit.py::test_smoothed_polychoric_*).  Rscript make_smooth_refs.R -> smooth_refs.json
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})
nb <- read.csv("data_npd_binary.csv")
r <- unclass(lavCor(nb, ordered = names(nb)))
s <- suppressWarnings(cor.smooth(r))
out <- list(psych = as.character(packageVersion("psych")), lavaan = as.character(packageVersion("lavaan")),
            min_eigen = min(eigen(r)$values), smoothed = unname(s), n = nrow(nb))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "smooth_refs.json")
