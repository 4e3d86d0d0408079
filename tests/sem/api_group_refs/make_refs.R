# lavaan 0.6.14 references for tests/sem/test_api_groups.py: multi-group fits through the Python API.
#   factor_levels: HS1939 with school a factor whose levels run c("Grant-White", "Pasteur") while Pasteur appears
#     first, and a fixed value per group, c(0.5, NA)*x2: lavaan 0.6.14 numbers the groups by first appearance
#     (lav_data_full: unique(as.character(data[[group]]))), not by the factor's levels, so 0.5 is Pasteur's;
#   codes_21: the same model grouped by a column coding Pasteur 2 and Grant-White 1 (group 1 is code 2);
#   bfi_fiml3: psych's bfi (tests/fixtures/real/bfi.csv), the rows with education 3, 4 or 5 (appearing as 3, 5,
#     4), agreeableness and neuroticism, group = "education", missing = "ml" (the data have blanks);
#   bfi_eq3: the same, listwise, group.equal = c("loadings", "intercepts");
#   bfi_mlr3: bfi_fiml3 with estimator = "MLR" (robust SEs, the scaled test, the robust CFI / TLI / RMSEA).
#
#   Rscript tests/sem/api_group_refs/make_refs.R
#
# Writes refs.json next to this script: per case the group labels, parameterEstimates() (lhs op rhs group label
# est se) and fitMeasures() (chisq df pvalue cfi tli rmsea srmr logl bic npar).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
bfi <- read.csv(file.path(HERE, "..", "..", "fixtures", "real", "bfi.csv"))
bfi <- bfi[!is.na(bfi$education) & bfi$education %in% 3:5, ]
HSM <- "visual =~ x1 + c(0.5, NA)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BFM <- "agree =~ A1 + A2 + A3 + A4 + A5\nneuro =~ N1 + N2 + N3 + N4 + N5"
one <- function(fit) {
  pe <- parameterEstimates(fit)
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "bic", "npar",
                           if (any(lavInspect(fit, "options")$test != "standard"))
                             c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust")))
  list(group_label = lavInspect(fit, "group.label"), nobs = lavInspect(fit, "nobs"),
       # parameterEstimates() drops a label column that is all empty: written as "" then
       pe = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group,
                 label = I(if (is.null(pe$label)) rep("", nrow(pe)) else pe$label), est = pe$est, se = pe$se),
       fit = as.list(unclass(fm)))
}
hf <- hs
hf$school <- factor(hf$school, levels = c("Grant-White", "Pasteur"))
stopifnot(as.character(hf$school[1]) == "Pasteur")
hc <- hs
hc$g <- ifelse(hs$school == "Pasteur", 2L, 1L)
out <- list(
  factor_levels = one(sem(HSM, hf, group = "school")),
  codes_21 = one(sem(HSM, hc, group = "g")),
  bfi_fiml3 = one(sem(BFM, bfi, group = "education", missing = "ml")),
  bfi_eq3 = one(sem(BFM, bfi, group = "education", missing = "listwise",
                    group.equal = c("loadings", "intercepts"))),
  bfi_mlr3 = one(sem(BFM, bfi, group = "education", missing = "ml", estimator = "MLR")))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "refs.json"))
