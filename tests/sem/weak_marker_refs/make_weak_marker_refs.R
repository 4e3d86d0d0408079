# A factor scaled by a marker that barely measures it (empirical underidentification), for
# tests/sem/test_weak_marker.py.  Run from the repository root:
#   Rscript tests/sem/weak_marker_refs/make_weak_marker_refs.R
# Writes tests/sem/weak_marker_refs/weak_marker.csv (simulated, 800 rows) and weak_marker_refs.json; the tests
# only read them.
# The population: GOV3 loads on GOV and, weakly (-0.10 standardized), on MKT, whose marker it is in the fitted
# model "GOV =~ GOV1 + GOV2 + GOV3; MKT =~ GOV3 + MKT1 + MKT2" (the case of fuzz31's item_in_two.lav on the
# demo data).  lavaan 0.6.14 from its start values does not converge (its estimates run off along the ridge
# where MKT's variance goes to 0 and its loadings to infinity); with std.lv = TRUE it converges, and the marker
# parameterisation started at that solution converges there too, without a warning: the same minimum, where
# MKT's variance does not differ from zero.  Stored: each fit's converged flag, iterations, warnings, chisq and
# the MKT rows (est, se, z) and the standardized solution's =~ rows; and a control model whose marker (MKT1)
# loads well.
suppressMessages(library(lavaan))
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
dir <- "tests/sem/weak_marker_refs"
pop <- "GOV =~ 0.74*GOV1 + 0.82*GOV2 + 0.64*GOV3
MKT =~ -0.10*GOV3 + 0.81*MKT1 + 0.79*MKT2
GOV ~~ 0.25*MKT
GOV1 ~~ 0.6*GOV1; GOV2 ~~ 0.64*GOV2; GOV3 ~~ 0.9*GOV3; MKT1 ~~ 0.65*MKT1; MKT2 ~~ 0.5*MKT2"
set.seed(5)
d <- simulateData(pop, sample.nobs = 800, std.lv = TRUE)
d[] <- lapply(d, function(x) round(x, 4))
write.csv(d, file.path(dir, "weak_marker.csv"), row.names = FALSE)
d <- read.csv(file.path(dir, "weak_marker.csv"))
model <- "GOV =~ GOV1 + GOV2 + GOV3\nMKT =~ GOV3 + MKT1 + MKT2"
control <- "GOV =~ GOV1 + GOV2 + GOV3\nMKT =~ MKT1 + MKT2 + GOV3"
fit_w <- function(...) {
  w <- character(0)
  f <- withCallingHandlers(sem(...), warning = function(x) {
    w <<- c(w, gsub("\\s+", " ", conditionMessage(x))); invokeRestart("muffleWarning") })
  list(fit = f, warnings = w)
}
rows <- function(f) {
  pe <- parameterEstimates(f)
  pe <- pe[pe$op %in% c("=~", "~~") & (pe$lhs %in% c("GOV", "MKT")), ]
  lapply(seq_len(nrow(pe)), function(i) list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], est = pe$est[i],
                                             se = pe$se[i], z = pe$z[i]))
}
std_rows <- function(f) {
  ss <- standardizedSolution(f)
  ss <- ss[ss$op == "=~", ]
  lapply(seq_len(nrow(ss)), function(i) list(lhs = ss$lhs[i], rhs = ss$rhs[i], est = ss$est.std[i], se = ss$se[i],
                                             z = ss$z[i]))
}
case <- function(name, model, r) {
  f <- r$fit
  ok <- lavInspect(f, "converged")
  list(name = name, model = model, converged = ok, iterations = lavInspect(f, "iterations"),
       warnings = r$warnings, chisq = if (ok) unname(fitMeasures(f, "chisq")) else NULL,
       df = if (ok) unname(fitMeasures(f, "df")) else NULL,
       estimates = if (ok) rows(f) else NULL, std = if (ok) std_rows(f) else NULL)
}
default <- fit_w(model, data = d)
stdlv <- fit_w(model, data = d, std.lv = TRUE)
pe <- parameterEstimates(stdlv$fit)
lam <- function(f, v) pe$est[pe$lhs == f & pe$op == "=~" & pe$rhs == v]
m <- lam("MKT", "GOV3")                      # the marker's loading with MKT's variance 1
started <- sprintf(paste0("GOV =~ GOV1 + start(%.6f)*GOV2 + start(%.6f)*GOV3\n",
                          "MKT =~ GOV3 + start(%.6f)*MKT1 + start(%.6f)*MKT2\n",
                          "GOV ~~ start(%.6f)*GOV\nMKT ~~ start(%.6f)*MKT\nGOV ~~ start(%.6f)*MKT"),
                   lam("GOV", "GOV2") / lam("GOV", "GOV1"), lam("GOV", "GOV3") / lam("GOV", "GOV1"),
                   lam("MKT", "MKT1") / m, lam("MKT", "MKT2") / m, lam("GOV", "GOV1")^2, m^2,
                   lam("GOV", "GOV1") * m * pe$est[pe$lhs == "GOV" & pe$op == "~~" & pe$rhs == "MKT"])
at_min <- fit_w(started, data = d)
good <- fit_w(control, data = d)
out <- list(lavaan = as.character(packageVersion("lavaan")), n = nrow(d),
            cases = list(case("default", model, default), case("std.lv", model, stdlv),
                         case("marker_from_stdlv_minimum", model, at_min), case("control", control, good)))
stopifnot(!out$cases[[1]]$converged, out$cases[[2]]$converged, out$cases[[3]]$converged, out$cases[[4]]$converged)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           file.path(dir, "weak_marker_refs.json"))
cat("default: converged", out$cases[[1]]$converged, "after", out$cases[[1]]$iterations, "iterations\n")
cat("std.lv chisq", out$cases[[2]]$chisq, "; from its minimum chisq", out$cases[[3]]$chisq, "\n")
