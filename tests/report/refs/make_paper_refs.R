# lavaan 0.6.14 / semTools 0.5-6 references for tests/report/test_paper_structure.py: the paper tables'
# latent correlations (discriminant validity r, Fornell-Larcker), CR, alpha, omega and HTMT of models whose
# structural part is more than regressions among first-order factors:
#   cov:          HS1939, speed ~ visual + textual + ageyr, textual ~ visual (an observed covariate, lavaan's ov.x)
#   cov_groups:   the same model in the two schools (group = "school")
#   second_order: the three-factor CFA with g =~ visual + textual + speed
#   ordered_groups: the three-factor CFA of HS1939's items cut at their quartiles (hs1939_ordered.csv, written
#                   here), ordered items, group = "school", group.equal = thresholds, loadings (fit measures)
#   scaled:       the CFA with speed ~ visual + textual, x1-x3 times 30 and x7-x9 divided by 30 (the paths)
#
#   Rscript tests/report/refs/make_paper_refs.R
#
# Writes paper_refs.json next to this script.  Per case and group: the estimates (parameterEstimates() with
# std.all from standardizedSolution(); group label), cor.lv (lavInspect(fit, "cor.lv")), cr_std (the tables' CR:
# (sum std.all loadings)^2 over the sum of the model-implied correlations lavInspect(fit, "cor.ov") of the
# factor's items), omega (compRelSEM(fit); second_order also higher = "g"), ave (AVE(fit)), alpha (Cronbach's
# alpha of the complete rows), r2 (lavInspect(fit, "r2")) and htmt
# (semTools' htmt(htmt2 = FALSE) of the first-order factors on the group's rows).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
cfa3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
models <- list(cov = paste0(cfa3, "\nspeed ~ visual + textual + ageyr\ntextual ~ visual"),
               second_order = paste0(cfa3, "\ng =~ visual + textual + speed"))
items <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
alpha <- function(d) { d <- na.omit(d); k <- ncol(d); S <- cov(d); k / (k - 1) * (1 - sum(diag(S)) / sum(S)) }
one <- function(fit, d, group = "", g = 1L, higher = NULL) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  if (is.null(pe$group)) { pe$group <- 1L; ss$group <- 1L }
  keep <- pe$group == g & pe$op != ":="
  e <- pe[keep, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper")]
  e$std.all <- ss$est.std[ss$group == g & ss$op != ":="]
  e$group <- group
  pick <- function(x) if (is.list(x) && !is.data.frame(x)) x[[g]] else x
  lv <- pick(lavInspect(fit, "cor.lv"))
  ov <- pick(lavInspect(fit, "cor.ov"))
  cr <- sapply(names(items), function(f) {
    b <- e$std.all[e$op == "=~" & e$lhs == f]
    sum(b)^2 / sum(ov[items[[f]], items[[f]]])
  })
  om <- compRelSEM(fit, higher = higher)
  av <- AVE(fit)
  if (is.data.frame(om)) om <- om[g, -1, drop = FALSE]
  if (is.data.frame(av)) av <- av[g, -1, drop = FALSE]
  list(estimates = e, cor_lv = list(names = rownames(lv), values = unclass(lv)),
       r2 = as.list(pick(lavInspect(fit, "r2"))), cr_std = as.list(cr), omega = as.list(unlist(om)), ave = as.list(unlist(av)),
       alpha = lapply(items, function(v) alpha(d[, v])),
       htmt = { h <- htmt(cfa3, d, htmt2 = FALSE); list(names = rownames(h), values = unclass(h)) })
}
out <- list()
out$cov <- one(sem(models$cov, hs), hs)
fg <- sem(models$cov, hs, group = "school")
labs <- lavInspect(fg, "group.label")
out$cov_groups <- lapply(seq_along(labs), function(g) one(fg, hs[hs$school == labs[g], ], labs[g], g))
names(out$cov_groups) <- labs
out$second_order <- one(cfa(models$second_order, hs), hs, higher = "g")
out$sampstat_cov <- list(names = paste0("x", 1:9), values = unclass(cov(hs[, paste0("x", 1:9)]) * 300 / 301))
# a two-factor model of ordered items in the roles (WLSMV): lavaan 0.6.14 gives no robust CFI/TLI/RMSEA (NA) for a
# multi-group fit of ordered items; its scaled ones are what the fit table's note names
ho <- hs[, c("id", "school")]
for (v in paste0("x", 1:9))
  ho[[v]] <- as.integer(cut(hs[[v]], quantile(hs[[v]], c(0, .25, .5, .75, 1)), include.lowest = TRUE))
write.csv(ho, file.path(HERE, "hs1939_ordered.csv"), row.names = FALSE)
fo <- cfa(cfa3, ho, ordered = TRUE, group = "school", group.equal = c("thresholds", "loadings"))
out$ordered_groups <- list(fit = as.list(fitMeasures(fo, c("chisq.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
                                                           "cfi.scaled", "tli.scaled", "rmsea.scaled"))))
# x1-x3 times 30, x7-x9 divided by 30: speed ~ visual is about 3e-04 (prints as 0.000 at 3 decimals)
hsc <- hs
for (v in c("x1", "x2", "x3")) hsc[[v]] <- hsc[[v]] * 30
for (v in c("x7", "x8", "x9")) hsc[[v]] <- hsc[[v]] / 30
pe <- parameterEstimates(sem(paste0(cfa3, "\nspeed ~ visual + textual"), hsc))
out$scaled <- pe[pe$op == "~", c("lhs", "op", "rhs", "est", "se")]
out$versions <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, dataframe = "rows", matrix = "rowmajor"),
           file.path(HERE, "paper_refs.json"))
