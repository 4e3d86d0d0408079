# lavaan 0.6.14 references for the start values of the one-group WLSMV engine (iur_survey/sem/wlsmv.py,
# wlsmv_from_model, and dwls_start_values, shared with the several-group engine) and for the wording of a
# theta fit on the boundary of a Heywood case (wlsmv_groups.theta_boundary).
#
#   Rscript tests/sem/ordinal_refs/make_wlsmv_start_refs.R
#
# Reads wlsmv_2nd_order_300.csv (written by make_wlsmv_start_data.py); writes next to this script
#   hs_cut_301.csv   lavaan::HolzingerSwineford1939 x1-x9 cut at quantiles into 4 categories (h4_*: 0 .25 .5 .8 1)
#                    and 3 categories (h3_*: 0 .3 .7 1), and school;
#   hsmix4_300.csv   x1, x2, x4, x7 binary (above the median), the rest 3 categories, group sg = school x grade
#                    (the row without a grade left out): the audit s22 case C2 (a Heywood case in the delta
#                    solution of the configural model);
#   wlsmv_start_refs.json  case -> {converged, iterations, fmin, chisq, start (free =~ / ~~ / ~ rows, "lhs op
#                    rhs" -> lavaan's start value), est ("lhs op rhs[.gN]" -> estimate)}.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- HolzingerSwineford1939
cutq <- function(x, q) as.integer(cut(x, quantile(x, q), include.lowest = TRUE))
h <- data.frame(lapply(hs[paste0("x", 1:9)], cutq, q = c(0, .25, .5, .8, 1)))
names(h) <- paste0("h4_", 1:9)
h3 <- data.frame(lapply(hs[paste0("x", 1:9)], cutq, q = c(0, .3, .7, 1)))
names(h3) <- paste0("h3_", 1:9)
write.csv(cbind(h, h3, school = hs$school), file.path(HERE, "hs_cut_301.csv"), row.names = FALSE)
mix <- h3; names(mix) <- paste0("x", 1:9)
for (v in c("x1", "x2", "x4", "x7")) mix[[v]] <- as.integer(hs[[v]] > median(hs[[v]]))
mix$sg <- paste(hs$school, hs$grade)
mix <- mix[!is.na(hs$grade), ]
write.csv(mix, file.path(HERE, "hsmix4_300.csv"), row.names = FALSE)

HS <- function(p) sprintf("visual =~ %s1 + %s2 + %s3\ntextual =~ %s4 + %s5 + %s6\nspeed =~ %s7 + %s8 + %s9",
                          p, p, p, p, p, p, p, p, p)
cases <- list(
  second_order = list(csv = "wlsmv_2nd_order_300.csv", std.lv = FALSE,
                      model = "F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6\nF3 =~ y7 + y8 + y9\nG =~ F1 + F2 + F3"),
  hs4_stdlv = list(csv = "hs_cut_301.csv", std.lv = TRUE, model = HS("h4_")),
  hs3_regression = list(csv = "hs_cut_301.csv", std.lv = FALSE, model = paste(HS("h3_"), "speed ~ visual + textual",
                                                                              sep = "\n")),
  hsmix4_delta = list(csv = "hsmix4_300.csv", std.lv = TRUE, model = HS("x"), group = "sg"),
  hsmix4_theta = list(csv = "hsmix4_300.csv", std.lv = TRUE, model = HS("x"), group = "sg",
                      parameterization = "theta"))
key <- function(pt) paste0(pt$lhs, " ", pt$op, " ", pt$rhs, ifelse(pt$group > 1, paste0(".g", pt$group), ""))
out <- lapply(cases, function(cs) {
  d <- read.csv(file.path(HERE, cs$csv), stringsAsFactors = FALSE)
  fit <- sem(cs$model, data = d, ordered = TRUE, estimator = "WLSMV", std.lv = cs$std.lv,
             group = cs$group, parameterization = if (is.null(cs$parameterization)) "delta" else cs$parameterization)
  pt <- parTable(fit)
  st <- pt[pt$free > 0 & pt$op %in% c("=~", "~~", "~"), ]
  conv <- lavInspect(fit, "converged")
  res <- list(converged = conv, iterations = lavInspect(fit, "iterations"),
              start = as.list(setNames(st$start, key(st))))
  if (conv) {
    res$fmin <- fitMeasures(fit, "fmin")[[1]]
    res$chisq <- fitMeasures(fit, "chisq")[[1]]
    res$est <- as.list(setNames(pt$est, key(pt)))
  }
  res
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(HERE, "wlsmv_start_refs.json"))
