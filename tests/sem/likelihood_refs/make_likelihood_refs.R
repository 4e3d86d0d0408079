# lavaan 0.6.14 reference numbers for the likelihood side of the SEM engine (iur_survey/sem/fiml.py, robust.py).
#
#   Rscript tests/sem/likelihood_refs/make_likelihood_refs.R
#
# Writes, next to this script:
#   hs_missing5.csv / hs_missing15.csv / hs_complete.csv   HolzingerSwineford1939 x1..x9 (5% and 15% MCAR cells
#                                                          deleted with set.seed; the 15% copy has one empty row)
#   <case>.json   lavaan fits (ML + FIML, MLR + FIML, MLR complete) of the 3-factor HS CFA and of the project's
#                 default 7-factor model on tests/reference/data/{missing,complete}_800.csv: parameter table
#                 (free index, est, se), fitMeasures, test details (scaling factor, traces), implied and h1 (EM)
#                 moments, and for the HS cases lavaan's own internal likelihood pieces (loglik, dlogl, Hessian,
#                 first-order/expected information, EM output, unit information on theta, Delta, vcov).
# Deterministic (seeded deletions only).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
REFDATA <- file.path(HERE, "..", "..", "reference", "data")
ONLY <- commandArgs(trailingOnly = TRUE)        # e.g. Rscript make_likelihood_refs.R hs_groups
wanted <- function(case) length(ONLY) == 0L || case %in% ONLY
xs <- paste0("x", 1:9)
HS <- lavaan::HolzingerSwineford1939[, xs]

set.seed(1939)
M <- matrix(runif(nrow(HS) * 9) < 0.05, nrow(HS), 9)
M[rowSums(M) == 9, 1] <- FALSE
HS5 <- HS; for (j in 1:9) HS5[M[, j], xs[j]] <- NA
set.seed(2024)
M <- matrix(runif(nrow(HS) * 9) < 0.15, nrow(HS), 9)
M[rowSums(M) == 9, 1] <- FALSE
M[7, ] <- TRUE                                   # one empty case (lavaan drops it with a warning)
HS15 <- HS; for (j in 1:9) HS15[M[, j], xs[j]] <- NA
write.csv(HS, file.path(HERE, "hs_complete.csv"), row.names = FALSE, na = "")
write.csv(HS5, file.path(HERE, "hs_missing5.csv"), row.names = FALSE, na = "")
write.csv(HS15, file.path(HERE, "hs_missing15.csv"), row.names = FALSE, na = "")
HS <- read.csv(file.path(HERE, "hs_complete.csv"))
HS5 <- read.csv(file.path(HERE, "hs_missing5.csv"))
HS15 <- read.csv(file.path(HERE, "hs_missing15.csv"))

HS_MODEL <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
DEFAULT_MODEL <- paste(readLines(file.path(HERE, "..", "..", "reference", "models", "default.lav")), collapse = "\n")

m_json <- function(m) { m <- as.matrix(unclass(m)); unname(lapply(seq_len(nrow(m)), function(i) unname(m[i, ]))) }

quiet <- function(expr) {
  warns <- character(0)
  val <- withCallingHandlers(expr, warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(value = val, warnings = warns)
}

em_iterations <- function(Y) {
  out <- capture.output(r <- lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y, verbose = TRUE))
  list(Sigma = m_json(r$Sigma), Mu = r$Mu, fx = r$fx,
       iterations = length(grep("EM iteration:", out)) - 1L)
}

pieces <- function(Y, Sigma, Mu, full = TRUE) {
  # lavaan's own likelihood functions at the given moments (Y without empty rows)
  out <- list(
    Sigma = m_json(Sigma), Mu = as.numeric(Mu),
    loglik = lavaan:::lav_mvnorm_missing_loglik_data(Y = Y, Mu = Mu, Sigma = Sigma),
    casewise_head = lavaan:::lav_mvnorm_missing_loglik_data(Y = Y, Mu = Mu, Sigma = Sigma, casewise = TRUE)[1:20],
    dmu = lavaan:::lav_mvnorm_missing_dlogl_dmu(Y = Y, Mu = Mu, Sigma = Sigma),
    dvechSigma = lavaan:::lav_mvnorm_missing_dlogl_dvechSigma(Y = Y, Mu = Mu, Sigma = Sigma)
  )
  if (full) out <- c(out, list(
    hessian = m_json(lavaan:::lav_mvnorm_missing_logl_hessian_data(Y = Y, Mu = Mu, Sigma = Sigma)),
    first_order = m_json(lavaan:::lav_mvnorm_missing_information_firstorder(Y = Y, Mu = Mu, Sigma = Sigma)),
    expected = m_json(lavaan:::lav_mvnorm_missing_information_expected(Y = Y, Mu = Mu, Sigma = Sigma)),
    scores_head = m_json(lavaan:::lav_mvnorm_missing_scores_mu_vech_sigma(Y = Y, Mu = Mu, Sigma = Sigma)[1:12, ])
  ))
  out
}

fit_json <- function(fit, heavy = FALSE) {
  pt <- parTable(fit)
  out <- list(
    options = lavInspect(fit, "options")[c("estimator", "missing", "se", "test", "information", "h1.information",
                                           "observed.information", "meanstructure", "em.h1.tol", "em.h1.iter.max")],
    ntotal = lavInspect(fit, "ntotal"),
    partable = pt[, c("lhs", "op", "rhs", "free", "est", "se")],
    fit = as.list(fitMeasures(fit)),
    test = lapply(lavInspect(fit, "test"), function(tt) tt[setdiff(names(tt), c("UGamma", "UG"))]),
    implied = list(cov = m_json(lavInspect(fit, "implied")$cov),
                   mean = if (!is.null(lavInspect(fit, "implied")$mean)) as.numeric(lavInspect(fit, "implied")$mean)),
    h1 = list(cov = m_json(lavInspect(fit, "h1")$cov), mean = as.numeric(lavInspect(fit, "h1")$mean)),
    fmin = fitMeasures(fit, "fmin")[[1]],
    converged = lavInspect(fit, "converged")
  )
  if (heavy) {                            # MLR fits: vcov and B0 only (A and Delta are those of the ML fit)
    out$vcov <- m_json(vcov(fit))
    if (lavInspect(fit, "options")$se == "standard") {
      out$information <- m_json(lavInspect(fit, "information"))
      out$delta <- m_json(lavInspect(fit, "delta"))
      out$gradient <- as.numeric(lavInspect(fit, "gradient"))
    } else {
      out$information_first_order <- m_json(lavInspect(fit, "information.first.order"))
    }
  }
  out
}

write_case <- function(name, x) {
  write_json(x, file.path(HERE, paste0(name, ".json")), digits = I(15), auto_unbox = TRUE, na = "null")
  cat(name, "\n")
}

hs_case <- function(name, data, full = TRUE) {
  fml <- quiet(cfa(HS_MODEL, data = data, missing = "ml"))
  fmlr <- quiet(cfa(HS_MODEL, data = data, missing = "ml", estimator = "MLR"))
  Y <- as.matrix(data[rowSums(!is.na(data)) > 0, xs])
  imp <- lavInspect(fml$value, "implied")
  Sig2 <- imp$cov + diag(0.1, 9) + 0.05
  Mu2 <- as.numeric(imp$mean) + seq(-0.2, 0.2, length.out = 9)
  write_case(name, list(
    warnings = c(fml$warnings, fmlr$warnings),
    ml = fit_json(fml$value, heavy = TRUE),
    mlr = fit_json(fmlr$value, heavy = TRUE),
    em = em_iterations(Y),
    at_implied = pieces(Y, imp$cov, imp$mean, full = FALSE),
    at_other = pieces(Y, Sig2, Mu2, full = full)
  ))
}
if (wanted("hs_missing5")) hs_case("hs_missing5", HS5, full = FALSE)
if (wanted("hs_missing15")) hs_case("hs_missing15", HS15)
if (wanted("hs_complete_mlr")) {
fc <- quiet(cfa(HS_MODEL, data = HS, estimator = "MLR"))
fcm <- quiet(cfa(HS_MODEL, data = HS, estimator = "MLR", meanstructure = TRUE))
fcml <- quiet(cfa(HS_MODEL, data = HS, information = "observed"))
write_case("hs_complete_mlr", list(warnings = c(fc$warnings, fcm$warnings, fcml$warnings),
                                  ml = fit_json(fcml$value, heavy = TRUE),
                                  mlr = fit_json(fc$value, heavy = TRUE),
                                  mlr_meanstructure = fit_json(fcm$value, heavy = TRUE)))
}

if (wanted("default_800")) {
d800m <- read.csv(file.path(REFDATA, "missing_800.csv"))
d800c <- read.csv(file.path(REFDATA, "complete_800.csv"))
t_ml <- system.time(f1 <- quiet(sem(DEFAULT_MODEL, data = d800m, missing = "ml")))[["elapsed"]]
t_mlr <- system.time(f2 <- quiet(sem(DEFAULT_MODEL, data = d800m, missing = "ml", estimator = "MLR")))[["elapsed"]]
f3 <- quiet(sem(DEFAULT_MODEL, data = d800c, estimator = "MLR"))
items <- grep("^(GOV|MKT|BEN|VAL|TAL|COL|INT)[0-9]$", names(d800m), value = TRUE)
Y800 <- as.matrix(d800m[, items])
t_em <- system.time(for (i in 1:5) r <- lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y800))[["elapsed"]] / 5
write_case("default_800", list(
  warnings = c(f1$warnings, f2$warnings, f3$warnings),
  items = items,
  seconds = list(fiml_ml = t_ml, fiml_mlr = t_mlr, em = t_em),
  ml_fiml = fit_json(f1$value),
  mlr_fiml = fit_json(f2$value),
  mlr_complete = fit_json(f3$value),
  em = em_iterations(Y800)
))
}

# ---- two groups (school): configural HS CFA, complete (MLR) and with the 5% missing cells (ML and MLR, FIML)
if (wanted("hs_groups")) {
  G <- lavaan::HolzingerSwineford1939[, c("school", xs)]
  Gm <- G; Gm[, xs] <- HS5[, xs]
  write.csv(G, file.path(HERE, "hs_groups.csv"), row.names = FALSE, na = "")
  write.csv(Gm, file.path(HERE, "hs_groups_missing5.csv"), row.names = FALSE, na = "")
  G <- read.csv(file.path(HERE, "hs_groups.csv")); Gm <- read.csv(file.path(HERE, "hs_groups_missing5.csv"))
  grp_json <- function(fit) {
    pt <- parTable(fit)
    list(
      options = lavInspect(fit, "options")[c("estimator", "missing", "se", "test", "information", "h1.information",
                                             "observed.information", "meanstructure")],
      ntotal = lavInspect(fit, "ntotal"), nobs = unlist(lavInspect(fit, "nobs")),
      group_labels = lavInspect(fit, "group.label"),
      partable = pt[, c("lhs", "op", "rhs", "group", "free", "est", "se")],
      fit = as.list(fitMeasures(fit)),
      test = lapply(lavInspect(fit, "test"), function(tt) tt[setdiff(names(tt), c("UGamma", "UG"))]),
      vcov = m_json(vcov(fit)),
      converged = lavInspect(fit, "converged"))
  }
  g1 <- quiet(cfa(HS_MODEL, data = G, group = "school", estimator = "MLR"))
  g2 <- quiet(cfa(HS_MODEL, data = Gm, group = "school", missing = "ml"))
  g3 <- quiet(cfa(HS_MODEL, data = Gm, group = "school", missing = "ml", estimator = "MLR"))
  write_case("hs_groups", list(warnings = c(g1$warnings, g2$warnings, g3$warnings),
                               mlr_complete = grp_json(g1$value), ml_fiml = grp_json(g2$value),
                               mlr_fiml = grp_json(g3$value)))
}
