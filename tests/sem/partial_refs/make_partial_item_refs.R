# lavaan 0.6.14 / semTools 0.5-6 references for group.partial entries in the Wu & Estabrook (2016) sequence that
# change an item's own intercept and scale rules (tests/sem/test_partial_invariance_wlsmv_items.py): a binary
# item's threshold or intercept freed, and every threshold or all but one of a polytomous item freed.  semTools'
# measEq.syntax(ID.cat = "Wu.Estabrook.2016") counts the item's thresholds left equal (n_eq): its intercept is
# free after group 1 when n_eq >= 1 and the intercepts are not held equal (or freed), its scale (delta) or
# residual variance (theta) when n_eq >= 2, or n_eq >= 1 with the intercept held equal.
#
#   Rscript tests/sem/partial_refs/make_partial_item_refs.R
#
# Data: ../ordinal_refs/bfi_bin_937.csv (A1, A2, C1 binary; group gender) and ../ordinal_refs/wlsmv_groups_630.csv
# (five-point items, three groups, pairwise).  Each step: measEq.syntax(..., ID.fac = "std.lv", group.partial =)
# fitted by cfa(..., estimator = "WLSMV"); lavTestLRT against the step before.  Writes partial_item_refs.json:
# case -> parameterization -> step -> fit (and lrt), the last step's estimates.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
q <- function(expr) suppressWarnings(expr)
FIT_KEYS <- c("npar", "df", "chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr")
fm <- function(f) { v <- fitMeasures(f); as.list(v[intersect(FIT_KEYS, names(v))]) }
pe <- function(f) { p <- parameterEstimates(f); p <- p[p$op != "==", ]
  list(lhs = p$lhs, op = p$op, rhs = p$rhs, group = p$group, est = p$est, se = p$se) }
STEPS <- list(configural = character(0), thresholds = "thresholds",
              thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
bin <- read.csv(file.path(HERE, "..", "ordinal_refs", "bfi_bin_937.csv"))
poly <- read.csv(file.path(HERE, "..", "ordinal_refs", "wlsmv_groups_630.csv"))
poly <- poly[!is.na(poly$G), ]
DATA <- list(bin = list(d = bin, group = "gender", missing = "listwise",
                        model = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"),
             poly = list(d = poly, group = "G", missing = "pairwise",
                         model = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"))
CASES <- list(
  bin_threshold = list(data = "bin", partial = "A1 | t1", pz = c("delta", "theta")),
  bin_intercepts = list(data = "bin", partial = c("A1 ~ 1", "C3 ~ 1"), pz = c("delta", "theta")),
  bin_both = list(data = "bin", partial = c("A1 | t1", "A1 ~ 1", "C1|t1"), pz = "delta"),
  poly_three = list(data = "poly", partial = c("a1 | t1", "a1 | t2", "a1 | t3"), pz = c("delta", "theta")),
  poly_all = list(data = "poly", partial = c("a1 | t1", "a1 | t2", "a1 | t3", "a1 | t4", "b2 ~ 1"),
                  pz = "delta"))
# (the argument is not called `par`: see make_partial_wlsmv_refs.R on semTools 0.5-6)
seq_case <- function(D, partial, pz) {
  d <- D$d
  items <- lavNames(D$model, "ov")
  for (i in items) d[[i]] <- ordered(d[[i]])
  fits <- list(); out <- list()
  for (s in names(STEPS)) {
    syn <- q(measEq.syntax(configural.model = D$model, data = d, ordered = items, parameterization = pz,
                           ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = D$group,
                           group.equal = STEPS[[s]], group.partial = if (length(STEPS[[s]])) partial else "",
                           missing = D$missing))
    fit <- q(cfa(as.character(syn), data = d, ordered = items, estimator = "WLSMV", missing = D$missing,
                 group = D$group, parameterization = pz))
    o <- list(converged = lavInspect(fit, "converged"), fit = fm(fit))
    if (length(fits)) {
      t <- q(lavTestLRT(fit, fits[[length(fits)]]))
      o$lrt <- list(chisq.diff = t[["Chisq diff"]][2], df.diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
    }
    if (s == "thresholds_loadings_intercepts") o$estimates <- pe(fit)
    fits[[s]] <- fit; out[[s]] <- o
  }
  out
}
refs <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")))
for (k in names(CASES)) {
  C <- CASES[[k]]
  refs[[k]] <- list(data = C$data, model = DATA[[C$data]]$model, group = DATA[[C$data]]$group,
                    missing = DATA[[C$data]]$missing, partial = C$partial)
  for (pz in C$pz) refs[[k]][[pz]] <- seq_case(DATA[[C$data]], C$partial, pz)
}
write_json(refs, file.path(HERE, "partial_item_refs.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("ok\n")
