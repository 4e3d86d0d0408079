# Multi-group mediation in a path model (observed variables only): lavaan 0.6.14 sem(group = "g") with one
# label per group, its := indirect effects per group and their difference.  Written by the s23 audit.
# Run from this folder:  Rscript make_refs.R   (writes data_med.csv, model_mg.lav and mediation_refs.json)
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
set.seed(99)
n <- 300
x <- rnorm(n); m <- 0.5 * x + rnorm(n)
g <- rep(c("ctl", "trt"), length.out = n)
y <- ifelse(g == "trt", 0.5, 0.2) * m + 0.1 * x + rnorm(n)
write.csv(data.frame(x = round(x * 2 + 5, 4), m = round(m, 4), y = round(y, 4), g = g), "data_med.csv",
          row.names = FALSE)
d <- read.csv("data_med.csv")
model <- paste("m ~ c(a.ctl, a.trt)*x", "y ~ c(b.ctl, b.trt)*m + c(c.ctl, c.trt)*x", "ind_ctl := a.ctl*b.ctl",
               "ind_trt := a.trt*b.trt", "diff := ind_trt - ind_ctl", sep = "\n")
writeLines(model, "model_mg.lav")
fit <- sem(model, d, group = "g")
pe <- parameterEstimates(fit)
ss <- standardizedSolution(fit)
out <- list(data = "data_med.csv", model = "model_mg.lav", group = "g",
            pe = pe[, c("lhs", "op", "rhs", "group", "est", "se")],
            std = ss[ss$op == ":=", c("lhs", "est.std", "se")],
            fit = as.list(fitMeasures(fit, c("chisq", "df"))))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "mediation_refs.json")
