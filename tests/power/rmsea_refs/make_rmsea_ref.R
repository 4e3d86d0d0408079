# References of tests/power/test_rmsea_power.py by semTools 0.5-6 (R): analytic power by RMSEA.
#  power_ref.csv            findRMSEApower(rmsea0, rmseaA, df, n, alpha, group) on a grid: df 1..300, n 50..2000,
#                           rmsea0 0 (exact fit) / .05 (close and not-close fit), rmseaA .01..10, alpha .01/.05,
#                           group 1..3 (rmsea0 == rmseaA left out: the package refuses it);
#  samplesize_ref.csv       findRMSEAsamplesize(...) on a coarser grid (power .80 / .90): semTools returns
#                           n / group with n the smallest total N in 5, 6, ... whose power exceeds the target
#                           ("Sample Size <= 5" when N = 5 already does: written as NA with at_min = TRUE), and
#                           findRMSEApower at the 4 total N below it (power.m1..m4: semTools' scan skips
#                           N = 501..504, 1001..1004, ...);
#  nested_ref.csv           findRMSEApowernested(rmsea0A, rmsea0B, rmsea1A, rmsea1B, dfA, dfB, n, alpha, group);
#  nested_samplesize_ref.csv findRMSEAsamplesizenested(...), as findRMSEAsamplesize;
#  df_ref.csv               lavaan's model df (fitMeasures(fit)["df"]) of the models in df_models.lav, fitted by
#                           sem() to a sample covariance matrix (the df does not depend on it).
# Run from this directory:  Rscript make_rmsea_ref.R > make_rmsea_ref.Rout
suppressMessages(library(semTools))
cat("semTools", format(packageVersion("semTools")), "lavaan", format(packageVersion("lavaan")), R.version.string, "\n")
# every number with 17 significant digits (read back exactly), logicals as TRUE / FALSE
w <- function(d, f) {
  d[] <- lapply(d, function(x) if (is.double(x)) sprintf("%.17g", x) else x)
  write.csv(d, f, row.names = FALSE, quote = FALSE); cat(f, nrow(d), "rows\n")
}
# R's warnings, counted by message (qchisq / pchisq with ncp say when full precision may not have been reached)
said <- list()
counted <- function(expr) withCallingHandlers(expr, warning = function(e) {
  m <- conditionMessage(e); said[[m]] <<- (if (is.null(said[[m]])) 0 else said[[m]]) + 1; invokeRestart("muffleWarning") })
report <- function(what) { cat(what, "warnings:", if (length(said)) "" else "none", "\n")
  for (m in names(said)) cat("  ", said[[m]], "x", m, "\n"); said <<- list() }

dfs <- c(1, 2, 3, 5, 8, 10, 15, 20, 30, 50, 100, 200, 300)
ns <- c(50, 100, 200, 300, 500, 1000, 1500, 2000)
g <- expand.grid(df = dfs, n = ns, rmsea0 = c(0, 0.05), rmseaA = (1:10) / 100, alpha = c(0.01, 0.05), group = 1:3)
g <- g[abs(g$rmsea0 - g$rmseaA) > 1e-12, ]
g$power <- counted(mapply(findRMSEApower, g$rmsea0, g$rmseaA, g$df, g$n, g$alpha, g$group))
report("findRMSEApower")
w(g, "power_ref.csv")

s <- expand.grid(df = c(1, 2, 5, 10, 20, 50, 100, 200, 300), rmsea0 = c(0, 0.05), rmseaA = c(.01, .02, .03, .04, .06, .08, .10),
                 alpha = c(0.01, 0.05), group = 1:3, power = c(0.8, 0.9))
# semTools scans N = 5, 6, ... in blocks of 496 (a noncentral quantile each: slow in R for N in the 10^4..10^5):
# the cases with a misfit contrast df * |rmseaA^2 - rmsea0^2| / group >= .05 (N up to about 3000), and two that
# reach the target at N = 5 already
s <- s[s$df * abs(s$rmseaA^2 - s$rmsea0^2) / s$group >= 0.05, ]
s <- rbind(s, expand.grid(df = c(200, 300), rmsea0 = 0, rmseaA = 0.3, alpha = 0.05, group = 1, power = 0.8))
t0 <- proc.time()
ss <- function(r0, ra, df, p, a, gr) { v <- findRMSEAsamplesize(r0, ra, df, p, a, gr); if (is.character(v)) NA else v }
s$n.group <- counted(mapply(ss, s$rmsea0, s$rmseaA, s$df, s$power, s$alpha, s$group))
report("findRMSEAsamplesize")
s$at_min <- is.na(s$n.group)
# semTools' own power at the 4 N below the N it returns: its scan looks at 5:500, then 505:1000, 1005:1500, ...
# (n + 500), never at 501..504, 1001..1004, ...; where the target is first exceeded there it returns the next
# block's start (power.m1 > power shows it)
tot <- s$n.group * s$group
for (k in 1:4) s[[paste0("power.m", k)]] <- mapply(function(r0, ra, df, n, a, gr)
  if (is.na(n)) NA else findRMSEApower(r0, ra, df, n, a, gr), s$rmsea0, s$rmseaA, s$df, tot - k, s$alpha, s$group)
cat("samplesize scan", round((proc.time() - t0)[3]), "s\n")
w(s, "samplesize_ref.csv")

nest <- rbind(expand.grid(rmsea0A = 0, rmsea0B = 0, rmsea1A = c(.02, .04, .06, .08, .10), rmsea1B = c(0, .03, .05),
                          dfA = c(3, 12, 25, 105), ddiff = c(1, 2, 5), n = ns, alpha = c(0.01, 0.05), group = 1:3),
              expand.grid(rmsea0A = .06, rmsea0B = .05, rmsea1A = c(.08, .10), rmsea1B = c(.03, .05),
                          dfA = c(3, 12, 25, 105), ddiff = c(1, 2, 5), n = ns, alpha = c(0.01, 0.05), group = 1:3))
nest$dfB <- nest$dfA - nest$ddiff; nest$ddiff <- NULL
dmis <- function(d) (d$dfA * d$rmsea1A^2 - d$dfB * d$rmsea1B^2) - (d$dfA * d$rmsea0A^2 - d$dfB * d$rmsea0B^2)
nest <- nest[nest$rmsea1A >= nest$rmsea1B & dmis(nest) > 1e-12, ]
nest$power <- counted(mapply(function(a0, b0, a1, b1, dA, dB, n, al, gr) findRMSEApowernested(a0, b0, a1, b1, dA, dB, n, al, gr),
                     nest$rmsea0A, nest$rmsea0B, nest$rmsea1A, nest$rmsea1B, nest$dfA, nest$dfB, nest$n, nest$alpha, nest$group))
report("findRMSEApowernested")
w(nest, "nested_ref.csv")

ns2 <- unique(nest[nest$n == 200 & nest$dfA %in% c(3, 25, 105), c("rmsea0A", "rmsea0B", "rmsea1A", "rmsea1B", "dfA", "dfB", "alpha", "group")])
ns2 <- ns2[dmis(ns2) / ns2$group >= 0.05, ]      # (as above: N up to about 700)
t0 <- proc.time()
ns2$n.group <- counted(mapply(function(a0, b0, a1, b1, dA, dB, al, gr) {
  v <- findRMSEAsamplesizenested(a0, b0, a1, b1, dA, dB, 0.8, al, gr); if (is.character(v)) NA else v },
  ns2$rmsea0A, ns2$rmsea0B, ns2$rmsea1A, ns2$rmsea1B, ns2$dfA, ns2$dfB, ns2$alpha, ns2$group))
report("findRMSEAsamplesizenested")
ns2$power <- 0.8
ns2$at_min <- is.na(ns2$n.group)
tot <- ns2$n.group * ns2$group          # (as above)
for (k in 1:4) ns2[[paste0("power.m", k)]] <- mapply(function(a0, b0, a1, b1, dA, dB, n, al, gr)
  if (is.na(n)) NA else findRMSEApowernested(a0, b0, a1, b1, dA, dB, n, al, gr),
  ns2$rmsea0A, ns2$rmsea0B, ns2$rmsea1A, ns2$rmsea1B, ns2$dfA, ns2$dfB, tot - k, ns2$alpha, ns2$group)
cat("nested samplesize scan", round((proc.time() - t0)[3]), "s\n")
w(ns2, "nested_samplesize_ref.csv")

mods <- strsplit(paste(readLines("df_models.lav"), collapse = "\n"), "\n---\n")[[1]]
dref <- data.frame(model = seq_along(mods), df = NA_real_)
for (i in seq_along(mods)) {
  pt <- lavaanify(mods[i], auto = TRUE, fixed.x = FALSE)
  ov <- lavNames(pt, "ov")
  S <- diag(length(ov)) * 0.5 + 0.5; dimnames(S) <- list(ov, ov)
  fit <- suppressWarnings(sem(mods[i], sample.cov = S, sample.nobs = 300))   # (a misfit to S: only df is kept)
  dref$df[i] <- fitMeasures(fit)[["df"]]
}
w(dref, "df_ref.csv")
