# make_refs.R: lavaan 0.6.14's refit of four bootstrap draws of bk40.csv (40 rows of the study's 28 items, 11
# cells missing; study.lav, FIML: missing = "ml"), as lav_bootstrap_internal refits a draw (type "ordinary",
# FUN "coef": start at the full-sample estimates, one optimizer attempt, test/se none).  draws.csv: the draws'
# rows (1-based), draws 3, 10, 16 and 19 of iur-survey's bootstrap with seed 1 (bootstrap.draw_indices).
# Run from this folder: Rscript make_refs.R  -> refs.json
# benchmarks/bench_tiny_bootstrap.py --same-draws runs it on other files: Rscript make_refs.R DATA MODEL DRAWS OUT
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
a <- commandArgs(TRUE)
if (length(a) != 4L) a <- c("bk40.csv", "study.lav", "draws.csv", "refs.json")
d <- read.csv(a[1]); m <- paste(readLines(a[2]), collapse = "\n")
IDX <- as.matrix(read.csv(a[3], header = FALSE))
fit <- suppressWarnings(sem(m, data = d, missing = "ml"))
lavdata <- fit@Data; lavmodel <- fit@Model; lavpartable <- fit@ParTable; o <- fit@Options
o$test <- "none"; o$verbose <- FALSE; o$check.start <- FALSE; o$check.post <- FALSE; o$optim.attempts <- 1L
o$baseline <- FALSE; o$h1 <- FALSE; o$loglik <- FALSE; o$implied <- FALSE; o$store.vcov <- FALSE; o$se <- "none"
out <- lapply(seq_len(nrow(IDX)), function(b) {
  idx <- as.integer(IDX[b, ]); X <- lavdata@X; X[[1]] <- X[[1]][idx, , drop = FALSE]
  nd <- lavaan:::lav_data_update(lavdata = lavdata, newX = X, BOOT.idx = list(idx), lavoptions = o)
  ss <- try(lavaan:::lav_samplestats_from_data(lavdata = nd, lavoptions = o), silent = TRUE)
  if (inherits(ss, "try-error")) return(list(converged = FALSE, iterations = 0L, x = list()))
  fb <- suppressWarnings(lavaan(slotOptions = o, slotParTable = lavpartable, slotModel = lavmodel,
                                slotSampleStats = ss, slotData = lavdata))
  list(converged = fb@optim$converged, iterations = fb@optim$iterations, x = as.numeric(fb@optim$x))
})
writeLines(toJSON(list(lavaan = as.character(packageVersion("lavaan")), full_x = as.numeric(fit@optim$x),
                       draws = if (a[4] == "refs.json") c(3L, 10L, 16L, 19L) else NULL, refits = out),
                  auto_unbox = TRUE, digits = NA), a[4])
