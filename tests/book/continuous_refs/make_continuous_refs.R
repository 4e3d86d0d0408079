# lavaan 0.6.14 references for tests/book/test_continuous_items.py: the book's WLSMV robustness fit of an
# instrument with continuous items (INT1-INT3, `scale: continuous` in instrument.yaml) keeps them continuous:
# ordered = the 13 Likert items, missing = "pairwise".  data.csv: 171 simulated responses (no person).
# Run from this folder: Rscript make_continuous_refs.R  -> continuous_refs.json
suppressMessages({library(lavaan); library(jsonlite)})
d <- read.csv("data.csv")
model <- '
TRU =~ TRU1 + TRU2
GOV =~ GOV1 + GOV2 + GOV3 + GOV4
MKT =~ MKT1 + MKT2 + MKT3
COL =~ COL1 + COL2 + COL3 + COL4
INT =~ INT1 + INT2 + INT3
COL ~ a1*TRU + a2*GOV + a3*MKT
INT ~ b*COL + c1*TRU + c2*GOV + c3*MKT
ind_TRU := a1*b
tot_TRU := c1 + a1*b
ind_GOV := a2*b
tot_GOV := c2 + a2*b
ind_MKT := a3*b
tot_MKT := c3 + a3*b
'
likert <- c(paste0("TRU", 1:2), paste0("GOV", 1:4), paste0("MKT", 1:3), paste0("COL", 1:4))
fit <- sem(model, d, ordered = likert, estimator = "WLSMV", missing = "pairwise")
pe <- parameterEstimates(fit)
pe <- pe[pe$op %in% c("~", "=~", ":="), c("lhs", "op", "rhs", "est", "se")]
out <- list(lavaan = as.character(packageVersion("lavaan")), nobs = lavInspect(fit, "nobs"),
            fit = as.list(fitMeasures(fit, c("chisq.scaled", "df.scaled", "pvalue.scaled", "srmr"))),
            nthresholds = sum(parameterEstimates(fit)$op == "|"), estimates = pe)
write_json(out, "continuous_refs.json", digits = 12, auto_unbox = TRUE, pretty = TRUE)
