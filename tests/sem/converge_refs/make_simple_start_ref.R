# lavaan 0.6.14 reference for a configural fit that converges only from lavaan's "simple" start
# (tests/sem/test_simple_start.py).
#
#   Rscript tests/sem/converge_refs/make_simple_start_ref.R
#
# The data: tests/reference/data/hs1939.csv (lavaan's HolzingerSwineford1939) with three groups, g3 = school
# except that the first 30 Grant-White rows (file order) are "Small": Pasteur 156, Small 30, Grant-White 115.
# The model: the 3-factor CFA, configural (ML, complete data).  lavaan's first attempt (nlminb from its
# default start) and its second (optim.parscale = "standardized") do not converge (a loading of x8 runs off
# with a negative x8 residual variance); its third attempt (lav_model_estimate(start = "simple"): free
# loadings 0.7, free variances 1, everything else 0) converges to a Heywood case (x9 in Small).
#
# Writes simple_start_hs3.json next to this script:
#   model, small (the number of Grant-White rows relabelled), groups (lavaan's group labels),
#   first_attempt: converged / iterations / chisq of optim.attempts = 1,
#   fit: converged, iterations, chisq, df, npar, logl, fmin (lavaan's fx) of the default fit (optim.attempts 4),
#   simple_start: the first row of its optim.partrace (the start of the attempt that converged),
#   est: lhs/op/rhs/group/est/se of its free parameters (parTable order).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"), stringsAsFactors = FALSE)
SMALL <- 30L
gw <- which(d$school == "Grant-White")
d$g3 <- d$school
d$g3[gw[seq_len(SMALL)]] <- "Small"
MODEL <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
first <- suppressWarnings(cfa(MODEL, d, group = "g3", optim.attempts = 1L))
fit <- suppressWarnings(cfa(MODEL, d, group = "g3", optim.partrace = TRUE))
stopifnot(!lavInspect(first, "converged"), lavInspect(fit, "converged"))
pt <- parTable(fit)
free <- pt$free > 0
trace <- attr(fit@optim$x, "partrace")
if (is.null(trace)) trace <- fit@optim$partrace
fm <- fitMeasures(fit, c("chisq", "df", "npar", "logl", "fmin"))
out <- list(
  model = MODEL, small = SMALL, groups = lavInspect(fit, "group.label"),
  first_attempt = list(converged = lavInspect(first, "converged"), iterations = lavInspect(first, "iterations"),
                       chisq = 2 * nrow(d) * first@optim$fx),
  fit = list(converged = lavInspect(fit, "converged"), iterations = lavInspect(fit, "iterations"),
             chisq = unname(fm["chisq"]), df = unname(fm["df"]), npar = unname(fm["npar"]),
             logl = unname(fm["logl"]), fmin = unname(fm["fmin"])),
  simple_start = unname(trace[1, -1]),
  est = list(lhs = pt$lhs[free], op = pt$op[free], rhs = pt$rhs[free], group = pt$group[free],
             est = pt$est[free], se = pt$se[free]))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA), file.path(HERE, "simple_start_hs3.json"))
