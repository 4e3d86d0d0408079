# lavaan 0.6.14 references for lavTestWald() on WLSMV (ordered-item) fits, one group and by gender, delta
# and theta parameterization, with and without group.equal: iur_survey.sem.compare.wald_test /
# wald_equal_paths must read each labelled row at its own column of the estimates' covariance matrix
# (a WLSMV theta is laid out [kept model parameters, thresholds, scales], not in par_index order).
#
#   Rscript tests/sem/compare_refs/make_wlsmv_wald_refs.R
#
# Data: psych's bfi, the A and C items, gender: 800 complete cases drawn with set.seed(7) (written as
# bfi_cc_800.csv beside this script).  Writes wlsmv_wald.json: per case the Wald statistics (stat, df,
# p.value) of the listed constraints and the := rows' est / se of parameterEstimates().
suppressPackageStartupMessages({ library(lavaan); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
data(bfi, package = "psych")
b <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5), "gender")]
cc <- b[complete.cases(b), ]
set.seed(7); cc <- cc[sort(sample(nrow(cc), 800)), ]
write.csv(cc, file.path(HERE, "bfi_cc_800.csv"), row.names = FALSE)
d <- read.csv(file.path(HERE, "bfi_cc_800.csv"))
items <- c(paste0("A", 1:5), paste0("C", 1:5))
meas <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\n"
m_groups <- paste0(meas, "C ~ c(b1, b2)*A\nA ~~ c(va1, va2)*A\nd := b1 - b2")
m_one <- "A =~ A1 + l2*A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nC ~ b*A\nA ~~ va*A\nr := b * va"
cons_groups <- c("b1 == b2", "va1 == va2", "b1 == b2; va1 == va2")
cons_one <- c("va == 1", "l2 == 1; b == -0.5")
case <- function(model, cons, ...) {
  f <- sem(model, d, ordered = items, estimator = "WLSMV", ...)
  stopifnot(lavInspect(f, "converged"))
  pe <- parameterEstimates(f)
  w <- lapply(cons, function(k) { t <- lavTestWald(f, k); list(constraints = k, stat = t$stat, df = t$df,
                                                                p.value = t$p.value) })
  list(wald = w, defined = list(lhs = pe$lhs[pe$op == ":="], est = pe$est[pe$op == ":="],
                                se = pe$se[pe$op == ":="]))
}
refs <- list(lavaan = as.character(packageVersion("lavaan")),
  groups_delta = case(m_groups, cons_groups, group = "gender"),
  groups_theta = case(m_groups, cons_groups, group = "gender", parameterization = "theta"),
  groups_thresholds_loadings = case(m_groups, cons_groups, group = "gender",
                                    group.equal = c("thresholds", "loadings")),
  one = case(m_one, cons_one))
write_json(refs, file.path(HERE, "wlsmv_wald.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
