# lavaan 0.6.14 / semTools 0.5-6 references for the post-estimation check of multi-group WLSMV fits: the
# covariance matrix of the latent variables not positive definite (a factor correlation above 1) in some groups.
#
#   Rscript tests/sem/ordinal_refs/make_lv_pd_refs.R
#
# Data: lv_pd_900.csv, written here: three groups of 300 (g1, g2, g3), six five-point items o1-o6 of one
# common factor (loading .7, o3 shifted by .6 in g2), set.seed(99); fitted as two factors F (o1-o3) and
# G (o4-o6), whose correlation exceeds 1 in g2 and g3.  Writes lv_pd_refs.json: per fit (sem() by group,
# delta and theta parameterization, and the Wu & Estabrook (2016) invariance steps of measEq.syntax) the
# factor correlation per group and the groups lavaan's lav_object_post_check warns about.
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
set.seed(99); out <- NULL
for (g in c("g1", "g2", "g3")) { n <- 300; f <- rnorm(n, if (g == "g3") .3 else 0)
  X <- sapply(1:6, function(j) { ys <- .7 * f + rnorm(n, 0, .7) + (if (g == "g2" && j == 3) .6 else 0)
     cut(ys, c(-Inf, -1, -.2, .5, 1.2, Inf), labels = FALSE) })
  d <- as.data.frame(X); names(d) <- paste0("o", 1:6); d$grp <- g; out <- rbind(out, d) }
write.csv(out, file.path(HERE, "lv_pd_900.csv"), row.names = FALSE)
d <- read.csv(file.path(HERE, "lv_pd_900.csv"))
mod <- "F =~ o1 + o2 + o3\nG =~ o4 + o5 + o6"; ov <- paste0("o", 1:6)
rec <- function(fit_call) {
  w <- NULL
  f <- withCallingHandlers(fit_call(), warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") })
  w <- gsub("\\s+", " ", w)
  hit <- grep("covariance matrix of latent variables is not positive definite", w, value = TRUE)
  list(converged = lavInspect(f, "converged"),
       cor = unname(sapply(lavInspect(f, "cor.lv"), function(m) m[1, 2])),
       groups_not_pd = as.integer(sub(".* in group ([0-9]+).*", "\\1", hit)), warnings = w)
}
refs <- list(lavaan = as.character(packageVersion("lavaan")), group_labels = c("g1", "g2", "g3"))
refs$delta <- rec(function() sem(mod, d, group = "grp", ordered = ov, estimator = "WLSMV"))
refs$theta <- rec(function() sem(mod, d, group = "grp", ordered = ov, estimator = "WLSMV", parameterization = "theta"))
steps <- list(configural = "configural", thresholds = "thresholds", thresholds_loadings = c("thresholds", "loadings"),
              thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
refs$steps <- list()
for (s in names(steps)) {
  syn <- as.character(measEq.syntax(mod, data = d, group = "grp", ordered = ov, ID.fac = "std.lv",
                                    ID.cat = "Wu.Estabrook.2016", group.equal = steps[[s]]))
  refs$steps[[s]] <- rec(function() cfa(syn, d, group = "grp", ordered = ov, estimator = "WLSMV"))
}
write_json(refs, file.path(HERE, "lv_pd_refs.json"), digits = NA, auto_unbox = FALSE, pretty = TRUE)
cat("ok\n")
