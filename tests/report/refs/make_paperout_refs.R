# lavaan 0.6.14 references for tests/report/test_latent_paths.py: lavInspect(fit, "cor.lv") of structural models
# whose latent correlations go through something other than factor-to-factor regressions, and the completely
# standardized estimates the paper tables compute them from:
#   ind_pred: HS1939 CFA + textual ~ visual; speed ~ textual + x1   (an indicator of visual predicts speed:
#             lavaan's phantom latent for x1)
#   ind_out:  HS1939 CFA + speed ~ visual; textual ~ x7           (an indicator of speed predicts textual; lavaan
#             adds the residual covariance textual ~~ speed)
#   res_cov:  HS1939 CFA + textual ~ visual; speed ~ visual; textual ~~ speed   (a residual covariance of two
#             endogenous factors: its std.all is a residual correlation, standardizedSolution(cov.std = TRUE))
#   res_cov_groups: res_cov in the two schools (group = "school")
#
#   Rscript tests/report/refs/make_paperout_refs.R
#
# Writes paperout_refs.json next to this script: per case (and group) the estimates (parameterEstimates() with
# std.all from standardizedSolution(); group label) and cor_lv.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- read.csv(file.path(HERE, "..", "..", "reference", "data", "hs1939.csv"))
cfa3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
models <- list(ind_pred = paste0(cfa3, "\ntextual ~ visual\nspeed ~ textual + x1"),
               ind_out = paste0(cfa3, "\nspeed ~ visual\ntextual ~ x7"),
               res_cov = paste0(cfa3, "\ntextual ~ visual\nspeed ~ visual\ntextual ~~ speed"))
mat <- function(m) list(names = rownames(m), values = unname(m))
case <- function(fit, g = NULL) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  labs <- lavInspect(fit, "group.label")
  keep <- pe$op != ":="
  pe <- pe[keep, ]; ss <- ss[keep, ]
  gi <- if (is.null(g)) rep(TRUE, nrow(pe)) else pe$group == match(g, labs)
  est <- data.frame(lhs = pe$lhs[gi], op = pe$op[gi], rhs = pe$rhs[gi], est = pe$est[gi], se = pe$se[gi],
                    std.all = ss$est.std[gi], group = if (is.null(g)) "" else g)
  cl <- lavInspect(fit, "cor.lv")
  if (!is.null(g)) cl <- cl[[g]]
  list(estimates = est, cor_lv = mat(cl))
}
out <- list()
for (k in names(models)) out[[k]] <- case(sem(models[[k]], data = hs))
fg <- sem(models$res_cov, data = hs, group = "school")
out$res_cov_groups <- setNames(lapply(lavInspect(fg, "group.label"), function(g) case(fg, g)),
                               lavInspect(fg, "group.label"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), file.path(HERE, "paperout_refs.json"))
