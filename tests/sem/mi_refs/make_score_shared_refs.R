# lavaan 0.6.14 references for lavTestScore() of two-group fits with labels every group shares (one label in both
# groups: one parameter):
#  * "cross": a user constraint `a == b` between such labels points at the labels' first rows;
#  * "within": a label on two loadings of one factor (`c*x8 + c*x9`): lavaan's order of the .pN. == .pM. rows (by
#    the row where a label first repeats, all its rows together), the numbering of release = .
#
#   Rscript tests/sem/mi_refs/make_score_shared_refs.R
#
# Data: tests/fixtures/real/HolzingerSwineford1939.csv (lavaan's data set). Writes score_shared.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "..", "fixtures", "real", "HolzingerSwineford1939.csv"))
one <- function(model) {
  fit <- sem(model, d, group = "school", group.equal = "loadings")
  st <- lavTestScore(fit)
  list(model = model, group = "school", group_equal = "loadings",
       test = as.list(as.data.frame(st$test)[1, c("X2", "df", "p.value")]),
       uni = lapply(seq_len(nrow(st$uni)), function(i) list(lhs = st$uni$lhs[i], rhs = st$uni$rhs[i],
                                                              X2 = st$uni$X2[i])))
}
cfa <- paste("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", sep = "\n")
out <- list(cross = one(paste(cfa, "speed =~ x7 + x8 + x9", "textual ~ a*visual", "speed ~ b*textual", "a == b",
                               sep = "\n")),
            within = one(paste(cfa, "speed =~ x7 + c*x8 + c*x9", sep = "\n")))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "score_shared.json"))
