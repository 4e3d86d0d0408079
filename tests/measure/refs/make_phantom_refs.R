# semTools 0.5-6 / lavaan 0.6.14 reference: omega and AVE of a factor one of whose indicators is also regressed
# on an observed covariate (x3 ~ ageyr).  lavaan turns such an indicator into a phantom latent variable (its
# loading moves to BETA), and semTools' compRelSEM / AVE then leave it out of the factor; the package's omega
# and AVE count every indicator the syntax gives the factor, written here from lavaan's own estimates.
#
#   Rscript tests/measure/refs/make_phantom_refs.R
#
# Data: tests/fixtures/real/HolzingerSwineford1939.csv.  Writes phantom_refs.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "fixtures", "real", "HolzingerSwineford1939.csv"))
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx3 ~ ageyr"
fit <- sem(model, d)
pe <- parameterEstimates(fit)
lam <- c(pe$est[pe$lhs == "visual" & pe$op == "=~"])
S <- lavInspect(fit, "sampstat")$cov
vF <- lavInspect(fit, "cov.lv")["visual", "visual"]
items <- c("x1", "x2", "x3")
out <- list(model = model,
            semtools_omega = unname(compRelSEM(fit)["visual"]), semtools_ave = unname(AVE(fit)["visual"]),
            all_items_omega = sum(lam)^2 * vF / sum(S[items, items]),
            all_items_ave = sum(lam^2) * vF / sum(diag(S[items, items])),
            textual_omega = unname(compRelSEM(fit)["textual"]), textual_ave = unname(AVE(fit)["textual"]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "phantom_refs.json"))
