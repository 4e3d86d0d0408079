# semTools 0.5-6 on an improper solution, for tests/measure/test_improper_reliability.py.
# Run from the repository root:
#   Rscript tests/measure/heywood_refs/make_heywood_refs.R
# Writes tests/measure/heywood_refs/heywood_refs.json; the tests only read it.
# Data: the first 40 rows of tests/sem/std_refs/hs.csv (HolzingerSwineford1939), the 3-factor CFA: lavaan
# converges to a Heywood case (residual variance of x3 < 0, post.check FALSE).  Recorded: the estimates,
# compRelSEM() (obs.var = TRUE, semTools' default) and AVE(), and the warnings each gives (none: semTools
# reports the numbers of an improper solution without a word).
suppressMessages({ library(lavaan); library(semTools) })
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")
hs40 <- read.csv("tests/sem/std_refs/hs.csv")[1:40, ]
model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
fit <- suppressWarnings(cfa(model, data = hs40))
caught <- function(expr) {
  w <- character(0)
  val <- withCallingHandlers(expr, warning = function(e) { w <<- c(w, conditionMessage(e))
                                                           invokeRestart("muffleWarning") })
  list(value = as.list(val), warnings = w)
}
pe <- parameterEstimates(fit, standardized = TRUE)
write_json(list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
                model = model, n = nrow(hs40), converged = lavInspect(fit, "converged"),
                post_check = suppressWarnings(lavInspect(fit, "post.check")),
                theta_x3 = pe$est[pe$lhs == "x3" & pe$op == "~~" & pe$rhs == "x3"],
                omega = caught(compRelSEM(fit)), ave = caught(AVE(fit))),
           "tests/measure/heywood_refs/heywood_refs.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
