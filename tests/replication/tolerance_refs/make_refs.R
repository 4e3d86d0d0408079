# References for tests/replication/test_pack_tolerances.py (run from this folder: Rscript make_refs.R).
# mg_data.csv: `iur-survey simulate --n 500 --seed 11 --format csv`, cleaned, the pack data of `fit --group role`.
# 1. mg_*: a 4-group FIML fit (simulated export, roles of 155/100/200/55 cases) whose smallest group has a flat
#    likelihood: lavaan 0.6.14 stops within ~2e-4 of the optimum there (estimates, 1e-3 of an SE).
# 2. hs_boot_*: lavaan's bootstrap (B = 1000, perc) of the 3-factor CFA of HolzingerSwineford1939.
suppressMessages(library(lavaan))
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
d <- read.csv("mg_data.csv", stringsAsFactors = FALSE)
m <- paste(readLines("mg_model.lav", warn = FALSE), collapse = "\n")
fit <- sem(m, data = d, estimator = "ML", missing = "ml", group = "role")
pe <- parameterEstimates(fit, standardized = TRUE)
pe$group.label <- ifelse(pe$group > 0, lavInspect(fit, "group.label")[pmax(pe$group, 1L)], "")
write.csv(pe[, c("lhs", "op", "rhs", "group.label", "est", "se", "std.lv", "std.all")], "mg_lavaan.csv",
          row.names = FALSE)
write.csv(data.frame(measure = c("chisq", "logl"), value = unname(fitMeasures(fit, c("chisq", "logl")))),
          "mg_lavaan_fit.csv", row.names = FALSE)
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]     # = tests/reference/data/hs1939.csv
hm <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
bf <- cfa(hm, data = hs, se = "bootstrap", bootstrap = 1000L, iseed = 2022L)
be <- parameterEstimates(bf, boot.ci.type = "perc")
write.csv(be[, c("lhs", "op", "rhs", "est", "se", "ci.lower", "ci.upper")], "hs_boot_lavaan.csv", row.names = FALSE)
