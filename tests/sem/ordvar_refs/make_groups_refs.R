# lavaan 0.6.14 on a user's fixed `y ~~ y` line of an ordered item in the theta parameterization with several
# groups (tests/sem/test_ordered_variance_lines.py): the line's value holds in every group (c(1, 0.5, 0.8)*: one
# per group), also in the groups after the first where lavaan's own rules free the residual variance (thresholds
# held equal).  Then the Wu & Estabrook (2016) sequence on the same models (semTools 0.5-6's measEq.syntax(...,
# parameterization = "theta") keeps the configural model's values in the groups where a step does not free the
# residual variance): each step's fit, and the estimates of the configural and thresholds steps.
#
#   Rscript tests/sem/ordvar_refs/make_groups_refs.R
#
# Data: ../ordinal_refs/wlsmv_groups_630.csv (8 five-point items, three groups, pairwise).  Writes
# groups_refs.json beside this script: case -> model line, group.equal, fit measures, every estimate and SE.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "ordinal_refs", "wlsmv_groups_630.csv"))
TWO <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
CASES <- list(half = list(line = "a1 ~~ 0.5*a1", group.equal = ""),
              half_equal = list(line = "a1 ~~ 0.5*a1", group.equal = c("thresholds", "loadings")),
              per_group_equal = list(line = "a1 ~~ c(1, 0.5, 0.8)*a1", group.equal = c("thresholds", "loadings")))
FIT_KEYS <- c("npar", "df", "chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr")
refs <- list(lavaan = as.character(packageVersion("lavaan")), model = TWO)
for (k in names(CASES)) {
  C <- CASES[[k]]
  f <- suppressWarnings(sem(paste(TWO, C$line, sep = "\n"), d, ordered = TRUE, estimator = "WLSMV",
                            missing = "pairwise", group = "G", group.equal = C$group.equal,
                            parameterization = "theta"))
  p <- parameterEstimates(f); p <- p[p$op != "==", ]
  refs[[k]] <- c(C, list(fit = as.list(fitMeasures(f, FIT_KEYS)),
                         estimates = list(lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, est = p$est,
                                          se = p$se)))
}
STEPS <- list(configural = character(0), thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
dd <- d[!is.na(d$G), ]
items <- lavNames(TWO, "ov")
for (i in items) dd[[i]] <- ordered(dd[[i]])
refs$sequence <- list()
for (line in c("a1 ~~ 0.5*a1", "a1 ~~ c(1, 0.5, 0.8)*a1")) {
  out <- list()
  for (s in names(STEPS)) {
    syn <- suppressWarnings(measEq.syntax(configural.model = paste(TWO, line, sep = "\n"), data = dd,
                                          ordered = items, parameterization = "theta", ID.fac = "std.lv",
                                          ID.cat = "Wu.Estabrook.2016", group = "G",
                                          group.equal = if (length(STEPS[[s]])) STEPS[[s]] else "",
                                          missing = "pairwise"))
    f <- suppressWarnings(cfa(as.character(syn), data = dd, ordered = items, estimator = "WLSMV",
                              missing = "pairwise", group = "G", parameterization = "theta"))
    o <- list(fit = as.list(fitMeasures(f, FIT_KEYS)))
    if (s %in% c("configural", "thresholds")) {
      p <- parameterEstimates(f); p <- p[p$op != "==", ]
      o$estimates <- list(lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, est = p$est, se = p$se)
    }
    out[[s]] <- o
  }
  refs$sequence[[line]] <- out
}
write_json(refs, file.path(HERE, "groups_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
