# lavaan 0.6.14 references for lavTestLRT() on WLSMV (ordered-item) fits: lavaan's default difference test
# for the scaled-shifted test of WLSMV is method = "satorra.2000" (lav_test_diff_Satorra2000, A.method =
# "delta", scaled.shifted = TRUE); "satorra.bentler.2001" is forced once for comparison.
#
#   Rscript tests/sem/compare_refs/make_wlsmv_lrt_refs.R
#
# Data: ../ordinal_refs/wlsmv_groups_630.csv (8 five-point items, ~7 % missing cells, groups g1/g2/g3),
# fitted with missing = "pairwise" (the package's default for ordered items with missing cells).
# Writes wlsmv_lrt.json beside this script.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
d <- read.csv(file.path(HERE, "..", "ordinal_refs", "wlsmv_groups_630.csv"), stringsAsFactors = FALSE)
items <- c(paste0("a", 1:4), paste0("b", 1:4))
m_free <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
m_eq   <- "F1 =~ a1 + l*a2 + l*a3 + a4\nF2 =~ b1 + b2 + b3 + b4"
m_orth <- "F1 =~ a1 + l*a2 + l*a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nF1 ~~ 0*F2"
tab <- function(t) {
  out <- as.data.frame(t)
  list(model = rownames(out), Df = out$Df, Chisq = out$Chisq, `Chisq diff` = out[["Chisq diff"]],
       `Df diff` = out[["Df diff"]], `Pr(>Chisq)` = out[["Pr(>Chisq)"]], heading = attr(t, "heading"),
       scale = attr(t, "scale"), shift = attr(t, "shift"))
}
fm <- function(f) as.list(fitMeasures(f, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor")))
q <- function(expr) suppressWarnings(expr)
refs <- list(lavaan = as.character(packageVersion("lavaan")))
# one group, every item ordered
f1 <- q(cfa(m_free, d, ordered = items, missing = "pairwise"))
f2 <- q(cfa(m_eq, d, ordered = items, missing = "pairwise"))
f3 <- q(cfa(m_orth, d, ordered = items, missing = "pairwise"))
refs$single <- list(fits = list(free = fm(f1), eq = fm(f2), orth = fm(f3)),
                    default = tab(lavTestLRT(f1, f2, f3, model.names = c("free", "eq", "orth"))),
                    sb2001 = tab(lavTestLRT(f1, f2, model.names = c("free", "eq"),
                                            method = "satorra.bentler.2001")),
                    pair_free_orth = tab(lavTestLRT(f3, f1, model.names = c("orth", "free"))))
# three groups, every item ordered: configural vs equal loadings vs equal loadings + thresholds
g1 <- q(cfa(m_free, d, ordered = items, missing = "pairwise", group = "G"))
g2 <- q(cfa(m_free, d, ordered = items, missing = "pairwise", group = "G", group.equal = "loadings"))
g3 <- q(cfa(m_free, d, ordered = items, missing = "pairwise", group = "G",
            group.equal = c("loadings", "thresholds")))
refs$groups <- list(fits = list(configural = fm(g1), loadings = fm(g2), thresholds = fm(g3)),
                    default = tab(lavTestLRT(g1, g2, g3, model.names = c("configural", "loadings",
                                                                          "thresholds"))))
# one group, ordered and continuous items (a3, a4, b3, b4 continuous), listwise
ord <- c("a1", "a2", "b1", "b2")
x1 <- q(cfa(m_free, d, ordered = ord))
x2 <- q(cfa(m_eq, d, ordered = ord))
refs$mixed <- list(fits = list(free = fm(x1), eq = fm(x2)),
                   default = tab(lavTestLRT(x1, x2, model.names = c("free", "eq"))))
writeLines(toJSON(refs, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(HERE, "wlsmv_lrt.json"))
