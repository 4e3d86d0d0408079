# lavaan 0.6.14 references for tests/report/test_thresholds_rescov_tables.py: the rows of parameterEstimates()
# that the paper's thresholds table (op "|") and residual-covariances table (op "~~" between two different
# observed variables) show, with std.all from standardizedSolution():
#   wlsmv_groups: HS1939 items cut at their quartiles (tests/sem/groupsum_refs/hs1939_ordered4.csv), ordered,
#                 two schools, the three-factor CFA + x1 ~~ x9 (WLSMV, delta)
#   ml_rescov:    HS1939, the three-factor CFA + x1 ~~ x9 + x7 ~~ x8 (ML)
#   path_fixedx:  HS1939, x9 ~ x1 + x2, x8 ~ x1 (ML; lavaan adds x8 ~~ x9 (auto.cov.y) and fixes x1 ~~ x2
#                 (fixed.x): the table shows the first, not the second)
#
#   Rscript tests/report/refs/make_thresholds_rescov_refs.R
#
# Writes thresholds_rescov_refs.json next to this script: per case the model, the options and those rows.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
ho <- read.csv(file.path(HERE, "..", "..", "sem", "groupsum_refs", "hs1939_ordered4.csv"))
cfa3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
cases <- list(
  wlsmv_groups = list(model = paste0(cfa3, "\nx1 ~~ x9"), data = "hs1939_ordered4.csv", ordered = TRUE,
                      group = "school"),
  ml_rescov = list(model = paste0(cfa3, "\nx1 ~~ x9\nx7 ~~ x8"), data = "hs1939.csv"),
  path_fixedx = list(model = "x9 ~ x1 + x2\nx8 ~ x1", data = "hs1939.csv"))
out <- list()
for (nm in names(cases)) {
  a <- cases[[nm]]
  d <- if (a$data == "hs1939.csv") hs else ho
  fit <- if (isTRUE(a$ordered)) sem(a$model, d, ordered = TRUE, group = a$group) else sem(a$model, d)
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  pe$std.all <- ss$est.std
  if (is.null(pe$group)) pe$group <- 1L
  pe$group <- if (lavInspect(fit, "ngroups") > 1) lavInspect(fit, "group.label")[pe$group] else ""
  ov <- lavNames(fit, "ov")
  keep <- pe$op == "|" | (pe$op == "~~" & pe$lhs != pe$rhs & pe$lhs %in% ov & pe$rhs %in% ov)
  rows <- pe[keep, c("lhs", "op", "rhs", "group", "est", "se", "pvalue", "ci.lower", "ci.upper", "std.all")]
  rownames(rows) <- NULL
  out[[nm]] <- list(model = a$model, data = a$data, ordered = isTRUE(a$ordered), group = a$group,
                    rows = rows)
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           file.path(HERE, "thresholds_rescov_refs.json"))
