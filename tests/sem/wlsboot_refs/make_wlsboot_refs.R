# lavaan 0.6.14's refit of three WLSMV (theta) bootstrap draws, exactly as lav_bootstrap_internal does it
# (its options, start = the fit's estimates, optim.attempts = 1), on the package's resample indices
# (draws.json, made with iur_survey.sem.bootstrap.draw_indices, seed 4; 0-based rows of each group).
# A draw whose fit did not converge is one that lavaan counts failed ("FAILED: no convergence").
# Run from this directory: Rscript make_wlsboot_refs.R  -> r_draws.json
suppressMessages({library(lavaan); library(jsonlite)})
dat <- read.csv("ord3_na.csv"); model <- paste(readLines("ord.lav"), collapse = "\n")
dr <- fromJSON("draws.json", simplifyVector = FALSE)
items <- c(paste0("a", 1:4), paste0("b", 1:4))
fit <- sem(model, data = dat, group = "region", missing = "pairwise", ordered = items, parameterization = "theta",
           estimator = "DWLS", test = "scaled.shifted")
stopifnot(identical(lavInspect(fit, "group.label"), unlist(dr$labels)))
lavdata <- fit@Data; o <- fit@Options
o$verbose <- FALSE; o$check.start <- FALSE; o$check.post <- FALSE; o$optim.attempts <- 1L
o$se <- "none"; o$test <- "standard"; o$baseline <- FALSE; o$h1 <- FALSE; o$loglik <- FALSE; o$implied <- FALSE
o$store.vcov <- FALSE
out <- list(lavaan = as.character(packageVersion("lavaan")), draws = list())
for (k in seq_along(dr$draws)) {
  X <- lavdata@X; BI <- list()
  for (g in 1:lavdata@ngroups) {
    i <- unlist(dr$idx[[k]][[g]]) + 1L; stopifnot(length(i) == lavdata@nobs[[g]])
    BI[[g]] <- i; X[[g]] <- X[[g]][i, , drop = FALSE]
  }
  nd <- lav_data_update(lavdata = lavdata, newX = X, BOOT.idx = BI, lavoptions = o)
  ss <- lav_samplestats_from_data(lavdata = nd, lavoptions = o)
  fb <- suppressWarnings(lavaan(slotOptions = o, slotParTable = fit@ParTable, slotModel = fit@Model,
                                slotSampleStats = ss, slotData = lavdata))
  pe <- parameterEstimates(fb, se = FALSE)
  pe <- pe[pe$op != ":=", ]
  out$draws[[k]] <- list(draw = dr$draws[[k]], converged = fb@optim$converged, iterations = fb@optim$iterations,
                         fx = fb@optim$fx, max.grad = max(abs(lavInspect(fb, "gradient"))),
                         post.check = suppressWarnings(lavInspect(fb, "post.check")),
                         pe = pe[, c("lhs", "op", "rhs", "group", "est")])
}
write_json(out, "r_draws.json", digits = NA, auto_unbox = TRUE, dataframe = "columns")
