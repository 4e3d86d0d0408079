# Reference exploratory factor analyses: lavaan 0.6.14 efa() (geomin) and psych::fa (other rotations),
# KMO, Bartlett.  Run from this folder:  Rscript make_refs.R   (writes data_*.csv and efa_refs.json)
suppressPackageStartupMessages({library(lavaan); library(psych); library(GPArotation); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(hs, "data_hs.csv", row.names = FALSE)
b <- bfi[complete.cases(bfi[, 1:25]), 1:25]
b <- b[1:1200, ]
write.csv(b, "data_bfi.csv", row.names = FALSE)
mat <- function(L) { L <- unclass(L); list(rows = rownames(L), values = unname(lapply(seq_len(nrow(L)), function(i) unname(L[i, ])))) }
refs <- list()
timing <- list()
lav_case <- function(name, data, k) {
  t0 <- Sys.time()
  fit <- efa(data, nfactors = k, output = "lavaan")
  timing[[paste0("lavaan_", name)]] <<- as.numeric(Sys.time() - t0, units = "secs")
  L <- lavInspect(fit, "std")$lambda
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "rmsea", "tli", "cfi"))
  refs[[name]] <<- list(data = NULL, k = k, loadings = mat(L), phi = unname(unclass(lavInspect(fit, "std")$psi)),
                        fit = as.list(fm), theta = unname(diag(lavInspect(fit, "std")$theta)))
}
lav_case("lavaan_hs_3", hs, 3)
lav_case("lavaan_hs_2", hs, 2)
lav_case("lavaan_bfi_5", b, 5)
psy_case <- function(name, data, k, rotate, fm, cor = "cor", r = NULL) {
  t0 <- Sys.time()
  f <- if (is.null(r)) fa(data, nfactors = k, rotate = rotate, fm = fm, cor = cor)
       else fa(r, nfactors = k, rotate = rotate, fm = fm, n.obs = nrow(data))
  timing[[paste0("psych_", name)]] <<- as.numeric(Sys.time() - t0, units = "secs")
  phi <- if (is.null(f$Phi)) diag(k) else f$Phi
  refs[[name]] <<- list(k = k, rotate = rotate, fm = fm, loadings = mat(f$loadings), phi = unname(phi),
                        communality = unname(f$communality), STATISTIC = f$STATISTIC, dof = f$dof,
                        chi = f$chi, objective = f$objective, RMSEA = unname(f$RMSEA[1]), TLI = f$TLI)
}
for (rot in c("oblimin", "promax", "varimax", "geominQ")) for (fm in c("ml", "pa")) {
  psy_case(paste("psych_hs_3", rot, fm, sep = "_"), hs, 3, rot, fm)
}
for (rot in c("oblimin", "varimax")) psy_case(paste("psych_bfi_5", rot, "ml", sep = "_"), b, 5, rot, "ml")
# polychoric correlations as lavaan computes them, then psych::fa on that matrix
pc <- lavCor(b, ordered = names(b))
refs$polychoric_bfi <- list(R = unname(unclass(pc)))
psy_case("psych_bfi_poly_5_oblimin_ml", b, 5, "oblimin", "ml", r = unclass(pc))
psy_case("psych_bfi_poly_5_oblimin_pa", b, 5, "oblimin", "pa", r = unclass(pc))
# incomplete rows: psych's default pairwise correlations
bm <- bfi[1:1200, 1:25]
write.csv(bm, "data_bfi_missing.csv", row.names = FALSE, na = "")
psy_case("psych_bfimiss_5_oblimin_ml", bm, 5, "oblimin", "ml")
# adequacy
for (nm in c("hs", "bfi")) {
  d <- if (nm == "hs") hs else b
  k <- KMO(d)
  bt <- cortest.bartlett(cor(d), n = nrow(d))
  refs[[paste0("adequacy_", nm)]] <- list(MSA = k$MSA, MSAi = unname(k$MSAi), chisq = bt$chisq, df = bt$df,
                                          p.value = bt$p.value, eigen = eigen(cor(d))$values)
}
refs$timing <- timing
writeLines(toJSON(refs, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "efa_refs.json")
print(timing)
