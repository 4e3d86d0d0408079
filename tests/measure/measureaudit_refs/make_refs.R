# References for the outside audit of iur_survey.measure (session 27): lavaan 0.6.14, semTools 0.5-6, psych 2.2.9.
#
#   Rscript tests/measure/measureaudit_refs/make_refs.R
#
# Reads tests/measure/efa_refs/data_bfi_missing.csv (psych::bfi[1:1200, 1:25], reverse-keyed items NOT recoded,
# missing cells kept) and writes refs.json next to this script:
#   versions: lavaan, semTools, psych.
#   alpha.<k> (k = A C E N O, raw items): psych::alpha of the rows complete on the construct's items
#     (raw_alpha, std.alpha, n) and the items psych names as "negatively correlated with the total scale" (its
#     message; its principal-component check), "" when none.
#   adequacy: psych::KMO and psych::cortest.bartlett of the data as psych does by default (pairwise correlations;
#     Bartlett's n = every row) and of the complete rows (KMO(na.omit(d)); cortest.bartlett(cor(na.omit(d)),
#     n = complete rows)).
#   htmt_signed: semTools::htmt(model, data, htmt2 = FALSE, absolute = FALSE) of the raw items (default
#     missing = "listwise"); R says "NaNs produced" there: the constructs whose items correlate negatively on
#     average (C, E, O) have no HTMT.
#   cfa.<case>: lavaan cfa() of the 5-factor model; parameterEstimates(standardized = TRUE), sampstat cov,
#     compRelSEM (defaults), compRelSEM(obs.var = FALSE), compRelSEM(tau.eq = TRUE), compRelSEM(return.total =
#     TRUE), AVE(), and semTools::htmt (htmt2 TRUE and FALSE) of the same data.  Cases: small60 (the first 60
#     complete rows, reverse-keyed items recoded 7 - x: a small N), fiml (every row, recoded, missing = "ml": the
#     sampstat is the EM estimate).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(psych); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6",
          as.character(packageVersion("psych")) == "2.2.9")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
b <- read.csv(file.path(dirname(HERE), "efa_refs", "data_bfi_missing.csv"))
rec <- b
for (k in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) rec[[k]] <- 7 - rec[[k]]
cm <- lapply(c(A = "A", C = "C", E = "E", N = "N", O = "O"), function(k) paste0(k, 1:5))
mod5 <- paste(sprintf("%s =~ %s", names(cm), sapply(cm, paste, collapse = " + ")), collapse = "\n")
m2l <- function(m) list(rownames = rownames(m), colnames = colnames(m), values = unname(as.matrix(m)))
out <- list(versions = list(lavaan = as.character(packageVersion("lavaan")),
                            semTools = as.character(packageVersion("semTools")),
                            psych = as.character(packageVersion("psych"))), model = mod5)
for (k in names(cm)) {
  d <- na.omit(b[, cm[[k]]])
  msg <- paste(capture.output(a <- suppressWarnings(psych::alpha(d)), type = "output"), collapse = " ")  # psych cat()s it
  named <- regmatches(msg, regexpr("\\(([^)]*)\\)", msg))
  named <- if (length(named)) strsplit(trimws(gsub("[()]", "", named[1])), " +")[[1]] else character(0)
  out$alpha[[k]] <- list(items = cm[[k]], n = nrow(d), raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
                         psych_reverse = I(named))
}
cc <- na.omit(b)
out$adequacy <- list(n_rows = nrow(b), n_complete = nrow(cc),
                     psych_default = list(MSA = KMO(b)$MSA, chisq = suppressMessages(cortest.bartlett(b))$chisq),
                     complete = list(MSA = KMO(cc)$MSA, MSAi = unname(KMO(cc)$MSAi),
                                     chisq = cortest.bartlett(cor(cc), n = nrow(cc))$chisq))
out$htmt_signed <- m2l(htmt(mod5, b, htmt2 = FALSE, absolute = FALSE))
cases <- list(small60 = list(data = na.omit(rec)[1:60, ], missing = "listwise"),
              fiml = list(data = rec, missing = "ml"))
for (nm in names(cases)) {
  d <- cases[[nm]]$data
  fit <- cfa(mod5, d, missing = cases[[nm]]$missing)
  out$cfa[[nm]] <- list(
    n = lavInspect(fit, "nobs"), missing = cases[[nm]]$missing,
    rows = if (nm == "small60") as.integer(rownames(d)) else NULL,
    estimates = parameterEstimates(fit, standardized = TRUE),
    sampstat = m2l(lavInspect(fit, "sampstat")$cov),
    compRelSEM = as.list(compRelSEM(fit)), compRelSEM_obs_var_false = as.list(compRelSEM(fit, obs.var = FALSE)),
    compRelSEM_tau_eq = as.list(compRelSEM(fit, tau.eq = TRUE)),
    compRelSEM_total = as.list(compRelSEM(fit, return.total = TRUE)), AVE = as.list(AVE(fit)),
    htmt2 = m2l(htmt(mod5, d, htmt2 = TRUE)), htmt = m2l(htmt(mod5, d, htmt2 = FALSE)))
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), file.path(HERE, "refs.json"))
