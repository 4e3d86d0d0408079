# Monte Carlo CIs of the := effects (Preacher & Selig 2012) per replication, by lavaan 0.6.14 + semTools'
# monteCarloCI with 10^6 draws (near-exact quantiles), the reference for tests/power/test_power.py.
# Run from this directory:  Rscript make_mc_ci_ref.R   (writes mc_ci_ref.csv)
suppressMessages({library(lavaan); library(semTools)})
set.seed(20261205)
d <- read.csv("mc_ci_data.csv")
mod <- paste(readLines("model.lav"), collapse = "\n")
out <- list()
for (r in sort(unique(d$rep))) {
  f <- sem(mod, data = d[d$rep == r, setdiff(names(d), "rep")])
  pe <- parameterEstimates(f)
  pe <- pe[pe$op == ":=", ]
  mc <- monteCarloCI(f, nRep = 1e6, level = 0.95)
  out[[length(out) + 1]] <- data.frame(rep = r, parameter = rownames(mc), est = mc$est,
                                       se = pe$se[match(rownames(mc), pe$lhs)],
                                       pvalue = pe$pvalue[match(rownames(mc), pe$lhs)],
                                       mc.lower = mc$ci.lower, mc.upper = mc$ci.upper,
                                       converged = lavInspect(f, "converged"))
}
res <- do.call(rbind, out)
write.csv(res, "mc_ci_ref.csv", row.names = FALSE)
cat(sprintf("lavaan %s, semTools %s; %d rows\n", packageVersion("lavaan"), packageVersion("semTools"), nrow(res)))
