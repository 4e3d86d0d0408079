# lavaan 0.6.14 on a user's `y ~~ y` line of an ordered item (4-item ordinal CFA, ord4.csv).
# Run from this folder: Rscript make_refs.R > refs.txt   (writes refs.json; refs.txt is the printed record)
suppressMessages({library(lavaan); library(jsonlite)})
d <- read.csv("ord4.csv")   # made by: set.seed(3); f <- rnorm(400); items lam*f + e cut at -.5, .4, 1.1
base <- "f =~ x1 + x2 + x3 + x4"
cases <- list(
  delta_free   = list(p = "delta", m = paste(base, "x1 ~~ x1", sep = "\n")),
  theta_free   = list(p = "theta", m = paste(base, "x1 ~~ x1", sep = "\n")),
  delta_fixed5 = list(p = "delta", m = paste(base, "x1 ~~ 0.5*x1", sep = "\n")),
  delta_fixed1 = list(p = "delta", m = paste(base, "x1 ~~ 1*x1", sep = "\n")),
  theta_fixed5 = list(p = "theta", m = paste(base, "x1 ~~ 0.5*x1", sep = "\n")),
  theta_fixed1 = list(p = "theta", m = paste(base, "x1 ~~ 1*x1", sep = "\n")),
  delta_none   = list(p = "delta", m = base),
  theta_none   = list(p = "theta", m = base))
out <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  warns <- character(0)
  fit <- withCallingHandlers(cfa(cs$m, d, ordered = TRUE, parameterization = cs$p),
                             warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op %in% c("=~", "~~", "~*~"), c("lhs", "op", "rhs", "est", "se")]
  pt <- parTable(fit)
  free_x1 <- pt$free[pt$lhs == "x1" & pt$op == "~~" & pt$rhs == "x1"] > 0
  cat("=====", nm, "| parameterization =", cs$p, "|", gsub("\n", "; ", cs$m), "\n")
  if (length(warns)) cat("warnings:", gsub("\\s+", " ", warns), sep = "\n  ")
  cat("x1 ~~ x1 free:", free_x1, " npar:", fitMeasures(fit, "npar"), " df:", fitMeasures(fit, "df"),
      " chisq:", fitMeasures(fit, "chisq"), "\n")
  print(pe, digits = 8)
  out[[nm]] <- list(parameterization = cs$p, model = cs$m, x1_free = free_x1, warnings = warns,
                    df = unname(fitMeasures(fit, "df")), chisq = unname(fitMeasures(fit, "chisq")),
                    lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se)
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"), "refs.json")
cat("lavaan", as.character(packageVersion("lavaan")), "\n")
