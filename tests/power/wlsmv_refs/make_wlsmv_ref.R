# References of tests/power/test_power_wlsmv.py by lavaan 0.6.14 (R), written independently of the package:
#  exact_ref.csv  parameterEstimates (est, se) of the WLSMV fit (all items ordered, lavaan's defaults) of each
#                 data set in exact_data.csv (make_wlsmv_data.py: what power_analysis draws), with converged and
#                 post.check; an item with a category nobody chose has only the observed categories' thresholds;
#  mc_ref.csv     an independent Monte Carlo of the same analysis: for N = 150 and 300, R = 500 replications each,
#                 y* drawn from pop.lav without its threshold lines (simulateData; set.seed(SEED + 1000 * N + r)),
#                 cut at pop.lav's thresholds into codes 1..5 (a code is 1 + the number of thresholds below y*),
#                 model.lav fitted by sem(..., ordered = TRUE, estimator = "WLSMV").  Per N and parameter (the ~ and
#                 := rows): fits converged (lavaan's converged and every recorded se finite and > 0), of them
#                 admissible (post.check), significant (p < .05), covering the true value (est +- 1.96 se), and
#                 the replications where some item lost a category; mean seconds per fit.  True values: model.lav
#                 fitted by ML to the population y* covariance matrix (exact for this correctly specified model).
# Run from this directory:  Rscript make_wlsmv_ref.R > make_wlsmv_ref.Rout   (about 10 minutes on one core)
suppressMessages(library(lavaan))
rd <- function(f) paste(readLines(f, warn = FALSE), collapse = "\n")
pop_lines <- readLines("pop.lav", warn = FALSE)
is_th <- grepl("\\|", pop_lines)
pop_cont <- paste(pop_lines[!is_th], collapse = "\n")
th <- list()
for (l in pop_lines[is_th]) {
  v <- trimws(sub("\\|.*", "", l))
  terms <- strsplit(sub(".*\\|", "", l), "\\+")[[1]]
  th[[v]] <- sort(as.numeric(sub("\\*.*", "", trimws(terms))))
}
model <- rd("model.lav")
ov <- names(th)
cat("lavaan", as.character(packageVersion("lavaan")), "\n")

# ---- one data set at a time, exactly
ed <- read.csv("exact_data.csv")
out <- list()
for (r in sort(unique(ed$rep))) {
  x <- ed[ed$rep == r, ov]
  f <- sem(model, x, ordered = TRUE, estimator = "WLSMV")
  pe <- parameterEstimates(f)
  out[[length(out) + 1]] <- data.frame(rep = r, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se,
                                       pvalue = pe$pvalue, converged = lavInspect(f, "converged"),
                                       post_check = lavInspect(f, "post.check"))
  cat("exact rep", r, ": items with a category nobody chose:",
      paste(ov[sapply(x, function(v) length(unique(v))) < 5], collapse = " "), "\n")
}
write.csv(do.call(rbind, out), "exact_ref.csv", row.names = FALSE)

# ---- the Monte Carlo
SEED <- 20260
R <- as.integer(Sys.getenv("WLSMV_REF_REPS", "500"))
f0 <- lavaan(pop_cont, sample.cov = `dimnames<-`(diag(length(ov)), list(ov, ov)), sample.nobs = 1000, do.fit = FALSE,
              start = "simple")
Sigma <- lavInspect(f0, "implied")$cov[ov, ov]
stopifnot(max(abs(diag(Sigma) - 1)) < 1e-9)
tf <- sem(model, sample.cov = Sigma, sample.nobs = 100000, sample.cov.rescale = FALSE)
tp <- parameterEstimates(tf)
keep <- tp$op %in% c("~", ":=")
truth <- setNames(tp$est[keep], ifelse(tp$op[keep] == ":=", tp$lhs[keep], paste0(tp$lhs[keep], "~", tp$rhs[keep])))
print(round(truth, 6))
res <- list()
for (N in c(150, 300)) {
  k <- length(truth)
  conv <- adm <- sig <- cov <- sig_adm <- numeric(k); nconv <- nadm <- collapsed <- 0; secs <- 0
  for (r in 1:R) {
    set.seed(SEED + 1000 * N + r)
    y <- simulateData(pop_cont, sample.nobs = N)[, ov]
    x <- as.data.frame(lapply(ov, function(v) findInterval(y[[v]], th[[v]]) + 1L)); names(x) <- ov
    if (any(sapply(x, function(v) length(unique(v))) < 5)) collapsed <- collapsed + 1
    t0 <- proc.time()[["elapsed"]]
    f <- tryCatch(sem(model, x, ordered = TRUE, estimator = "WLSMV", warn = FALSE), error = function(e) NULL)
    secs <- secs + proc.time()[["elapsed"]] - t0
    if (is.null(f) || !lavInspect(f, "converged")) next
    pe <- parameterEstimates(f)
    pe <- pe[pe$op %in% c("~", ":="), ]
    nm <- ifelse(pe$op == ":=", pe$lhs, paste0(pe$lhs, "~", pe$rhs))
    pe <- pe[match(names(truth), nm), ]
    if (!all(is.finite(pe$se) & pe$se > 0)) next
    nconv <- nconv + 1
    ok <- lavInspect(f, "post.check")
    nadm <- nadm + ok
    s <- pe$pvalue < 0.05
    sig <- sig + s
    sig_adm <- sig_adm + s * ok
    cov <- cov + (abs(pe$est - truth) <= qnorm(0.975) * pe$se)
  }
  res[[length(res) + 1]] <- data.frame(n = N, parameter = names(truth), true = unname(truth), reps = R,
                                       converged = nconv, admissible = nadm, significant = sig,
                                       significant_admissible = sig_adm, power = sig / nconv, covered = cov,
                                       coverage = cov / nconv, collapsed_reps = collapsed,
                                       seconds_per_fit = secs / R, seed = SEED)
  cat("N =", N, "done:", nconv, "converged,", collapsed, "replications with a collapsed category,",
      round(secs / R, 3), "s per fit\n")
}
mc <- do.call(rbind, res)
write.csv(mc, "mc_ref.csv", row.names = FALSE)
print(mc[, c("n", "parameter", "converged", "admissible", "power", "coverage", "collapsed_reps")])
