# lavaan 0.6.14's summary() "Constraints:" block (|Slack|) for user == constraints.
# Writes PoliticalDemocracy.csv (the data), constraints_summary.txt (summary(fit) as printed) and
# constraints_summary.json (the constraint rows of parameterEstimates: lhs, op, rhs, est = the slack's sign).
# Run from this directory: Rscript make_constraints_summary_ref.R
library(lavaan)
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
data(PoliticalDemocracy)
write.csv(PoliticalDemocracy, "PoliticalDemocracy.csv", row.names = FALSE)
model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + d*y6 + e*y7 + f*y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y2 ~~ v2*y2
  y6 ~~ v6*y6
  v2 == v6
  a == d
  b == 2*c - 1
  e - f == 0.1
'
fit <- sem(model, data = PoliticalDemocracy)
txt <- capture.output(summary(fit))
writeLines(txt, "constraints_summary.txt")
pe <- parameterEstimates(fit, remove.eq = FALSE, remove.ineq = FALSE)
con <- pe[pe$op %in% c("==", "<", ">"), c("lhs", "op", "rhs", "est")]
out <- list(model = model, constraints = con,
            chisq = unname(fitMeasures(fit, "chisq")), df = unname(fitMeasures(fit, "df")))
write_json(out, "constraints_summary.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
