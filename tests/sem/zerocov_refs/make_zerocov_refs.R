# lavaan 0.6.14 references for pairs of variables never observed together (0 % coverage: a planned-missing
# design) fitted by FIML, and for missing = "ml.x" with a single covariate missing in some rows, for
# tests/sem/test_zero_coverage.py.
#
#   Rscript tests/sem/zerocov_refs/make_zerocov_refs.R
#
# Writes, next to this script:
#   hs_split.csv   HolzingerSwineford1939 x1..x9: x1 blank in the first 150 rows, x4 in the other 151
#   hs_forms.csv   HolzingerSwineford1939 x1..x9: three forms (set.seed(31)) leaving out x2+x5, x3+x6 or
#                  x8+x9, and x7 blank wherever x2 is observed (x2 and x7 never together)
#   sim_groups.csv 600 simulated cases (set.seed(32)), two groups, y1..y8 with 8 % MCAR, y1 and y5 never
#                  together, a covariate z (10 % blank) that moves y1
#   zerocov_refs.json per case: fitMeasures, parameterEstimates (lhs op rhs group est se std.all), warnings
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
a <- hs; a$x1[1:150] <- NA; a$x4[151:301] <- NA
write.csv(a, file.path(HERE, "hs_split.csv"), row.names = FALSE, na = "")
set.seed(31)
b <- hs; form <- sample(0:2, nrow(b), replace = TRUE)
b[form == 0, c("x2", "x5")] <- NA; b[form == 1, c("x3", "x6")] <- NA; b[form == 2, c("x8", "x9")] <- NA
b$x7[!is.na(b$x2)] <- NA
write.csv(b, file.path(HERE, "hs_forms.csv"), row.names = FALSE, na = "")
set.seed(32)
n <- 600
F <- MASS::mvrnorm(n, c(0, 0), matrix(c(1, .4, .4, 1), 2))
L <- cbind(c(.8, .7, .6, .7, 0, 0, 0, 0), c(0, 0, 0, 0, .8, .7, .6, .75))
Y <- F %*% t(L) + matrix(rnorm(n * 8), n) * .6
c_ <- as.data.frame(round(Y, 4)); names(c_) <- paste0("y", 1:8)
c_$g <- ifelse(seq_len(n) <= 300, "a", "b")
c_$z <- round(rnorm(n), 4)
c_$y1 <- c_$y1 + 0.3 * c_$z
for (v in paste0("y", 1:8)) c_[[v]][runif(n) < .08] <- NA
half <- runif(n) < .5
c_$y1[half] <- NA; c_$y5[!half] <- NA
c_$z[runif(n) < .1] <- NA
write.csv(c_, file.path(HERE, "sim_groups.csv"), row.names = FALSE, na = "")

HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
SIM <- "F1 =~ y1 + y2 + y3 + y4\nF2 =~ y5 + y6 + y7 + y8"
CASES <- list(
  split_ml = list(HS3, "hs_split.csv", list()),
  split_mlr = list(HS3, "hs_split.csv", list(estimator = "MLR")),
  forms_ml = list(paste0(HS3, "\nspeed ~ a*visual + b*textual\nab := a*b"), "hs_forms.csv", list()),
  forms_mlr = list(HS3, "hs_forms.csv", list(estimator = "MLR")),
  groups_ml = list(SIM, "sim_groups.csv", list(group = "g")),
  groups_loadings = list(SIM, "sim_groups.csv", list(group = "g", group.equal = c("loadings", "intercepts"))),
  groups_mlr = list(SIM, "sim_groups.csv", list(group = "g", estimator = "MLR")),
  x_ml = list(paste0(SIM, "\nF1 ~ z"), "sim_groups.csv", list()),
  x_mlx = list(paste0(SIM, "\nF1 ~ z"), "sim_groups.csv", list(missing = "ml.x")),
  one_x_mlx = list("F1 =~ y1 + y2 + y3 + y4\nF2 =~ y6 + y7 + y8\nF1 ~ z", "sim_groups.csv", list(missing = "ml.x"))
)
out <- list()
for (id in names(CASES)) {
  cs <- CASES[[id]]
  d <- read.csv(file.path(HERE, cs[[2]]))
  args <- c(list(model = cs[[1]], data = d, missing = "ml"), cs[[3]])
  args <- args[!duplicated(names(args), fromLast = TRUE)]
  w <- character(0)
  f <- withCallingHandlers(do.call("sem", args), warning = function(c) {
    w <<- c(w, trimws(gsub("\\s+", " ", conditionMessage(c)))); invokeRestart("muffleWarning") })
  pe <- parameterEstimates(f, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  out[[id]] <- list(model = cs[[1]], data = cs[[2]], args = cs[[3]], warnings = I(w),
                    converged = lavInspect(f, "converged"), fm = as.list(fitMeasures(f)),
                    pe = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group, est = pe$est, se = pe$se,
                              std.all = pe$std.all))
}
write_json(out, file.path(HERE, "zerocov_refs.json"), digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE)
