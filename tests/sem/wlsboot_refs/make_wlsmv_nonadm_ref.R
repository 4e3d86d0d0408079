# lavaan 0.6.14's bootstrap of three WLSMV fits whose draws are often not admissible (ordered items, small N, a
# Heywood-prone model), on the package's own resamples (nonadm_draws.json, make_wlsmv_nonadm_draws.py), so that both
# refit the very same draws.  Each draw is lav_bootstrap_internal's fn(b) (se = "bootstrap", FUN = "coef") with
# the given rows instead of sample.int():
#   options:  check.start = FALSE, check.post = FALSE, optim.attempts = 1, se = "none", test = "none", ...
#   sample statistics in try(): an error (an empty category) -> NA, flagged            ("error.idx")
#   lavaan(slotModel = the fit's model: start = its estimates); not converged -> NA    ("error.idx")
#   admissible.flag <- suppressWarnings(lavInspect(fit.boot, "post.check"))  (lav_object_post_check)
#   attr(t.star, "nonadmissible") <- the flagged draws that are not in error.idx     (kept in COEF)
# and lav_model_nvcov_bootstrap + lav_model_vcov: COEF without the error.idx rows, NVarCov = N cov(COEF) (B-1)/B,
# vcov = NVarCov / (N - G) for a non-ML estimator.
# Run from this directory: Rscript make_wlsmv_nonadm_ref.R  -> nonadm_ref.json
suppressMessages({library(lavaan); library(jsonlite)})
dr <- fromJSON("nonadm_draws.json", simplifyVector = FALSE)
out <- list(lavaan = as.character(packageVersion("lavaan")), cases = list())
for (cs in dr$cases) {
  dat <- read.csv(cs$data)
  if (!is.null(cs$rows)) dat <- dat[with(dat, eval(parse(text = cs$rows))), ]
  items <- setdiff(names(dat), "g")
  grp <- if (is.null(cs$group)) NULL else cs$group
  fit <- sem(cs$model, data = dat, ordered = items, group = grp, parameterization = cs$parameterization)
  labels <- if (is.null(grp)) "1" else lavInspect(fit, "group.label")
  stopifnot(identical(labels, unlist(cs$labels)), identical(unlist(lavInspect(fit, "nobs")), as.integer(unlist(cs$nobs))))
  lavdata <- fit@Data; o <- fit@Options
  o$verbose <- FALSE; o$check.start <- FALSE; o$check.post <- FALSE; o$optim.attempts <- 1L
  o$baseline <- FALSE; o$h1 <- FALSE; o$loglik <- FALSE; o$implied <- FALSE; o$store.vcov <- FALSE
  o$se <- "none"; o$test <- "none"
  pt <- fit@ParTable
  free <- which(pt$free > 0)
  free <- free[order(pt$free[free])]
  R <- length(cs$idx)
  COEF <- matrix(NA_real_, R, length(free))
  flag <- rep(NA, R); why <- rep("", R)
  for (b in seq_len(R)) {
    X <- lavdata@X; BI <- list()
    for (g in 1:lavdata@ngroups) {
      i <- unlist(cs$idx[[b]][[g]]) + 1L; stopifnot(length(i) == lavdata@nobs[[g]])
      BI[[g]] <- i; X[[g]] <- X[[g]][i, , drop = FALSE]
    }
    nd <- lav_data_update(lavdata = lavdata, newX = X, BOOT.idx = BI, lavoptions = o)
    ss <- try(lav_samplestats_from_data(lavdata = nd, lavoptions = o), silent = TRUE)
    if (inherits(ss, "try-error")) { flag[b] <- TRUE; why[b] <- "samplestats"; next }
    fb <- suppressWarnings(lavaan(slotOptions = o, slotParTable = pt, slotModel = fit@Model,
                                  slotSampleStats = ss, slotData = lavdata))
    if (!fb@optim$converged) { flag[b] <- TRUE; why[b] <- "no convergence"; next }
    COEF[b, ] <- fb@optim$x
    flag[b] <- !suppressWarnings(lavInspect(fb, "post.check"))
  }
  error.idx <- which(is.na(COEF[, 1]))
  notok <- which(flag)
  if (length(error.idx) > 0L) notok <- notok[-which(notok %in% error.idx)]     # as lav_bootstrap_internal
  C <- if (length(error.idx)) COEF[-error.idx, , drop = FALSE] else COEF
  nb <- nrow(C); N <- lavInspect(fit, "ntotal"); G <- lavInspect(fit, "ngroups")
  se <- sqrt(diag(N * (cov(C) * (nb - 1) / nb) / (N - G)))
  out$cases[[cs$name]] <- list(
    B = R, ntotal = N, ngroups = G, error_idx = error.idx, error_why = why[error.idx], nonadmissible = notok,
    lhs = pt$lhs[free], op = pt$op[free], rhs = pt$rhs[free], group = pt$group[free],
    est = pt$est[free], se = unname(se),
    # the non-admissible draws' parameters (which check fails is read from them on our side)
    coef_nonadm = unname(COEF[notok, , drop = FALSE]))
}
write_json(out, "nonadm_ref.json", digits = NA, auto_unbox = TRUE, dataframe = "columns")
