# True values of power analyses by lavaan 0.6.14: the analysis model fitted to the EXACT population covariance
# (sample.cov = Sigma, sample.cov.rescale = FALSE, so ML's S is Sigma itself), the reference for
# tests/power/test_power_refs.py (power.truth.true_values).
#   mediation:  model.lav under pop.lav (Sigma = lavaan's implied covariance of the fixed-value model);
#   study_likert / study_continuous: the study's default model (study_model.lav) under the simulator's
#   Population.default(), its Likert codes' exact moments / its continuous y* (study_moments.csv, from
#   make_truth_data.py).
# Run from this directory:  Rscript make_truth_ref.R > make_truth_ref.Rout   (writes truth_ref.csv)
suppressMessages(library(lavaan))
rd <- function(f) paste(readLines(f, warn = FALSE), collapse = "\n")
pop <- rd("pop.lav"); model <- rd("model.lav"); study <- rd("study_model.lav")
nm <- c(paste0("x", 1:3), paste0("m", 1:3), paste0("y", 1:3))
S0 <- diag(9); dimnames(S0) <- list(nm, nm)
Sigma <- lavInspect(sem(pop, sample.cov = S0, sample.nobs = 100, do.fit = FALSE), "implied")$cov
mom <- read.csv("study_moments.csv")
cov_of <- function(kind) {
  m <- mom[mom$kind == kind, ]; v <- unique(m$row)
  S <- matrix(m$value, length(v), length(v), byrow = TRUE, dimnames = list(v, v)); S
}
one <- function(case, mod, S) {
  f <- sem(mod, sample.cov = S, sample.nobs = 100000, sample.cov.rescale = FALSE)
  stopifnot(lavInspect(f, "converged"))
  pe <- parameterEstimates(f, standardized = TRUE)
  data.frame(case = case, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, std.lv = pe$std.lv,
             std.all = pe$std.all)
}
res <- rbind(one("mediation", model, Sigma), one("study_likert", study, cov_of("likert")),
             one("study_continuous", study, cov_of("continuous")))
write.csv(res, "truth_ref.csv", row.names = FALSE)
cat(sprintf("lavaan %s; %d rows\n", packageVersion("lavaan"), nrow(res)))
print(res[res$op %in% c("~", ":="), ], digits = 10)
