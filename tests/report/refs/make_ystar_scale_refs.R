# lavaan 0.6.14 references for tests/report/test_ystar_scale_note.py: the scale of y* that the thresholds table
# states.  HS1939 with every item cut into 4 ordered categories (tests/sem/groupsum_refs/hs1939_ordered4.csv),
# the three-factor CFA with textual ~ visual, speed ~ textual + visual, fitted by WLSMV in the two schools:
#   delta_equal: group.equal = c("thresholds", "loadings"), parameterization = "delta"
#                (lavaan then estimates the scale factors ~*~ of the second group: y* has variance 1 there no more)
#   theta_equal: the same, parameterization = "theta" (the residual variances of y* estimated in the second group)
#   delta_free:  no equality constraints (every ~*~ fixed at 1 in both groups)
#
#   Rscript tests/report/refs/make_ystar_scale_refs.R
#
# Writes ystar_scale_refs.json next to this script: per case the rows of parameterEstimates() with op "|", "~*~"
# and the items' "~~" variances (lhs, op, rhs, group label, est, se), the model, the options and fitMeasures()
# of the scaled test and indices (cfi.robust / rmsea.robust: NA, null in the JSON, for these two-group fits).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "sem", "groupsum_refs", "hs1939_ordered4.csv"))
items <- paste0("x", 1:9)
model <- paste("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9",
               "textual ~ visual", "speed ~ textual + visual", sep = "\n")
cases <- list(delta_equal = list(equal = c("thresholds", "loadings"), par = "delta"),
              theta_equal = list(equal = c("thresholds", "loadings"), par = "theta"),
              delta_free = list(equal = "", par = "delta"))
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  fit <- sem(model, d, ordered = items, estimator = "WLSMV", group = "school", group.equal = cs$equal,
             parameterization = cs$par)
  pe <- parameterEstimates(fit)
  labs <- lavInspect(fit, "group.label")
  keep <- pe$op %in% c("|", "~*~") | (pe$op == "~~" & pe$lhs == pe$rhs & pe$lhs %in% items)
  pe <- pe[keep, ]
  out[[nm]] <- list(model = model, data = "hs1939_ordered4.csv", ordered = items, group = "school",
                    group_equal = as.list(setdiff(cs$equal, "")), parameterization = cs$par,
                    fit = as.list(fitMeasures(fit, c("chisq.scaled", "cfi.robust", "rmsea.robust", "cfi.scaled",
                                                     "tli.scaled", "rmsea.scaled"))),
                    rows = data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = labs[pe$group],
                                      est = pe$est, se = pe$se))
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(HERE, "ystar_scale_refs.json"))
