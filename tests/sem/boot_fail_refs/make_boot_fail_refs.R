# lavaan 0.6.14's se = "bootstrap" when some draws do not converge, for tests/sem/test_bootstrap_failed_draws.py.
# Run from the repository root:
#   Rscript tests/sem/boot_fail_refs/make_boot_fail_refs.R
# Writes tests/sem/boot_fail_refs/boot_fail_refs.json; the tests only read it.
# Data: the first 40 rows of tests/sem/std_refs/hs.csv (HolzingerSwineford1939), the 3-factor CFA with
# ab := a*b: the fit converges to a Heywood case (x3) and about 4 in 10 draws do not converge.
# Recorded: lavaan's draws (lavInspect(fit, "boot"): NA rows for the failed ones, attributes error.idx and
# nonadmissible), its warnings, parameterEstimates() with boot.ci.type "perc" and "bca.simple", and what the
# := SE is with the failed rows dropped first (lavaan 0.6-16's rule; 0.6.14 reports NA, its bug #273).
suppressMessages(library(lavaan))
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
out_dir <- "tests/sem/boot_fail_refs"
hs40 <- read.csv("tests/sem/std_refs/hs.csv")[1:40, ]
model <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
ab := a*b"
B <- 100L
warns <- character(0)
fit <- withCallingHandlers(cfa(model, data = hs40, se = "bootstrap", bootstrap = B, iseed = 20261205L),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w))
                                                   invokeRestart("muffleWarning") })
stopifnot(lavInspect(fit, "converged"))
BOOT <- lavInspect(fit, "boot")
err <- attr(BOOT, "error.idx")
ok <- BOOT[-err, , drop = FALSE]
table <- function(type) {
  pe <- parameterEstimates(fit, boot.ci.type = type)
  lapply(seq_len(nrow(pe)), function(i) list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], est = pe$est[i],
                                              se = pe$se[i], z = pe$z[i], ci.lower = pe$ci.lower[i],
                                              ci.upper = pe$ci.upper[i]))
}
def_ok <- apply(ok, 1, fit@Model@def.function)
txt <- capture.output(summary(fit))
write_json(list(lavaan = as.character(packageVersion("lavaan")), model = model, n = nrow(hs40), B = B,
                columns = names(coef(fit)), boot = unname(lapply(seq_len(nrow(BOOT)), function(i) BOOT[i, ])),
                error_idx = err, nonadmissible = attr(BOOT, "nonadmissible"), warnings = warns,
                successful_line = trimws(grep("successful bootstrap draws", txt, value = TRUE)),
                perc = table("perc"), bca_simple = table("bca.simple"),
                def_se_failed_rows_dropped = sd(def_ok),
                free_se_rule = unname(sqrt(diag(cov(ok)) * (nrow(ok) - 1) / nrow(ok)))),
           file.path(out_dir, "boot_fail_refs.json"), digits = NA, auto_unbox = TRUE, pretty = FALSE, na = "null")
