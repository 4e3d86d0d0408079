# Latent interactions by double-mean-centred product indicators (Lin et al. 2010): semTools 0.5-6
# indProd(match = FALSE, meanC = TRUE, doubleMC = TRUE) and lavaan 0.6.14 sem().
# Run from this folder:  Rscript make_refs.R   (writes interaction_refs.json)
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
product_model <- function(base, y, a, ia, b, ib) {
  prods <- as.vector(t(outer(ia, ib, paste, sep = ".")))    # a1.b1, a1.b2, ..., a2.b1, ...
  ab <- paste(a, b, sep = ".")
  lines <- c(base, paste(y, "~", a, "+", b, "+", ab), paste(ab, "=~", paste(prods, collapse = " + ")))
  pa <- rep(ia, each = length(ib)); pb <- rep(ib, times = length(ia))
  for (i in seq_along(prods)) for (j in seq_along(prods)) if (i < j && (pa[i] == pa[j] || pb[i] == pb[j]))
    lines <- c(lines, paste(prods[i], "~~", prods[j]))
  paste(lines, collapse = "\n")
}
cases <- list()
run <- function(name, data, data_file, base, user_model, y, a, ia, b, ib, args = list()) {
  d <- indProd(data, var1 = ia, var2 = ib, match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
  model <- product_model(base, y, a, ia, b, ib)
  fit <- do.call("sem", c(list(model = model, data = d), args))
  pe <- parameterEstimates(fit)
  prods <- setdiff(names(d), names(data))
  sdm <- sqrt(lavInspect(fit, "cov.lv")[b, b])
  pr <- probe2WayMC(fit, nameX = c(a, b, paste(a, b, sep = ".")), nameY = y, modVar = b,
                    valProbe = c(-sdm, 0, sdm))
  cases[[name]] <<- list(data = data_file, user_model = user_model, lavaan_model = model, args = args,
                         pe = pe[, c("lhs", "op", "rhs", "est", "se")],
                         fit = as.list(fitMeasures(fit, c("chisq", "df", "cfi", "rmsea"))),
                         products_head = unname(as.matrix(d[1:5, prods])), products = prods,
                         probe = as.data.frame(pr$SimpleSlope), psi = unname(lavInspect(fit, "cov.lv")), lv = rownames(lavInspect(fit, "cov.lv")))
}
hs <- read.csv("../mi_refs/data_hs.csv")
run("hs", hs, "../mi_refs/data_hs.csv",
    c("visual =~ x1 + x2 + x3", "speed =~ x7 + x8 + x9", "textual =~ x4 + x5 + x6"),
    "visual =~ x1 + x2 + x3\nspeed =~ x7 + x8 + x9\ntextual =~ x4 + x5 + x6\ntextual ~ visual + speed + visual:speed",
    "textual", "visual", c("x1", "x2", "x3"), "speed", c("x7", "x8", "x9"))
demo <- read.csv("../../reference/data/complete_800.csv")
gov <- paste0("GOV", 1:4); mkt <- paste0("MKT", 1:4); col <- paste0("COL", 1:4)
run("demo", demo, "../../reference/data/complete_800.csv",
    c(paste("GOV =~", paste(gov, collapse = " + ")), paste("MKT =~", paste(mkt, collapse = " + ")),
      paste("COL =~", paste(col, collapse = " + "))),
    paste(c(paste("GOV =~", paste(gov, collapse = " + ")), paste("MKT =~", paste(mkt, collapse = " + ")),
            paste("COL =~", paste(col, collapse = " + ")), "COL ~ GOV + MKT + GOV:MKT"), collapse = "\n"),
    "COL", "GOV", gov, "MKT", mkt)
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "interaction_refs.json")
