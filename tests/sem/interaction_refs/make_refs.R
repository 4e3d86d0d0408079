# Latent interactions by double-mean-centred product indicators (Lin et al. 2010): semTools 0.5-6
# indProd(match = FALSE, meanC = TRUE, doubleMC = TRUE) and lavaan 0.6.14 sem().
# Run from this folder:  Rscript make_refs.R   (writes data_sim.csv and interaction_refs.json)
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
# --- cases added by the s23 audit (modaudit): data never seen elsewhere, written here (set.seed) -------------
set.seed(20261206)
n <- 400
A <- rnorm(n); B <- 0.4 * A + rnorm(n)
Y <- 0.4 * A + 0.3 * B + 0.25 * A * B + 0.7 * rnorm(n)
Z <- 0.3 * Y + 0.2 * A * B + 0.8 * rnorm(n)
ind <- function(f, lam) sapply(lam, function(l) round(l * f + 0.6 * rnorm(n), 4))
sim <- data.frame(ind(A, c(1, .8, 1.1)), ind(B, c(1, .9, .7)), ind(Y, c(1, .8, .9)), ind(Z, c(1, 1, .8)))
names(sim) <- c("a.1", "a.2", "a.3", "b.1", "b.2", "b.3", "y1", "y2", "y3", "z1", "z2", "z3")
write.csv(sim, "data_sim.csv", row.names = FALSE)
sim <- read.csv("data_sim.csv", check.names = FALSE)
# slopes of the focal at -1/0/+1 SD of the moderator and the Johnson-Neyman roots, by parameter NAME (delta
# method; semTools' probe2WayMC takes the vcov entries by position, which is wrong when the regression lists
# its terms in another order or when a second outcome has the same terms)
probe_by_name <- function(fit, y, a, b) {
  est <- coef(fit); V <- vcov(fit); ab <- paste(a, b, sep = ".")
  k1 <- paste0(y, "~", a); k3 <- paste0(y, "~", ab)
  b1 <- unname(est[k1]); b3 <- unname(est[k3]); sdm <- sqrt(lavInspect(fit, "cov.lv")[b, b])
  m <- c(-sdm, 0, sdm)
  se <- sqrt(V[k1, k1] + m^2 * V[k3, k3] + 2 * m * V[k1, k3])
  z2 <- qnorm(.975)^2
  AA <- b3^2 - z2 * V[k3, k3]; BB <- 2 * (b1 * b3 - z2 * V[k1, k3]); CC <- b1^2 - z2 * V[k1, k1]
  disc <- BB^2 - 4 * AA * CC
  list(moderator = m, slope = b1 + b3 * m, se = unname(se), sd = sdm,
       jn = if (disc >= 0) sort(c((-BB - sqrt(disc)) / (2 * AA), (-BB + sqrt(disc)) / (2 * AA))) else NULL)
}
sim_case <- function(name, lvs, user_reg, lav_reg, probes) {
  ia <- c("a.1", "a.2", "a.3"); ib <- c("b.1", "b.2", "b.3")
  ind <- list(A = ia, B = ib, Y = c("y1", "y2", "y3"), Z = c("z1", "z2", "z3"))
  base <- sapply(lvs, function(l) paste(l, "=~", paste(ind[[l]], collapse = " + ")))
  d <- indProd(sim, var1 = ia, var2 = ib, match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
  prods <- setdiff(names(d), names(sim))
  pa <- rep(ia, each = length(ib)); pb <- rep(ib, times = length(ia))   # by position, never by splitting names
  cv <- c()
  for (i in seq_along(prods)) for (j in seq_along(prods)) if (i < j && (pa[i] == pa[j] || pb[i] == pb[j]))
    cv <- c(cv, paste(prods[i], "~~", prods[j]))
  model <- paste(c(base, lav_reg, paste("A.B =~", paste(prods, collapse = " + ")), cv), collapse = "\n")
  fit <- sem(model, data = d)
  pe <- parameterEstimates(fit)
  cases[[name]] <<- list(data = "data_sim.csv", user_model = paste(c(base, user_reg), collapse = "\n"),
                         lavaan_model = model, args = list(), pe = pe[, c("lhs", "op", "rhs", "est", "se")],
                         fit = as.list(fitMeasures(fit, c("chisq", "df", "cfi", "rmsea"))), products = prods,
                         probe = lapply(setNames(probes, probes), function(y) probe_by_name(fit, y, "A", "B")))
}
# indicator names with dots (R's read.csv turns a space into one): products a.1.b.1, ...
sim_case("dots", c("A", "B", "Y"), "Y ~ A + B + A:B", "Y ~ A + B + A.B", "Y")
# the same A:B in two regressions: each outcome its own simple slopes
sim_case("two_outcomes", c("A", "B", "Y", "Z"), c("Y ~ A + B + A:B", "Z ~ Y + A + B + A:B"),
         c("Y ~ A + B + A.B", "Z ~ Y + A + B + A.B"), c("Y", "Z"))
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "interaction_refs.json")
