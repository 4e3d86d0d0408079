# lavaan 0.6.14 references for tests/sem/test_fixed_label_defined.py: a defined parameter (:=) that uses the
# label of a FIXED parameter.
#
#   Rscript tests/sem/fixed_label_refs/make_refs.R
#
# lavaan 0.6.14 refuses such a model: lav_partable_constraints_def() stops with "lavaan ERROR: non-free
# parameter(s) in variable definition(s): <labels>" (recorded per case as "refused").  The same model written
# with the parameter free and an equality constraint fixing it at the value (`a == 0.3`; a marker loading
# `NA*x1 + l1*x1` with `l1 == 1`) is fitted by lavaan: the defined parameter's estimate is the expression at the
# fixed value, and its delta-method SE takes no variance from the fixed parameter (lavaan's SE of a parameter
# pinned by `==` is 0).  Those fits are the references ("estimates": parameterEstimates() and
# standardizedSolution() rows of the := parameters and the labelled ones).
#
# Data: med300.csv (x -> m -> y, written here, n = 300), HolzingerSwineford1939 (../../reference/data/hs1939.csv;
# by school for the two-group case) and its items cut at the quartiles (../groupsum_refs/hs1939_ordered4.csv).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
set.seed(1)
n <- 300; x <- rnorm(n); m <- 0.5 * x + rnorm(n); y <- 0.4 * m + 0.2 * x + rnorm(n)
med <- data.frame(x = round(x, 6), m = round(m, 6), y = round(y, 6))
write.csv(med, file.path(HERE, "med300.csv"), row.names = FALSE)
med <- read.csv(file.path(HERE, "med300.csv"))
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"), stringsAsFactors = FALSE)
ho <- read.csv(file.path(HERE, "..", "groupsum_refs", "hs1939_ordered4.csv"), stringsAsFactors = FALSE)
CFA2 <- "textual =~ x4 + x5 + x6"
CASES <- list(
  med_ml = list(data = med, args = list(),
                fixed = "m ~ a*x + 0.3*x\ny ~ b*m + c*x\nind := a*b\ntot := c + a*b",
                lavaan = "m ~ a*x\ny ~ b*m + c*x\na == 0.3\nind := a*b\ntot := c + a*b"),
  med_mlr = list(data = med, args = list(estimator = "MLR"),
                 fixed = "m ~ a*x + 0.3*x\ny ~ b*m + c*x\nind := a*b\ntot := c + a*b",
                 lavaan = "m ~ a*x\ny ~ b*m + c*x\na == 0.3\nind := a*b\ntot := c + a*b"),
  hs_marker = list(data = hs, args = list(),
                   fixed = paste("visual =~ l1*x1 + l2*x2 + l3*x3", CFA2, "r := l2/l1\ns := l3 - 2*l1", sep = "\n"),
                   lavaan = paste("visual =~ NA*x1 + l1*x1 + l2*x2 + l3*x3", CFA2, "l1 == 1", "r := l2/l1\ns := l3 - 2*l1",
                                  sep = "\n")),
  hs_groups = list(data = hs, args = list(group = "school"),
                   fixed = paste("visual =~ c(l1, k1)*x1 + c(l2, k2)*x2 + x3", CFA2, "d := l2 - k2 + l1 - k1", sep = "\n"),
                   lavaan = paste("visual =~ c(NA, NA)*x1 + c(l1, k1)*x1 + c(l2, k2)*x2 + x3", CFA2,
                                  "l1 == 1\nk1 == 1", "d := l2 - k2 + l1 - k1", sep = "\n")),
  hs_wlsmv = list(data = ho, args = list(ordered = TRUE, estimator = "WLSMV"),
                  fixed = paste("visual =~ l1*x1 + l2*x2 + l3*x3", CFA2, "r := l2/l1\ns := l3 - 2*l1", sep = "\n"),
                  lavaan = paste("visual =~ NA*x1 + l1*x1 + l2*x2 + l3*x3", CFA2, "l1 == 1", "r := l2/l1\ns := l3 - 2*l1",
                                 sep = "\n")))
COLS <- c("lhs", "op", "rhs", "label", "group", "est", "se", "z", "pvalue")
out <- list()
for (cn in names(CASES)) {
  cs <- CASES[[cn]]
  refused <- tryCatch({ do.call("sem", c(list(model = cs$fixed, data = cs$data), cs$args)); NA_character_ },
                      error = function(e) conditionMessage(e))
  f <- do.call("sem", c(list(model = cs$lavaan, data = cs$data), cs$args))
  pe <- parameterEstimates(f)
  keep <- pe$op == ":=" | nzchar(pe$label)
  if (!"group" %in% names(pe)) pe$group <- 1L
  ss <- standardizedSolution(f)
  if (!"group" %in% names(ss)) ss$group <- 1L
  ssd <- ss[ss$op == ":=", c("lhs", "op", "rhs", "group", "est.std", "se")]
  names(ssd)[names(ssd) == "se"] <- "se.std"
  out[[cn]] <- list(fixed = cs$fixed, lavaan = cs$lavaan, args = cs$args, refused = refused,
                    converged = lavInspect(f, "converged"), estimates = pe[keep, COLS], std = ssd)
}
write_json(out, file.path(HERE, "refs.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
cat("done\n")
