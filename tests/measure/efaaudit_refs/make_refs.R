# References of the efaaudit tests (parallel analysis on polychoric correlations, improper PA solutions,
# unrotated factor order, a non-positive-definite polychoric matrix).  Run from this folder:
#   Rscript make_refs.R        (reads the data_*.csv here, writes refs.json)
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("psych")) == "2.2.9")
refs <- list()
# 1. one factor, 12 three-category items, N = 150: parallel analysis on polychoric correlations.
#    psych's resampling baseline (columns resampled independently, polychoric of each resample; the first
#    block of fa.parallel()$values) against the observed SMC-reduced eigenvalues.
one <- read.csv("data_onefactor_3cat.csv")
set.seed(2022)
pa <- suppressWarnings(fa.parallel(one, cor = "poly", SMC = TRUE, n.iter = 50, plot = FALSE))
p <- ncol(one)
samp_fa <- apply(pa$values[, (p + 1):(2 * p)], 2, quantile, 0.95)
sim_fa <- apply(pa$values[, (3 * p + 1):(4 * p)], 2, quantile, 0.95)
refs$onefactor <- list(fa_values = pa$fa.values, resampled_fa_95 = unname(samp_fa),
                       normal_fa_95 = unname(sim_fa),
                       nfact_resampled = which(!(pa$fa.values > samp_fa))[1] - 1,
                       nfact_normal = which(!(pa$fa.values > sim_fa))[1] - 1,
                       nfact_psych = pa$nfact)
# 2. an ultra-Heywood case in principal axes (psych warns "An ultra-Heywood case was detected")
hey <- read.csv("data_heywood.csv")
f <- withCallingHandlers(fa(hey, 2, fm = "pa", rotate = "oblimin"),
                         warning = function(w) { refs$heywood_warning <<- conditionMessage(w); invokeRestart("muffleWarning") })
refs$heywood_pa <- list(communality = unname(f$communality), uniqueness = unname(f$uniquenesses))
# 3. unrotated ML factors: psych orders them by variance (ML1 the largest)
hs <- read.csv("data_hs.csv")
f <- fa(hs, 3, fm = "ml", rotate = "none")
refs$hs_none <- list(loadings = unname(lapply(seq_len(nrow(f$loadings)), function(i) unname(unclass(f$loadings)[i, ]))),
                     ss = unname(colSums(unclass(f$loadings)^2)))
# 4. skewed binary items without any factor: lavaan's polychoric matrix is not positive definite
nb <- read.csv("data_npd_binary.csv")
refs$npd <- list(min_eigen_lavaan = min(eigen(lavCor(nb, ordered = names(nb)))$values))
writeLines(toJSON(refs, digits = NA, auto_unbox = TRUE, pretty = TRUE), "refs.json")
