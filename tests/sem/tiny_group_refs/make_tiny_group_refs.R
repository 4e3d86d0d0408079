# lavaan 0.6.14 reference for test_fiml_tiny_group.py.
#   Rscript tests/sem/tiny_group_refs/make_tiny_group_refs.R      (~3 min)   -> tiny_group_refs.json (+ .Rout by hand)
# Data: roles_733.csv, an independent simulation (4 roles, n = 180 / 95 / 420 / 38, 28 items 1-5, 2.6 % cells
# missing): the 'government' group has 38 cases for 28 items.  The study's model with one label per group for
# every structural path, FIML (missing = "ml").  Records lavaan's chisq and robust CFI/RMSEA, and the eigenvalues
# of the observed information of the saturated model (Wm) that lav_fit_fiml_corrected inverts: in group 4 they
# span -1e15 ... 1e8, so lavaan's cfi.robust there is rounding noise.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "roles_733.csv"), stringsAsFactors = FALSE)
G <- 4L
lab <- function(x) vapply(x, function(v) sprintf("c(%s)", paste0(v, ".g", seq_len(G), collapse = ", ")), "")
mech <- c("GOV", "MKT", "BEN", "VAL", "TAL")
fac <- c(mech, "COL", "INT")
model <- paste(c(vapply(fac, function(f) paste0(f, " =~ ", paste0(f, 1:4, collapse = " + ")), ""),
  paste0("COL ~ ", paste0(lab(paste0("a", 1:5)), "*", mech, collapse = " + ")),
  paste0("INT ~ ", lab("b"), "*COL + ", paste0(lab(paste0("c", 1:5)), "*", mech, collapse = " + "))), collapse = "\n")
fit <- sem(model, d, group = "role", missing = "ml")
fm <- fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "cfi.robust", "rmsea.robust"))
fit2 <- fit
fit2@Options$h1.information <- c("unstructured", "unstructured")
fit2@Options$observed.information <- c("h1", "h1")
Wm <- lavaan:::lav_model_h1_information_observed(fit2)
eig <- lapply(Wm, function(W) range(eigen(W, symmetric = TRUE, only.values = TRUE)$values))
out <- list(group_labels = lavInspect(fit, "group.label"), nobs = unlist(lavInspect(fit, "nobs")),
            fit = as.list(fm), wm_eigen_range = eig, wm_rcond = vapply(Wm, rcond, 0))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(HERE, "tiny_group_refs.json"))
print(out)
