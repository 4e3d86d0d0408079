# What lavaan 0.6.14 reports for a FIML fit that cannot converge, for tests/sem/test_fiml_stall.py.
# Run from the repository root:
#   Rscript tests/sem/stall_refs/make_stall_ref.R
# Writes tests/sem/stall_refs/stall_ref.json (+ make_stall_ref.Rout by hand: R CMD BATCH); the tests only read it.
# Data: tests/sem/stall_refs/fiml_stall.csv, a replication of the power module's Monte Carlo (mediation
# m ~ .3 x, y ~ .3 m, n 20, 50 % of the cells blanked MCAR, seed 3, replication 5; written with 17 significant
# digits, read back exactly).  10 cases have x missing and are deleted (fixed.x); y ~~ y runs to 0 (the
# likelihood is unbounded), so no fit converges: nlminb stops and lavaan's gradient check turns it down.
suppressMessages(library(lavaan))
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
dir <- "tests/sem/stall_refs"
d <- read.csv(file.path(dir, "fiml_stall.csv"))
model <- "m ~ a*x\ny ~ b*m + c*x\nind := a*b"
warns <- character(0)
out <- capture.output(fit <- withCallingHandlers(
  sem(model, d, missing = "ml", meanstructure = TRUE, verbose = TRUE),
  warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") }))
nlminb <- trimws(sub(".*says:", "", grep("nlminb message says", out, value = TRUE)))
pe <- parameterEstimates(fit)
ref <- list(lavaan = as.character(packageVersion("lavaan")), model = model,
            converged = lavInspect(fit, "converged"), iterations = lavInspect(fit, "iterations"),
            nlminb = nlminb, ntotal = lavInspect(fit, "ntotal"),
            gradient_check_failed = any(grepl("claimed the model converged", warns)),
            warnings = gsub("[[:space:]]+", " ", warns),
            estimates = lapply(seq_len(nrow(pe)), function(i) list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i],
                                                                  est = pe$est[i], se = pe$se[i])))
print(ref[c("converged", "iterations", "nlminb", "ntotal", "gradient_check_failed")])
print(pe[, 1:6])
stopifnot(!ref$converged)
write_json(ref, file.path(dir, "stall_ref.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
