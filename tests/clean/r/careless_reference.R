# Reference values of the careless-responding indices that R's `careless` package computes
# (longstring, irv, mahad, psychsyn, psychant, evenodd), for tests/clean/test_indices.py,
# made by careless's own code.
#
# careless is not packaged for Debian; it is pure R (MIT licence) and imports only psych,
# which is.  Its R sources (careless 1.2.2, https://github.com/ryentes/careless, commit
# 0a84caf1a1b7cb7319fa9fd40254de525456e09c) are vendored unchanged in
# tests/clean/r/careless/ (see the README there) and source()d here:
#   longstring(x)                               longest run of identical consecutive answers (rle)
#   irv(x)                                      apply(x, 1, sd, na.rm = TRUE)
#   mahad(x, plot = FALSE)                      psych::outlier(x, bad = 0)
#   psychsyn(x, critval, resample_na = FALSE)   within-person correlation over the pairs of get_item_pairs()
#   psychsyn(x, critval, anto = TRUE, resample_na = FALSE)   the antonyms, deterministically
#   psychant(x, critval)                        careless's wrapper: resample_na = TRUE (random swaps
#                                               within pairs where the correlation is NA; seeded here)
#   evenodd(as.data.frame(x), factors)          see the note on matrices below
#
# Where careless's code behaves in a way a reader of its documentation would not expect
# (each checked by the tests):
#   * evenodd() on a *matrix* uses only the first two items of every factor: `s <- x[i, start:end]`
#     drops to a vector, `colnames(s)` is NULL and `seq(1:length(NULL))` is 1:2.  On a data frame
#     (careless's own data sets are data frames) every item is used.  So it is called on a data
#     frame here; the matrix call is written too (evenodd_matrix) to document the difference.
#   * mahad() (psych::outlier) with missing answers: D^2 = sum over the observed i, j of
#     d_i (S^-1)_ij d_j with S^-1 the inverse of the *whole* pairwise covariance matrix, i.e. the
#     centred missing answers are set to 0 (mean imputation).  It is not the D^2 of the observed
#     sub-vector with the matching sub-matrix S_OO^-1 (the one whose law is chi-square / scaled Beta
#     with the number of answered items as df).  Both are written: mahad (careless) and
#     mahad_observed (base R stats::mahalanobis per row on its answered items); they are equal on
#     complete rows.
#   * longstring() of a row without any answer is 1 (rle counts each NA as a run of length 1).
#   * psychant() resamples (resample_na = TRUE is not passed through), so it is random where the
#     deterministic antonym score is NA: psychant_resampled (set.seed(2012)).
#
# Run from the repository root:  Rscript tests/clean/r/careless_reference.R   (R 4.2.2, psych 2.2.9; a few seconds)
# Reads   tests/clean/r/careless_input.csv     261 simulated complete responses (honest and careless,
#                                              28 items in 7 scales of 4, reverse-keyed items as answered);
#         tests/clean/r/careless/data/*.rda    careless's own example data sets.
# Writes  tests/clean/r/careless_input_na.csv  the same responses with missing answers (made here,
#                                              set.seed(1212); see make_holes below),
#         tests/clean/r/careless_dataset.csv.gz, careless_dataset2.csv.gz   (the .rda data sets as CSV),
#         tests/clean/r/careless_reference<suffix>.csv  one row per response,
#         tests/clean/r/careless_pairs<suffix>.csv      the synonym / antonym pairs of get_item_pairs,
#                                                       1-based, in careless's order,
#         with <suffix> "", "_na", "_dataset", "_dataset2".

here <- "tests/clean/r"
for (f in c("longstring", "irv", "mahad", "psychsyn", "psychant", "evenodd")) {
  source(file.path(here, "careless", paste0(f, ".R")))
}
stopifnot(packageVersion("psych") >= "2.2.9")

rev_items <- c("GOV3", "BEN4", "TAL3", "INT3")         # our instrument: 7 scales of 4 items, answers 1-5
factors <- rep(4, 7)
syn_crit <- 0.45
ant_crit <- 0.30

read_items <- function(path) {
  x <- as.matrix(read.csv(path))
  storage.mode(x) <- "double"
  x
}

# missing answers: about 6 % of the cells at random, plus rows that take each NA path
make_holes <- function(x) {
  set.seed(1212)
  y <- x
  y[matrix(runif(length(y)) < 0.06, nrow(y))] <- NA
  y[1, ] <- NA                                        # no answer at all
  y[2, -7] <- NA                                      # one answer
  y[3, 1:4] <- NA                                     # a whole scale unanswered
  y[4, seq(2, 28, 2)] <- NA                           # every even-numbered item unanswered
  y[5, 15:28] <- NA                                   # the second half unanswered
  keep <- c(1, 2, 5, 6, 9, 10)
  y[6, ] <- NA; y[6, keep] <- x[6, keep]             # three synonym pairs answered (the fewest usable)
  y[7:9, ] <- x[7:9, ]                                # complete rows among incomplete ones
  keep <- c(1, 2, 5, 6, 13, 17, 21, 25)
  y[10, ] <- NA; y[10, keep] <- x[10, keep]          # two synonym pairs (too few); even-odd over 2 scales
  y
}

# base R: D^2 of each row's answered items with the matching mean and covariance sub-matrix
mahad_observed <- function(x) {
  mu <- colMeans(x, na.rm = TRUE)
  s <- cov(x, use = "pairwise")
  apply(x, 1, function(r) {
    o <- !is.na(r)
    if (!any(o)) return(NA_real_)
    stats::mahalanobis(r[o], mu[o], s[o, o, drop = FALSE])
  })
}

pairs_1based <- function(p) cbind(first = as.integer(p[, 1]), second = as.integer(p[, 2]))

# x: the answers as given (longstring, irv, antonyms); xs: reverse-keyed items recoded (synonyms, even-odd, D^2);
# ant_crit = NA: no antonyms (get_item_pairs would stop)
run <- function(x, xs, suffix, factors, syn_crit, ant_crit) {
  eo_warn <- character(0)
  eo <- withCallingHandlers(evenodd(as.data.frame(xs), factors),
                            warning = function(w) { eo_warn <<- c(eo_warn, conditionMessage(w))
                                                    invokeRestart("muffleWarning") })
  eo_matrix <- suppressWarnings(evenodd(xs, factors))
  md <- withCallingHandlers(mahad(xs, plot = FALSE),
                            warning = function(w) { message("mahad: ", conditionMessage(w))
                                                    invokeRestart("muffleWarning") })
  set.seed(2012)
  no_ant <- rep(NA_real_, nrow(x))
  out <- data.frame(
    longstring = longstring(x),
    irv = irv(x),
    mahad = md,
    psychsyn = psychsyn(xs, syn_crit, resample_na = FALSE),
    psychant = if (is.na(ant_crit)) no_ant else psychsyn(x, ant_crit, anto = TRUE, resample_na = FALSE),
    evenodd = eo,
    mahad_observed = mahad_observed(xs),
    psychant_resampled = if (is.na(ant_crit)) no_ant else psychant(x, ant_crit),
    evenodd_matrix = eo_matrix
  )
  syn <- pairs_1based(get_item_pairs(xs, syn_crit))
  ant <- if (is.na(ant_crit)) syn[0, , drop = FALSE] else pairs_1based(get_item_pairs(x, ant_crit, anto = TRUE))
  write.csv(out, file.path(here, paste0("careless_reference", suffix, ".csv")), row.names = FALSE)
  write.csv(rbind(data.frame(kind = "psychsyn", critval = syn_crit, syn),
                  if (nrow(ant)) data.frame(kind = "psychant", critval = ant_crit, ant)),
            file.path(here, paste0("careless_pairs", suffix, ".csv")), row.names = FALSE)
  cat(sprintf("%-9s %d rows, %d with a missing answer; %d synonym and %d antonym pairs\n", suffix, nrow(x),
              sum(rowSums(is.na(x)) > 0), nrow(syn), nrow(ant)))
  cat(sprintf("    evenodd: data frame vs matrix call: max |diff| %.3g; NA %d\n",
              max(abs(out$evenodd - out$evenodd_matrix), na.rm = TRUE), sum(is.na(out$evenodd))))
  cat(sprintf("    mahad (psych::outlier) vs observed sub-matrix D^2: max |diff| %.3g\n",
              max(abs(out$mahad - out$mahad_observed), na.rm = TRUE)))
  if (!is.na(ant_crit)) cat(sprintf("    psychant(): resampled rows %d (deterministic NA %d)\n",
              sum(xor(is.na(out$psychant), is.na(out$psychant_resampled))), sum(is.na(out$psychant))))
  invisible(out)
}

recode <- function(x) { x[, rev_items] <- 6 - x[, rev_items]; x }

# 1. our simulated responses, complete
x <- read_items(file.path(here, "careless_input.csv"))
run(x, recode(x), "", factors, syn_crit, ant_crit)
# 2. the same with missing answers
write.csv(make_holes(x), file.path(here, "careless_input_na.csv"), row.names = FALSE, na = "")
x_na <- read_items(file.path(here, "careless_input_na.csv"))
run(x_na, recode(x_na), "_na", factors, syn_crit, ant_crit)
# 3. careless's own example data sets (vendored .rda, simulated by its authors: no reverse-keyed items),
#    with the settings of careless's help pages: careless_dataset 200 x 50 (10 scales of 5, answers 1-5;
#    synonyms at .60, no antonyms exist), careless_dataset2 1000 x 100 (10 scales of 10, answers 1-7;
#    synonyms at .60, antonyms at .50)
for (d in c("careless_dataset", "careless_dataset2")) {
  load(file.path(here, "careless", "data", paste0(d, ".rda")))
  con <- gzfile(file.path(here, paste0(d, ".csv.gz")), "w")
  write.csv(get(d), con, row.names = FALSE)
  close(con)
}
x1 <- read_items(file.path(here, "careless_dataset.csv.gz"))
run(x1, x1, "_dataset", rep(5, 10), 0.60, NA)
x2 <- read_items(file.path(here, "careless_dataset2.csv.gz"))
run(x2, x2, "_dataset2", rep(10, 10), 0.60, 0.50)
