# lavaan 0.6.14 references for tests/sem/test_group_summary.py: the header and "Model Test User Model:" block
# of summary(fit) of two-group fits of HS1939 (group = "school"), per estimator:
#   ml, ml_eq (group.equal loadings + intercepts), ml_listwise (hs1939_missing.csv, listwise: Used / Total),
#   mlr_eq (MLR, group.equal loadings), fiml (missing = "ml"), fiml_mlr (missing = "ml", MLR),
#   wlsmv, wlsmv_eq (ordered, group.equal thresholds + loadings), wlsmv_listwise (ordered items with NA),
#   wlsmv_pairwise (the same, missing = "pairwise"); wlsmv1_listwise / wlsmv1_pairwise: one group (no group
#   argument), listwise / pairwise;
#   mlr_df0 (MLR, one factor of x1-x3: df = 0) and wlsmv_dfneg (x2 ~~ x3 added, ordered: df = -2, no test).
# "model" (when given) replaces the three-factor CFA.
# The ordered data are HS1939's x1-x9 cut at their quartiles into 4 categories (hs1939_ordered4.csv; with the
# NA cells of hs1939_missing.csv: hs1939_ordered4_missing.csv), written here.
#
#   Rscript tests/sem/groupsum_refs/make_refs.R
#
# Writes refs.json next to this script: per case lavaan's values (fit@test: each test's stat, stat.group, df,
# scaling.factor, shift.parameter; lavInspect nobs / norig, the missing patterns lavdata@Mp[[g]]$npatterns,
# the number of equality constraints summary prints, npar) and the printed header + test block ("header", the
# lines of summary(fit) before "Parameter Estimates:").
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
DATA <- file.path(HERE, "..", "..", "reference", "data")
hs <- read.csv(file.path(DATA, "hs1939.csv"))
hm <- read.csv(file.path(DATA, "hs1939_missing.csv"))
items <- paste0("x", 1:9)
cut4 <- function(d) {
  out <- d[, c("id", "school", items)]
  for (v in items) {
    br <- quantile(hs[[v]], c(0, .25, .5, .75, 1))        # the complete data's quartiles, both files
    out[[v]] <- as.integer(cut(d[[v]], br, include.lowest = TRUE))
  }
  out
}
ho <- cut4(hs)
hom <- cut4(hm)
write.csv(ho, file.path(HERE, "hs1939_ordered4.csv"), row.names = FALSE)
write.csv(hom, file.path(HERE, "hs1939_ordered4_missing.csv"), row.names = FALSE)
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
cases <- list(
  ml = list(data = hs), ml_eq = list(data = hs, group.equal = c("loadings", "intercepts")),
  ml_listwise = list(data = hm),
  mlr_eq = list(data = hs, estimator = "MLR", group.equal = "loadings"),
  fiml = list(data = hm, missing = "ml"), fiml_mlr = list(data = hm, missing = "ml", estimator = "MLR"),
  wlsmv = list(data = ho, ordered = TRUE),
  wlsmv_eq = list(data = ho, ordered = TRUE, group.equal = c("thresholds", "loadings")),
  wlsmv_listwise = list(data = hom, ordered = TRUE),
  wlsmv_pairwise = list(data = hom, ordered = TRUE, missing = "pairwise"),
  wlsmv1_listwise = list(data = hom, ordered = TRUE, group = NULL),
  wlsmv1_pairwise = list(data = hom, ordered = TRUE, group = NULL, missing = "pairwise"),
  mlr_df0 = list(data = hs, estimator = "MLR", model = "F =~ x1 + x2 + x3"),
  wlsmv_dfneg = list(data = ho, ordered = TRUE, model = "F =~ x1 + x2 + x3\nx2 ~~ x3"))
out <- list()
for (nm in names(cases)) {
  a <- cases[[nm]]
  if (!"group" %in% names(a)) a$group <- "school"
  if (!"model" %in% names(a)) a$model <- m
  fit <- suppressWarnings(do.call("cfa", a[!sapply(a, is.null)]))
  txt <- capture.output(summary(fit))
  txt <- txt[seq_len(grep("^Parameter Estimates:", txt)[1] - 1L)]
  tests <- lapply(fit@test, function(t) t[intersect(names(t), c("test", "stat", "stat.group", "df", "pvalue",
                                                              "scaling.factor", "shift.parameter", "label"))])
  tests <- lapply(tests, function(t) lapply(t, function(x) { attributes(x) <- NULL; x }))
  Mp <- fit@Data@Mp
  out[[nm]] <- list(
    args = a[setdiff(names(a), c("data", "group", "model"))], model = a$model,
    group = if (is.null(a$group)) NULL else a$group, group_label = lavInspect(fit, "group.label"),
    nobs = unlist(lavInspect(fit, "nobs")), norig = unlist(lavInspect(fit, "norig")),
    npatterns = if (length(Mp) && !is.null(Mp[[1]])) sapply(Mp, function(x) x$npatterns) else NULL,
    tests = tests, header = txt)
}
# the printed "Number of equality constraints" (lavaan: npar - nfree when there are equality constraints)
for (nm in names(out)) {
  h <- out[[nm]]$header
  l <- grep("Number of equality constraints", h, value = TRUE)
  out[[nm]]$neq <- if (length(l)) as.integer(sub(".* ", "", trimws(l))) else 0L
  l <- grep("Number of model parameters", h, value = TRUE)
  out[[nm]]$npar <- as.integer(sub(".* ", "", trimws(l)))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), file.path(HERE, "refs.json"))
