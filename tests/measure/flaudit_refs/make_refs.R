# References of tests/measure/test_flaudit.py (Fornell-Larcker with a single-item construct, a structural model
# and a second-order factor; the common latent factor under MLR).  Run from this folder:
#   Rscript make_refs.R        (lavaan 0.6.14, semTools 0.5-6)  -> single.csv, refs.json
suppressMessages({library(lavaan); library(semTools); library(jsonlite)})
set.seed(20261206)
n <- 500
F <- rnorm(n); G <- rnorm(n)
B <- 0.85 * F + sqrt(1 - 0.85^2) * rnorm(n)             # a single-item construct correlating .85 with F
d <- data.frame(a1 = .6 * F + .8 * rnorm(n), a2 = .6 * F + .8 * rnorm(n), a3 = .6 * F + .8 * rnorm(n), b = B,
                g1 = .8 * G + .6 * rnorm(n), g2 = .8 * G + .6 * rnorm(n), g3 = .8 * G + .6 * rnorm(n))
d <- round(d, 4)
write.csv(d, "single.csv", row.names = FALSE)
# AVE by its formula (semTools' AVE, obs.var = TRUE): sum(lambda^2) var(f) / sum of the items' sample variances.
# semTools 0.5-6's AVE() itself is wrong after a single-item factor: it indexes the items of the factors with two or
# more indicators (myIndNames) by their row numbers among all items (idx), so a factor listed after the single item
# gets NA (here G) or the variances of the wrong items; recorded as semtools_ave.
ave_formula <- function(fit) {
  L <- lavInspect(fit, "est")$lambda; S <- lavInspect(fit, "sampstat")$cov; P <- lavInspect(fit, "cov.lv")
  L <- L[rownames(L) %in% rownames(S), , drop = FALSE]
  out <- list()
  for (f in colnames(L)) {
    i <- rownames(L)[L[, f] != 0]
    if (length(i) > 1) out[[f]] <- sum(L[i, f]^2) * P[f, f] / sum(diag(S)[i])
  }
  out
}
one <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  list(estimates = pe[, c("lhs", "op", "rhs", "est", "std.lv", "std.all")],
       sampstat = lavInspect(fit, "sampstat")$cov, ov = lavNames(fit, "ov"),
       ave = ave_formula(fit), semtools_ave = as.list(AVE(fit)), cor_lv = lavInspect(fit, "cor.lv"),
       lv = lavNames(fit, "lv"))
}
out <- list()
out$single <- one(cfa("A =~ a1 + a2 + a3\nB =~ b\nG =~ g1 + g2 + g3", data = d))
out$political <- one(sem("ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8", data = PoliticalDemocracy))
out$higher <- one(cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9
  g =~ visual + textual + speed", data = HolzingerSwineford1939))
# common latent factor under MLR: lavaan's lavTestLRT (Satorra-Bentler 2001 scaled difference)
hs <- HolzingerSwineford1939
base <- cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", data = hs, estimator = "MLR")
clf <- suppressWarnings(cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9
  METHOD =~ NA*x1 + m*x1 + m*x2 + m*x3 + m*x4 + m*x5 + m*x6 + m*x7 + m*x8 + m*x9
  METHOD ~~ 1*METHOD
  METHOD ~~ 0*visual + 0*textual + 0*speed", data = hs, estimator = "MLR"))
t <- lavTestLRT(base, clf)
out$clf_mlr <- list(chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"], pvalue = t[2, "Pr(>Chisq)"],
                    standard_diff = fitMeasures(base, "chisq") - fitMeasures(clf, "chisq"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, matrix = "rowmajor", dataframe = "rows", na = "null"),
           "refs.json")
