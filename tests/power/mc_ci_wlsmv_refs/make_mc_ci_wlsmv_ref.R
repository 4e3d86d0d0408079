# Monte Carlo CIs of the := effects (Preacher & Selig 2012) of a WLSMV fit of ordered codes, by lavaan 0.6.14 +
# semTools' monteCarloCI, and their ingredients (the estimates and the covariance matrix the draws come from):
# the reference for tests/power/test_mc_ci_wlsmv.py.  Two analysis models on the same data: model.lav, and
# model_r.lav (with a labelled latent covariance in a definition).
# Run from this directory:  Rscript make_mc_ci_wlsmv_ref.R   (writes mc_ci_wlsmv_ref.csv, mc_ci_wlsmv_vcov.csv)
suppressMessages({library(lavaan); library(semTools)})
set.seed(20261206)
d <- read.csv("mc_ci_wlsmv_data.csv")
items <- setdiff(names(d), "rep")
ci <- list(); vc <- list()
for (m in c("model.lav", "model_r.lav")) {
  mod <- paste(readLines(m), collapse = "\n")
  for (r in sort(unique(d$rep))) {
    f <- sem(mod, data = d[d$rep == r, items], ordered = items, estimator = "WLSMV")
    pe <- parameterEstimates(f)
    def <- pe[pe$op == ":=", ]
    mc <- monteCarloCI(f, nRep = 2e5, level = 0.95)
    ci[[length(ci) + 1]] <- data.frame(model = m, rep = r, parameter = rownames(mc), est = mc$est,
                                       se = def$se[match(rownames(mc), def$lhs)],
                                       mc.lower = mc$ci.lower, mc.upper = mc$ci.upper,
                                       converged = lavInspect(f, "converged"))
    labs <- intersect(c("a1", "a2", "b", "r"), pe$label)
    V <- vcov(f)
    cf <- coef(f)
    for (a in labs) for (b in labs)
      vc[[length(vc) + 1]] <- data.frame(model = m, rep = r, row = a, col = b, est.row = unname(cf[a]),
                                         vcov = V[a, b])
  }
}
write.csv(do.call(rbind, ci), "mc_ci_wlsmv_ref.csv", row.names = FALSE)
write.csv(do.call(rbind, vc), "mc_ci_wlsmv_vcov.csv", row.names = FALSE)
cat(sprintf("lavaan %s, semTools %s\n", packageVersion("lavaan"), packageVersion("semTools")))
