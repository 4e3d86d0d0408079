# lavaan 0.6.14 references for tests/sem/test_stdnox_score_general.py:
#   * std.nox / sepc.nox when the observed covariates are free (fixed.x = FALSE): lavaan leaves every ov.x
#     unstandardized whatever fixed.x (lav_standardize_all_nox uses vnames(, "ov.x"));
#   * lavTestScore() releasing general linear constraints (b == 2*c, l3 + k3 == 1.2), and its cumulative
#     tests (cumulative = TRUE), also of group.equal = "loadings" in two groups.
# Run from the repository root:  Rscript tests/sem/stdnox_refs/make_refs.R
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(packageVersion("lavaan") == "0.6.14")
dir <- "tests/sem/stdnox_refs"
tab <- function(x) { x <- as.data.frame(x); rownames(x) <- NULL; x }
set.seed(2026); n <- 240
x1 <- rnorm(n); x2 <- rbinom(n, 1, .4)
M <- .5 * x1 - .4 * x2 + rnorm(n)
Y <- .4 * M + .2 * x1 + rnorm(n)
d <- data.frame(x1 = x1, x2 = x2,
  m1 = M + rnorm(n, sd = .6), m2 = .8 * M + rnorm(n, sd = .6), m3 = .7 * M + rnorm(n, sd = .7),
  y1 = Y + rnorm(n, sd = .6), y2 = .9 * Y + rnorm(n, sd = .6), y3 = .6 * Y + rnorm(n, sd = .8),
  g = rep(c("u", "v"), length.out = n))
d[1:8] <- round(d[1:8], 4)
dm <- d; set.seed(7)
for (v in c("m1", "m3", "y2")) dm[[v]][runif(n) < .1] <- NA
write.csv(dm, file.path(dir, "data.csv"), row.names = FALSE, na = "")
d <- read.csv(file.path(dir, "data.csv")); dc <- d[complete.cases(d), ]
model <- '
  M =~ m1 + m2 + m3
  Y =~ y1 + y2 + y3
  M ~ a*x1 + x2
  Y ~ b*M + c*x1
  ab := a*b
  tot := c + a*b
'
std <- function(fit, mi = TRUE) {
  r <- list(nox = tab(standardizedSolution(fit, type = "std.nox")),
            all = tab(standardizedSolution(fit, type = "std.all")),
            pe = tab(parameterEstimates(fit, standardized = TRUE)))
  if (mi) r$mi <- tab(modindices(fit))
  r
}
out <- list(model = model)
out$fxf <- std(sem(model, dc, fixed.x = FALSE))
out$fxf_fiml <- std(sem(model, d, fixed.x = FALSE, missing = "ml"), mi = FALSE)
out$fxf_groups <- std(sem(model, dc, fixed.x = FALSE, group = "g"), mi = FALSE)
out$fxt <- std(sem(model, dc))
model_con <- '
  M =~ m1 + l2*m2 + l3*m3
  Y =~ y1 + k2*y2 + k3*y3
  M ~ a*x1 + x2
  Y ~ b*M + c*x1
  l2 == k2
  b == 2*c
  l3 + k3 == 1.2
'
out$model_con <- model_con
fit <- sem(model_con, dc)
s <- lavTestScore(fit, epc = TRUE)
s2 <- lavTestScore(fit, release = 2:3)
s3 <- lavTestScore(fit, add = c("m1 ~~ y1", "Y ~ x2"))
out$score <- list(test = tab(s$test), uni = tab(s$uni), epc = tab(s$epc), release_test = tab(s2$test),
                  release_uni = tab(s2$uni), add_test = tab(s3$test), add_uni = tab(s3$uni),
                  coef = as.list(coef(fit)),
                  cumulative = tab(lavTestScore(fit, cumulative = TRUE)$cumulative))
mg <- 'M =~ m1 + m2 + m3\n Y =~ y1 + y2 + y3\n Y ~ M'
fit_mg <- sem(mg, dc, group = "g", group.equal = "loadings")
s5 <- lavTestScore(fit_mg, cumulative = TRUE)
out$score_mg <- list(model = mg, test = tab(s5$test), uni = tab(s5$uni), cumulative = tab(s5$cumulative))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"), file.path(dir, "refs.json"))
