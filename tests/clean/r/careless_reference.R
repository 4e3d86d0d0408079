# Reference values of the careless-responding indices that R's `careless` package also
# computes (longstring, irv, mahad, psychsyn, psychant, evenodd), for
# tests/clean/test_indices.py.
#
# The `careless` package (Yentes & Wilhelm, CRAN) is not packaged for Debian, so this
# script implements its published definitions in base R (R >= 4; no other package):
#   longstring(x)        longest run of identical consecutive values per row
#   irv(x)               apply(x, 1, sd)                      (sd with n - 1)
#   mahad(x)             psych::outlier: D^2 from colMeans and cov(x, use = "pairwise")
#   psychsyn(x, crit)    item pairs with cor > crit (lower triangle, column-major order),
#                        within-person cor of the first items' with the second items' answers
#   psychant(x, crit)    the same with pairs of cor < -crit
#   evenodd(x, factors)  per factor the mean of even- and odd-numbered items, their
#                        within-person cor, Spearman-Brown 2r/(1+r), floored at -1, negated
# (careless 1.2.x documentation and Meade & Craig 2012; Johnson 2005).
#
# Run from the repository root:  Rscript tests/clean/r/careless_reference.R
# Reads  tests/clean/r/careless_input.csv   (261 simulated complete responses, honest and careless, 28 items,
#        reverse-keyed items as answered);
# writes tests/clean/r/careless_reference.csv (one row per response) and
#        tests/clean/r/careless_pairs.csv (the synonym/antonym pairs, 1-based).

x <- as.matrix(read.csv("tests/clean/r/careless_input.csv"))
storage.mode(x) <- "double"
rev_items <- c("GOV3", "BEN4", "TAL3", "INT3")
xs <- x
xs[, rev_items] <- 6 - xs[, rev_items]          # reverse-scored (for synonyms, even-odd, D^2)

longstring_ref <- function(x) {
  apply(x, 1, function(r) { best <- 1; cur <- 1
    for (j in seq_along(r)[-1]) { cur <- if (r[j] == r[j - 1]) cur + 1 else 1; best <- max(best, cur) }
    best })
}
irv_ref <- function(x) apply(x, 1, sd)
mahad_ref <- function(x) mahalanobis(x, colMeans(x, na.rm = TRUE), cov(x, use = "pairwise"))
pairs_ref <- function(x, crit, anto = FALSE) {
  r <- cor(x, use = "pairwise.complete.obs")
  r[upper.tri(r, diag = TRUE)] <- NA
  hit <- if (anto) which(r < -abs(crit), arr.ind = TRUE) else which(r > abs(crit), arr.ind = TRUE)
  hit <- hit[order(hit[, "col"], hit[, "row"]), , drop = FALSE]   # column-major, as as.data.frame(as.table())
  hit
}
syn_ref <- function(x, pairs) {
  apply(x, 1, function(r) {
    a <- r[pairs[, "row"]]; b <- r[pairs[, "col"]]
    if (length(a) <= 2 || sd(a) == 0 || sd(b) == 0) NA else cor(a, b)
  })
}
evenodd_ref <- function(x, factors) {
  ends <- cumsum(factors); starts <- ends - factors + 1
  apply(x, 1, function(r) {
    e <- o <- numeric(length(factors))
    for (j in seq_along(factors)) {
      s <- r[starts[j]:ends[j]]; ind <- seq_along(s)
      e[j] <- mean(s[ind %% 2 == 0]); o[j] <- mean(s[ind %% 2 == 1])
    }
    v <- suppressWarnings(cor(e, o))
    v <- 2 * v / (1 + v)
    if (!is.na(v) && v < -1) v <- -1
    -v
  })
}

syn_pairs <- pairs_ref(xs, 0.45)
ant_pairs <- pairs_ref(x, 0.30, anto = TRUE)
out <- data.frame(
  longstring = longstring_ref(x),
  irv = irv_ref(x),
  mahad = mahad_ref(xs),
  psychsyn = syn_ref(xs, syn_pairs),
  psychant = syn_ref(x, ant_pairs),
  evenodd = evenodd_ref(xs, rep(4, 7))
)
write.csv(out, "tests/clean/r/careless_reference.csv", row.names = FALSE)
write.csv(rbind(data.frame(kind = "psychsyn", critval = 0.45, first = syn_pairs[, "row"], second = syn_pairs[, "col"]),
                data.frame(kind = "psychant", critval = 0.30, first = ant_pairs[, "row"], second = ant_pairs[, "col"])),
          "tests/clean/r/careless_pairs.csv", row.names = FALSE)
cat("wrote", nrow(out), "rows;", nrow(syn_pairs), "synonym and", nrow(ant_pairs), "antonym pairs\n")
