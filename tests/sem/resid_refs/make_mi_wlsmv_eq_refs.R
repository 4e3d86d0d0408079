# lavaan 0.6.14 references: modindices(fit, sort. = TRUE) of one-group WLSMV fits with equality constraints --
# a label shared by two loadings (`a*A2 + a*A3`) and a user `b == c` between two labelled loadings.
# The fitted model's constraints enter the indices (the "I11^-" of lavaan's modindices is the constrained inverse).
#
#   Rscript tests/sem/resid_refs/make_mi_wlsmv_eq_refs.R
#
# Data: data_bfi.csv beside this script (psych's bfi, A and C items, complete rows; make_resid_refs.R).
# Writes mi_wlsmv_eq_refs.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
bf <- read.csv(file.path(HERE, "data_bfi.csv"))
cases <- list()
one <- function(name, model) {
  fit <- cfa(model, bf, ordered = names(bf), estimator = "WLSMV")
  m <- as.data.frame(modindices(fit, sort. = TRUE))
  cases[[name]] <<- list(data = "data_bfi.csv", model = model, mi = m[, c("lhs", "op", "rhs", "mi", "epc", "sepc.all")])
}
one("label", "A =~ A1 + a*A2 + a*A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5")
one("user_eq", "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + b*C2 + c*C3 + C4 + C5\nb == c")
write_json(cases, file.path(HERE, "mi_wlsmv_eq_refs.json"), digits = NA, auto_unbox = TRUE, na = "null")
