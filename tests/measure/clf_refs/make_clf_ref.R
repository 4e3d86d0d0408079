# lavaan 0.6.14 on clf_survey.csv (written by make_clf_survey.py): the CFA and the common latent factor model
# (one equal method loading m, method factor orthogonal, variance 1: iur_survey.measure.cmv.clf_model_syntax),
# FIML (missing = "ml"), lavaan's default starts.  Run from this folder:
#     Rscript make_clf_ref.R > make_clf_ref.Rout
# test_clf_local_minimum.py asserts the package's chi-squares equal the ones printed here (to 1e-3).
suppressPackageStartupMessages(library(lavaan))
d <- read.csv("clf_survey.csv")
cons <- c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT")
items <- paste0(rep(cons, each = 4), 1:4)
cfa_syn <- paste(sapply(cons, function(k) paste(k, "=~", paste0(k, 1:4, collapse = " + "))), collapse = "\n")
clf_syn <- paste(cfa_syn,
                 paste("METHOD =~ NA*GOV1 +", paste0("m*", items, collapse = " + ")),
                 "METHOD ~~ 1*METHOD",
                 paste("METHOD ~~", paste0("0*", cons, collapse = " + ")), sep = "\n")
base <- cfa(cfa_syn, d, missing = "ml")
clf <- cfa(clf_syn, d, missing = "ml")
cat("lavaan", as.character(packageVersion("lavaan")), "\n")
cat(sprintf("cfa chisq %.6f df %d\n", fitMeasures(base, "chisq"), as.integer(fitMeasures(base, "df"))))
cat(sprintf("clf chisq %.6f df %d m %.6f\n", fitMeasures(clf, "chisq"), as.integer(fitMeasures(clf, "df")),
            coef(clf)[["m"]]))
