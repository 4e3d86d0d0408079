# lavaan 0.6.14 references for the := effects of a multi-group WLSMV bootstrap (iur_survey/sem/wlsmv_bootstrap.py).
#
#   Rscript tests/sem/ordinal_refs/make_wlsmv_boot_def_refs.R          # -> wlsmv_boot_groups_def.json
#   Rscript tests/sem/ordinal_refs/make_wlsmv_boot_def_refs.R mc       # -> wlsmv_boot_groups_def_mc.json
#
# Data: wlsmv_groups_630.csv (three groups G).  A fit with se = "bootstrap", bootstrap = 100, iseed = 2022 whose
# := rows use labels of several groups (c(p1, p2, p3)*, c(l1, l2, l3)*) and an earlier := name.  The file holds
#   * boot: lavaan's own draws (lavInspect(fit, "boot"): one row per successful draw, one column per free
#     parameter), with the parameter-table row (lhs, op, rhs, group) of each column;
#   * error_idx: the draws that failed (a category of an item empty in the resample; left out of draws);
#   * estimates: parameterEstimates(fit, boot.ci.type = "perc"): est, se, ci.lower, ci.upper;
#   * ci_norm, ci_basic: parameterEstimates(fit, boot.ci.type = "norm" / "basic") bounds, rows as `estimates`;
#   * se_ok: lavaan's lav_model_vcov_se() on the successful draws.  lavaan 0.6.14 passes the failed draws (NA rows)
#     to def.function when it computes the := se at fit time, so with any failed draw the := se in `estimates`
#     is NA (its CIs already leave the failed draws out); se_ok is the same formula without them.
# "mc": the same fit with bootstrap = 1000 (iseed = 2023), only the estimates and se_ok, for comparing our own
# draws' := SEs within Monte Carlo error (100 draws are too few for that: the SD of l1 / l2 is heavy-tailed).
# The test puts lavaan's draws through our code and must get lavaan's := se and CI (the same draws, so exactly,
# not within Monte Carlo error): lavaan computes each draw's := values with def.function applied to the draw.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
model <- paste(
  "F1 =~ a1 + c(l1, l2, l3)*a2 + a3 + a4",
  "F2 =~ b1 + b2 + b3 + b4",
  "F2 ~ c(p1, p2, p3)*F1",
  "diff12 := p1 - p2",
  "prod13 := p1*p3",
  "ratio := l1 / l2",
  "both := diff12 + prod13",
  sep = "\n")
# lavaan 0.6.14 refuses se = "bootstrap" with estimator = "WLSMV" ("use (D)WLS estimator for bootstrap"):
# estimator = "DWLS" with test = "scaled.shifted" is the same fit with bootstrap SEs.
mc <- identical(commandArgs(TRUE)[1], "mc")
fit <- suppressWarnings(sem(model, d, ordered = TRUE, estimator = "DWLS", test = "scaled.shifted",
                            missing = "pairwise", group = "G", se = "bootstrap",
                            bootstrap = if (mc) 1000L else 100L, iseed = if (mc) 2023L else 2022L))
BOOT <- fit@boot$coef
err <- attr(BOOT, "error.idx")
if (length(err)) BOOT <- BOOT[-err, , drop = FALSE]
nb <- nrow(BOOT)
se_ok <- lavaan:::lav_model_vcov_se(fit@Model, fit@ParTable, VCOV = cov(BOOT) * (nb - 1) / nb, BOOT = BOOT)
pt <- parTable(fit)
free <- pt[pt$free > 0, ]
free <- free[order(free$free), ]
pe <- parameterEstimates(fit, boot.ci.type = "perc")
rownames(pe) <- NULL
out <- list(model = model, nobs = lavInspect(fit, "nobs"), B = nb + length(err), error_idx = err,
            boot = list(lhs = free$lhs, op = free$op, rhs = free$rhs, group = free$group,
                        draws = unname(BOOT)),
            estimates = as.data.frame(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se",
                                             "ci.lower", "ci.upper")]),
            se_ok = se_ok[seq_len(nrow(pe))])
# the other interval types on the same draws (boot.ci.type "norm": (est - bias) -/+ z se, bias = the parameters
# at the mean draw - est; "basic": 2 est - the norm.inter quantiles); with a failed draw lavaan's := se, hence
# its "norm" bounds of the := rows, are NA (see se_ok)
for (ty in c("norm", "basic")) {
  pt_ty <- parameterEstimates(fit, boot.ci.type = ty)
  out[[paste0("ci_", ty)]] <- as.data.frame(pt_ty[, c("ci.lower", "ci.upper")])
}
if (mc) out$boot <- NULL
write_json(out, file.path(HERE, if (mc) "wlsmv_boot_groups_def_mc.json" else "wlsmv_boot_groups_def.json"),
           digits = I(15), auto_unbox = TRUE, na = "null")
cat("done: draws", nb, "failed", length(err), "\n")
