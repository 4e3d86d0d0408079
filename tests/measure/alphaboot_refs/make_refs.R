# References for the bootstrapped intervals of Cronbach's alpha (psych 2.2.9's alpha(n.iter =)) and of ordinal
# alpha (alpha of lavaan 0.6.14's polychoric correlations) on the package's own resamples.
#
#   python tests/measure/alphaboot_refs/make_indices.py      # indices.csv: the package's draws (seed 2026)
#   Rscript tests/measure/alphaboot_refs/make_refs.R
#
# psych::alpha (2.2.9), n.iter > 1, on raw data x (nsub rows):
#   boot <- mclapply(1:n.iter, function(XX) {
#       xi <- x[sample.int(nsub, replace = TRUE), ]
#       C <- cov(xi, use = "pairwise"); ...; R <- cov2cor(C); alpha.1(C, R) })
#   boot.ci <- quantile(boot[, 1], c(0.025, 0.5, 0.975))          # R's default quantile, type 7
# Here psych::alpha itself runs with n.iter = B and its sample.int replaced by one that hands out the rows of
# indices.csv in order (a copy of alpha() whose enclosure defines sample.int; options(mc.cores = 1) so mclapply
# is lapply and the draws come in order): boot[, "raw_alpha"] and boot.ci are psych's own, on the package's rows.
#
# Reads tests/reference/data/hs1939.csv (lavaan's HolzingerSwineford1939, 301 rows) and
# tests/measure/ordrel_refs/hs1939_ord4.csv (the same cut into 4 categories) and indices.csv (B x 301, 1-based);
# writes refs.json next to this script:
#   psych: per construct (visual x1-x3, textual x4-x6, speed x7-x9 of hs1939): items, n, raw_alpha, boot_raw_alpha
#     (psych's B per-draw raw alphas), boot_ci (psych's boot.ci: 2.5%, 50%, 97.5%), q90 (quantile(, c(.05, .95))
#     of the same draws, type 7);
#   ordinal: per construct of hs1939_ord4 (visual, textual): items, n, alpha (of lavCor(x, ordered = items), the
#     polychoric matrix), draws (the first 3 rows of indices.csv: alpha of lavCor(x[idx, ], ordered = items), the
#     resample's categories as ordered() takes them), cor_draw1 (that matrix of draw 1);
#   ordinal_rare: a resample that loses a category (below): items, n, alpha, draws_b (1-based draw numbers), draws.
suppressPackageStartupMessages({ library(psych); library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("psych")) == "2.2.9", as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
TESTS <- dirname(dirname(HERE))
idx <- as.matrix(read.csv(file.path(HERE, "indices.csv"), header = FALSE))
B <- nrow(idx)
hs <- read.csv(file.path(TESTS, "reference", "data", "hs1939.csv"))
ord <- read.csv(file.path(TESTS, "measure", "ordrel_refs", "hs1939_ord4.csv"))
cm <- list(visual = paste0("x", 1:3), textual = paste0("x", 4:6), speed = paste0("x", 7:9))
options(mc.cores = 1)

psych_boot <- function(x) {
  env <- new.env(parent = asNamespace("psych"))
  env$k <- 0L
  env$sample.int <- function(n, size = n, replace = FALSE, prob = NULL, useHash = FALSE) {
    stopifnot(n == ncol(idx), replace)
    env$k <- env$k + 1L
    idx[env$k, ]
  }
  f <- psych::alpha
  environment(f) <- env
  a <- suppressWarnings(f(x, n.iter = B))
  stopifnot(env$k == B)
  a
}

out <- list(versions = list(psych = as.character(packageVersion("psych")),
                            lavaan = as.character(packageVersion("lavaan"))), B = B, seed = 2026)
for (k in names(cm)) {
  x <- na.omit(hs[, cm[[k]]])
  stopifnot(nrow(x) == ncol(idx))
  a <- psych_boot(x)
  # the same draws by hand (psych's alpha.1 raw alpha of cov(x[idx, ])): the mock did feed indices.csv
  by_hand <- apply(idx, 1, function(i) { C <- cov(x[i, ]); (1 - sum(diag(C)) / sum(C)) * ncol(C) / (ncol(C) - 1) })
  stopifnot(max(abs(by_hand - a$boot[, "raw_alpha"])) < 1e-12)
  out$psych[[k]] <- list(items = cm[[k]], n = nrow(x), raw_alpha = a$total$raw_alpha,
                         boot_raw_alpha = unname(a$boot[, "raw_alpha"]), boot_ci = unname(a$boot.ci),
                         q90 = unname(quantile(a$boot[, "raw_alpha"], c(0.05, 0.95))))
}

ord_alpha <- function(x) {
  R <- lavCor(x, ordered = names(x))
  k <- ncol(R)
  list(alpha = k / (k - 1) * (1 - k / sum(R)), cor = unclass(R))
}
for (k in c("visual", "textual")) {
  x <- na.omit(ord[, cm[[k]]])
  d <- lapply(1:3, function(b) ord_alpha(x[idx[b, ], ]))
  out$ordinal[[k]] <- list(items = cm[[k]], n = nrow(x), alpha = ord_alpha(x)$alpha,
                           draws = sapply(d, `[[`, "alpha"), cor_draw1 = d[[1]]$cor)
}
# rare: speed (x7-x9) of hs1939_ord4 with x7's category 4 merged into 3 and rows 1 and 2 set to 4, so that a
# resample without rows 1 and 2 holds three categories of x7: the draws (1-based numbers in `draws_b`) are the
# first 3 such rows of indices.csv, whose ordered() has three levels for x7.
rare <- ord[, cm$speed]
rare$x7[rare$x7 == 4] <- 3
rare$x7[1:2] <- 4
lost <- which(apply(idx, 1, function(i) !any(i %in% 1:2)))[1:3]
d <- lapply(lost, function(b) ord_alpha(rare[idx[b, ], ]))
stopifnot(all(sapply(lost, function(b) nlevels(ordered(rare$x7[idx[b, ]]))) == 3))
out$ordinal_rare <- list(items = cm$speed, n = nrow(rare), alpha = ord_alpha(rare)$alpha, draws_b = lost,
                         draws = sapply(d, `[[`, "alpha"))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "refs.json"))
