# lavaan 0.6.14 references for group-specific labels under group.equal and for group.partial
# (tests/sem/test_group_labels.py).  lavaan's rule: a user label overrides group.equal, so a parameter with one
# label per group (c(a.g1, a.g2)*x) stays free; the package keeps lavaan's numbers and warns.
#
#   Rscript tests/sem/invariance_refs/make_group_labels_refs.R
#
# Data: ../../reference/data/hs1939.csv (HolzingerSwineford1939), groups = school.  Writes
# group_labels_refs.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
MEAS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
M_PATHS <- paste0(MEAS, "textual ~ c(a.g1, a.g2)*visual\nspeed ~ c(b.g1, b.g2)*textual + visual")
M_LAB2 <- "visual =~ x1 + c(l2a, l2b)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fm <- function(f) as.list(fitMeasures(f, c("npar", "chisq", "df")))
paths <- function(f) { pe <- parameterEstimates(f); pe <- pe[pe$op == "~", ]
  list(lhs = pe$lhs, rhs = pe$rhs, group = pe$group, est = pe$est) }
f_paths <- sem(M_PATHS, hs, group = "school", group.equal = "regressions")
refs <- list(lavaan = as.character(packageVersion("lavaan")),
  paths_equal_regressions = c(fm(f_paths), list(paths = paths(f_paths))),
  lab2 = lapply(list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts")),
                function(ge) fm(cfa(M_LAB2, hs, group = "school", group.equal = ge))),
  # group.partial on the marker loading (fixed at 1): lavaan frees nothing, the step equals the full metric one
  partial_marker = fm(cfa(MEAS, hs, group = "school", group.equal = "loadings", group.partial = "visual=~x1")),
  metric = fm(cfa(MEAS, hs, group = "school", group.equal = "loadings")),
  # with std.lv the first loading is free and group.partial frees it
  partial_std_lv = fm(cfa(MEAS, hs, group = "school", group.equal = "loadings", group.partial = "visual=~x1",
                          std.lv = TRUE)))
write_json(refs, file.path(HERE, "group_labels_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
