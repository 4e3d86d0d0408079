# semTools 0.5-6 / lavaan 0.6.14 references for tests/report/test_own_instrument_tables.py: `iur-survey tables` of
# a fit made with an analyst's own 7-point instrument (instrument.yaml: TRU, GOV, COL, INT; Chinese group names).
# data.csv: 177 simulated responses (no person), item nonresponse left blank.
# Run from this folder: Rscript make_own7_refs.R  -> own7_refs.json
suppressMessages({library(lavaan); library(semTools); library(jsonlite)})
d <- read.csv("data.csv")
cons <- list(TRU = paste0("TRU", 1:3), GOV = paste0("GOV", 1:3), COL = paste0("COL", 1:3), INT = paste0("INT", 1:5))
model <- paste(c(sapply(names(cons), function(c) paste(c, "=~", paste(cons[[c]], collapse = " + "))),
                 "COL ~ a1*TRU + a2*GOV", "INT ~ b*COL + c1*TRU + c2*GOV",
                 "ind_TRU := a1*b", "tot_TRU := c1 + a1*b", "ind_GOV := a2*b", "tot_GOV := c2 + a2*b"),
               collapse = "\n")
fit <- sem(model, d, missing = "ml")
alpha <- sapply(cons, function(it) { x <- na.omit(d[, it]); k <- ncol(x)
  k / (k - 1) * (1 - sum(apply(x, 2, var)) / var(rowSums(x))) })
out <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
            n = lavInspect(fit, "nobs"), alpha = as.list(alpha), omega = as.list(compRelSEM(fit)),
            ave = as.list(AVE(fit)), chisq = fitMeasures(fit, "chisq"))
write_json(out, "own7_refs.json", digits = 12, auto_unbox = TRUE, pretty = TRUE)
