# Monte Carlo reference of power_analysis by lavaan 0.6.14 (its own random numbers): the mediation model
# (model.lav) on continuous data drawn from pop.lav by MASS::mvrnorm, n = 100, 200, 400, 300 replications
# each; per n and parameter (~ and := rows) the share of converged fits, power (p < .05), mean estimate, bias
# against the exact truth (fit to Sigma), coverage of the 95% Wald interval (parameterEstimates' ci.lower /
# ci.upper) and the SD of the estimates.  The test compares within Monte Carlo margins.
# Run from this directory:  Rscript make_mc_ref.R > make_mc_ref.Rout   (writes mc_ref.csv)
suppressMessages({library(lavaan); library(MASS)})
set.seed(20261206)
rd <- function(f) paste(readLines(f, warn = FALSE), collapse = "\n")
pop <- rd("pop.lav"); model <- rd("model.lav")
nm <- c(paste0("x", 1:3), paste0("m", 1:3), paste0("y", 1:3))
S0 <- diag(9); dimnames(S0) <- list(nm, nm)
Sigma <- lavInspect(sem(pop, sample.cov = S0, sample.nobs = 100, do.fit = FALSE), "implied")$cov
tp <- parameterEstimates(sem(model, sample.cov = Sigma, sample.nobs = 1e5, sample.cov.rescale = FALSE))
tp <- tp[tp$op %in% c("~", ":="), ]
tp$parameter <- ifelse(tp$op == ":=", tp$lhs, paste0(tp$lhs, tp$op, tp$rhs))
R <- 300; out <- list()
for (n in c(100, 200, 400)) {
  rows <- list(); conv <- 0
  for (r in seq_len(R)) {
    x <- as.data.frame(mvrnorm(n, rep(0, 9), Sigma)); names(x) <- nm
    f <- tryCatch(suppressWarnings(sem(model, x)), error = function(e) NULL)
    if (is.null(f) || !lavInspect(f, "converged")) next
    conv <- conv + 1
    pe <- parameterEstimates(f); pe <- pe[pe$op %in% c("~", ":="), ]
    rows[[length(rows) + 1]] <- data.frame(parameter = tp$parameter, est = pe$est, se = pe$se, p = pe$pvalue,
                                           lo = pe$ci.lower, hi = pe$ci.upper, true = tp$est)
  }
  a <- do.call(rbind, rows)
  s <- do.call(rbind, lapply(split(a, factor(a$parameter, levels = tp$parameter)), function(g) data.frame(
    n = n, parameter = g$parameter[1], reps = R, converged = conv, true = g$true[1], power = mean(g$p < 0.05),
    mean_est = mean(g$est), bias = mean(g$est) - g$true[1], coverage = mean(g$lo <= g$true[1] & g$true[1] <= g$hi),
    sd_est = sd(g$est), mean_se = mean(g$se))))
  out[[length(out) + 1]] <- s
}
res <- do.call(rbind, out); rownames(res) <- NULL
write.csv(res, "mc_ref.csv", row.names = FALSE)
cat(sprintf("lavaan %s, MASS %s; %d replications per n\n", packageVersion("lavaan"), packageVersion("MASS"), R))
print(res, digits = 4)
