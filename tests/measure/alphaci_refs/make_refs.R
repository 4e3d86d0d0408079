# References for the confidence intervals of Cronbach's alpha (psych 2.2.9's alpha(): "95% confidence boundaries").
#
#   Rscript tests/measure/alphaci_refs/make_refs.R
#
# psych::alpha (2.2.9) computes, on the raw data x (nsub = nrow(x) rows, nvar items, C = cov(x, use = "pairwise")):
#   Feldt:    feldt <- alpha.ci(alpha.total[1], nsub, nvar)       # raw_alpha, p.val = .05
#             alpha.ci: CI.low  <- 1 - (1 - alpha) * qf(1 - p.val/2, df1 = n.obs - 1, df2 = (n.obs - 1) * (n.var - 1))
#                       CI.high <- 1 - (1 - alpha) * qf(p.val/2,     df1 = n.obs - 1, df2 = (n.obs - 1) * (n.var - 1))
#   Duhachek: ase = sqrt(alpha.total$Q/nsub), with alpha.1's
#             Q = (2 * n^2/((n - 1)^2 * (sum(C)^3))) * (sum(C) * (tr(C %*% C) + (tr(C))^2) - 2 * (tr(C) * sum(C %*% C)))
#             print.psych: raw_alpha -/+ 1.96 * ase
# Every case here passes complete rows (the package's rule: listwise per construct), so nsub is the complete rows;
# psych's default on data with missing cells (pairwise covariances, nsub = every row) is another interval.
#
# Reads tests/measure/efa_refs/data_bfi_missing.csv (psych::bfi[1:1200, 1:25], missing cells kept; reverse-keyed
# items A1 C4 C5 E1 E2 O2 O5 recoded here as 7 - x) and tests/reference/data/hs1939.csv (lavaan's
# HolzingerSwineford1939) and writes refs.json next to this script: per case and construct
#   items, n (complete rows), raw_alpha, ase, feldt (lower, upper at .95), duhachek_psych (raw_alpha -/+ 1.96 ase,
#   psych's printed bounds), duhachek_z (raw_alpha -/+ qnorm(.975) ase), feldt90 and duhachek_z90 (level .90,
#   alpha.ci(p.val = .10) and qnorm(.95)).
# Cases: bfi (every row, complete rows per construct), small60 (the first 60 rows complete on all 25 items),
#   hs (x1-x3 visual, x4-x6 textual, x7-x9 speed).
# psych_pairwise: psych::alpha's default on the bfi columns with their missing cells (pairwise covariances, Feldt's
#   n = every row, 1200): what a psych user gets on the raw file, not the package's complete-rows rule.
suppressPackageStartupMessages({ library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("psych")) == "2.2.9")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
b <- read.csv(file.path(dirname(HERE), "efa_refs", "data_bfi_missing.csv"))
for (k in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) b[[k]] <- 7 - b[[k]]
hs <- read.csv(file.path(dirname(dirname(HERE)), "reference", "data", "hs1939.csv"))
cm <- lapply(c(A = "A", C = "C", E = "E", N = "N", O = "O"), function(k) paste0(k, 1:5))
hsm <- list(visual = paste0("x", 1:3), textual = paste0("x", 4:6), speed = paste0("x", 7:9))
cases <- list(bfi = list(data = b, cm = cm), small60 = list(data = na.omit(b)[1:60, ], cm = cm),
              hs = list(data = hs, cm = hsm))
out <- list(versions = list(psych = as.character(packageVersion("psych"))))
for (nm in names(cases)) {
  for (k in names(cases[[nm]]$cm)) {
    d <- na.omit(cases[[nm]]$data[, cases[[nm]]$cm[[k]]])
    a <- suppressWarnings(psych::alpha(d))
    ra <- a$total$raw_alpha
    f90 <- psych:::alpha.ci(ra, nrow(d), ncol(d), p.val = 0.10)
    out$cases[[nm]][[k]] <- list(
      items = cases[[nm]]$cm[[k]], n = nrow(d), raw_alpha = ra, ase = a$total$ase,
      feldt = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]]),
      duhachek_psych = c(ra - 1.96 * a$total$ase, ra + 1.96 * a$total$ase),
      duhachek_z = c(ra - qnorm(0.975) * a$total$ase, ra + qnorm(0.975) * a$total$ase),
      feldt90 = c(f90$lower.ci[[1]], f90$upper.ci[[1]]),
      duhachek_z90 = c(ra - qnorm(0.95) * a$total$ase, ra + qnorm(0.95) * a$total$ase),
      printed = capture.output(print(a))[grep("confidence boundaries", capture.output(print(a))) + 0:3])
  }
}
# psych's default on the same bfi columns with their missing cells (pairwise covariances, nsub = every row): not the
# package's rule, stored to show the difference
for (k in names(cm)) {
  a <- suppressWarnings(psych::alpha(b[, cm[[k]]]))
  out$psych_pairwise[[k]] <- list(n = nrow(b), raw_alpha = a$total$raw_alpha, ase = a$total$ase,
                                  feldt = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]]))
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "refs.json"))
