# References of tests/power/test_power_audit.py by lavaan 0.6.14 (R):
#  pd_implied.csv  the model-implied covariance matrix of lavaan's fit of pd_model.lav (the classic
#                  PoliticalDemocracy model, paths labelled, ind := p1*p3) to pd_data.csv (lavaan's
#                  PoliticalDemocracy): the population PopulationModel.from_results makes of that fit;
#  reps_ref.csv    parameterEstimates, converged and post.check of every replication data set in reps_data.csv
#                  (make_audit_data.py: what power_analysis draws), fitted as power_analysis fits it:
#                  med_mcar15 by FIML (missing = "ml", fixed.x), likert by ML on the codes;
#  ordinal_ref.csv the implied y* covariance matrix (kind "cov") and thresholds (kind "th") of lavaan's WLSMV fit of
#                  lik_model.lav to ordinal_data.csv (Likert codes, all items ordered): the population
#                  PopulationModel.from_results makes of such a fit (continuous y*, the thresholds kept);
#  wilson_ref.csv  prop.test(k, m, correct = FALSE)$conf.int: the Wilson interval of a power estimate.
# Run from this directory:  Rscript make_audit_ref.R > make_audit_ref.Rout
suppressMessages(library(lavaan))
rd <- function(f) paste(readLines(f, warn = FALSE), collapse = "\n")
pd <- read.csv("pd_data.csv")
fit <- sem(rd("pd_model.lav"), data = pd)
S <- lavInspect(fit, "implied")$cov; ov <- lavNames(fit, "ov")
write.csv(data.frame(row = rep(ov, each = length(ov)), col = rep(ov, length(ov)), value = as.vector(t(S[ov, ov]))),
          "pd_implied.csv", row.names = FALSE)
od <- read.csv("ordinal_data.csv")
fo <- sem(rd("lik_model.lav"), od, ordered = names(od), estimator = "WLSMV")
im <- lavInspect(fo, "implied"); ovo <- names(od)
write.csv(rbind(data.frame(kind = "cov", row = rep(ovo, each = 6), col = rep(ovo, 6), value = as.vector(t(im$cov[ovo, ovo]))),
                data.frame(kind = "th", row = sub("\\|.*", "", names(im$th)), col = sub(".*\\|", "", names(im$th)),
                           value = as.vector(im$th))), "ordinal_ref.csv", row.names = FALSE)
d <- read.csv("reps_data.csv")
models <- list(med_mcar15 = rd("med_model.lav"), likert = rd("lik_model.lav"))
out <- list()
for (case in unique(d$case)) for (r in unique(d$rep[d$case == case])) {
  s <- d[d$case == case & d$rep == r, ]
  x <- reshape(s[, c("row", "variable", "value")], idvar = "row", timevar = "variable", direction = "wide")
  names(x) <- sub("^value\\.", "", names(x)); x$row <- NULL
  f <- if (case == "med_mcar15") sem(models[[case]], x, missing = "ml") else sem(models[[case]], x)
  pe <- parameterEstimates(f)
  out[[length(out) + 1]] <- data.frame(case = case, rep = r, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est,
                                       se = pe$se, pvalue = pe$pvalue, converged = lavInspect(f, "converged"),
                                       post_check = lavInspect(f, "post.check"))
}
res <- do.call(rbind, out)
write.csv(res, "reps_ref.csv", row.names = FALSE)
w <- expand.grid(k = c(0, 1, 150, 240, 299, 300), m = 300)
ci <- t(mapply(function(k, m) prop.test(k, m, correct = FALSE)$conf.int, w$k, w$m))
w$lower <- ci[, 1]; w$upper <- ci[, 2]
write.csv(w, "wilson_ref.csv", row.names = FALSE)
cat(sprintf("lavaan %s\n", packageVersion("lavaan")))
print(S[ov, ov][1:4, 1:4]); print(unique(res[, c("case", "rep", "converged", "post_check")])); print(w)
