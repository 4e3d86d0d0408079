# References for tests/sem/test_invariance_audit.py (lavaan 0.6.14, semTools 0.5-6).
# Run from this folder:  Rscript make_invariance_audit_refs.R
# Writes hs1939_na6.csv, binary_630.csv (the data the tests read) and invariance_audit_refs.json.
suppressMessages({library(lavaan); library(semTools); library(jsonlite)})
hs <- read.csv("../../reference/data/hs1939.csv")
HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
STEPS <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
FM <- c("npar", "df", "chisq", "chisq.scaled", "cfi", "rmsea", "srmr", "cfi.robust", "rmsea.robust",
        "cfi.scaled", "rmsea.scaled", "tli.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")
fm <- function(f) { x <- fitMeasures(f); as.list(x[intersect(FM, names(x))]) }
out <- list()

# A1: x5 blanked in 6 rows, listwise: the cases the fits use (nobs) and the step fit measures
na6 <- hs; na6$x5[c(3, 41, 97, 160, 222, 287)] <- NA
write.csv(na6, "hs1939_na6.csv", row.names = FALSE, na = "")
out$a1 <- lapply(STEPS, function(ge) {
  f <- cfa(HS, na6, group = "school", group.equal = ge, missing = "listwise")
  list(nobs = lavInspect(f, "nobs"), labels = lavInspect(f, "group.label"), fit = fm(f))})

# C2: numeric group column with a blank (grade): lavaan's labels
f <- cfa(HS, hs, group = "grade")
out$c2 <- list(labels = lavInspect(f, "group.label"), nobs = lavInspect(f, "nobs"))

# C6: MLR invariance steps (what the table must show) and lavTestLRT's scaled differences
mlr <- lapply(STEPS, function(ge) cfa(HS, hs, group = "school", group.equal = ge, estimator = "MLR"))
l <- do.call(lavTestLRT, unname(mlr))
out$mlr <- list(fit = lapply(mlr, fm), chisq.diff = l[["Chisq diff"]][-1], df.diff = l[["Df diff"]][-1])

# C4: WLSMV multi-group, delta and theta: robust CFI / RMSEA (the same model, the same test)
w <- read.csv("../ordinal_refs/wlsmv_groups_630.csv")
ONE <- "F =~ a1 + a2 + a3 + a4 + b1 + b2 + b3 + b4"
out$theta <- lapply(c(delta = "delta", theta = "theta"), function(p)
  fm(cfa(ONE, w, group = "G", ordered = TRUE, parameterization = p, missing = "pairwise")))

# B1: binary items (Wu & Estabrook 2016 through semTools' measEq.syntax): binary only, and binary + 5-category
b <- w; for (v in c("a1", "a2", "a3", "a4")) b[[v]] <- as.integer(w[[v]] >= 4)
for (v in c("b1", "b2", "b3", "b4")) b[[paste0("bb", substring(v, 2))]] <- as.integer(w[[v]] >= 4)
write.csv(b, "binary_630.csv", row.names = FALSE, na = "")
WE <- list(configural = "configural", thresholds = "thresholds", thresholds_loadings = c("thresholds", "loadings"),
           thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts"))
models <- list(binary = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ bb1 + bb2 + bb3 + bb4",
               mixed = "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4")
out$binary <- lapply(models, function(m) {
  items <- lavNames(m, "ov")
  fits <- lapply(WE, function(ge) {
    syn <- as.character(measEq.syntax(configural.model = m, data = b, ordered = items, parameterization = "delta",
                                      ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "G", group.equal = ge))
    f <- cfa(syn, b, group = "G", ordered = items, estimator = "WLSMV", missing = "pairwise")
    # the +intercepts step with binary items (free scales): lavaan's default nlminb fails at its starting
    # values ("Model estimation FAILED"); lavaan's BFGS converges (recorded as "optimizer")
    if (!lavInspect(f, "converged"))
      f <- cfa(syn, b, group = "G", ordered = items, estimator = "WLSMV", missing = "pairwise", optim.method = "BFGS")
    f})
  # each step against the one before (lavTestLRT orders the pair by df)
  # (equivalent models, Δdf = 0: lavTestLRT stops with an error in 0.6.14; recorded as df.diff 0, no test)
  tests <- lapply(2:length(fits), function(k) tryCatch({
    t <- lavTestLRT(fits[[k - 1]], fits[[k]])
    list(chisq.diff = t[["Chisq diff"]][2], df.diff = t[["Df diff"]][2], p = t[["Pr(>Chisq)"]][2])},
    error = function(e) list(chisq.diff = NA, df.diff = fitMeasures(fits[[k]], "df") - fitMeasures(fits[[k - 1]], "df"),
                             p = NA, error = conditionMessage(e))))
  names(tests) <- names(WE)[-1]
  list(fit = lapply(fits, function(f) c(fm(f), converged = lavInspect(f, "converged"),
                                         optimizer = lavInspect(f, "options")$optim.method)), lrt = tests)})
write_json(out, "invariance_audit_refs.json", digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
