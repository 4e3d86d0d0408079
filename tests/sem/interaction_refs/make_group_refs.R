# Simple slopes of a latent interaction per group and under std.lv: semTools 0.5-6 probe2WayMC(group = g) on
# lavaan 0.6.14 fits of semTools' indProd(match = FALSE, meanC = TRUE, doubleMC = TRUE) products (centred on the
# whole sample, as indProd has no group argument), and, under std.lv, the slopes on the scale that the marker
# fit gives (probe2WayMC itself reads the raw coefficient of A.B, which under std.lv is per SD of the product
# latent, not per unit of A x B).  Run from this folder:  Rscript make_group_refs.R
# (writes data_groups.csv and group_refs.json)
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
set.seed(20261207)
gen <- function(n, b3, r) {
  A <- rnorm(n); B <- r * A + sqrt(1 - r^2) * rnorm(n)
  Y <- 0.4 * A + 0.3 * B + b3 * A * B + 0.7 * rnorm(n)
  ind <- function(f, lam) sapply(lam, function(l) round(l * f + 0.6 * rnorm(n), 4))
  d <- data.frame(ind(A, c(1, .8, 1.1)), ind(B, c(1, .9, .7)), ind(Y, c(1, .8, .9)))
  names(d) <- c("a1", "a2", "a3", "b1", "b2", "b3", "y1", "y2", "y3")
  d
}
dat <- rbind(cbind(gen(350, 0.35, 0.3), g = "north"), cbind(gen(300, 0.0, 0.5), g = "south"))
write.csv(dat, "data_groups.csv", row.names = FALSE)
dat <- read.csv("data_groups.csv")
ia <- c("a1", "a2", "a3"); ib <- c("b1", "b2", "b3")
d <- indProd(dat, var1 = ia, var2 = ib, match = FALSE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
prods <- setdiff(names(d), names(dat))
pa <- rep(ia, each = length(ib)); pb <- rep(ib, times = length(ia))
cv <- c()
for (i in seq_along(prods)) for (j in seq_along(prods)) if (i < j && (pa[i] == pa[j] || pb[i] == pb[j]))
  cv <- c(cv, paste(prods[i], "~~", prods[j]))
user_model <- "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nY =~ y1 + y2 + y3\nY ~ A + B + A:B"
base <- c("A =~ a1 + a2 + a3", "B =~ b1 + b2 + b3", "Y =~ y1 + y2 + y3", "Y ~ A + B + A.B")
lav_model <- paste(c(base, paste("A.B =~", paste(prods, collapse = " + ")), cv), collapse = "\n")
# Johnson-Neyman roots of b1 + b3 m with var v11 + m^2 v33 + 2 m v13 (the package's formula)
jn <- function(b1, b3, v11, v33, v13) {
  z2 <- qnorm(.975)^2
  AA <- b3^2 - z2 * v33; BB <- 2 * (b1 * b3 - z2 * v13); CC <- b1^2 - z2 * v11
  disc <- BB^2 - 4 * AA * CC
  if (disc >= 0) sort(c((-BB - sqrt(disc)) / (2 * AA), (-BB + sqrt(disc)) / (2 * AA))) else NULL
}
out <- list(data = "data_groups.csv", user_model = user_model, products = prods)

# --- 1. two groups, marker scaling: probe2WayMC per group at -1/0/+1 SD of B in that group -------------------
fit <- sem(lav_model, data = d, group = "g")
pe <- parameterEstimates(fit)
probe <- list()
for (g in lavInspect(fit, "group.label")) {
  sdm <- sqrt(lavInspect(fit, "cov.lv")[[g]]["B", "B"])
  pr <- probe2WayMC(fit, nameX = c("A", "B", "A.B"), nameY = "Y", modVar = "B", valProbe = c(-sdm, 0, sdm), group = g)
  k <- which(lavInspect(fit, "group.label") == g)
  sfx <- if (k > 1) paste0(".g", k) else ""
  V <- vcov(fit); e <- coef(fit); n1 <- paste0("Y~A", sfx); n3 <- paste0("Y~A.B", sfx)
  psi <- lavInspect(fit, "cov.lv")[[g]]
  probe[[g]] <- list(moderator = pr$SimpleSlope[, 1], slope = pr$SimpleSlope$est, se = pr$SimpleSlope$se,
                     z = pr$SimpleSlope$z, pvalue = pr$SimpleSlope$pvalue, sd = sdm,
                     jn = jn(e[[n1]], e[[n3]], V[n1, n1], V[n3, n3], V[n1, n3]),
                     standardized = e[[n3]] * sqrt(psi["A", "A"]) * sdm / sqrt(psi["Y", "Y"]))
}
out$groups <- list(lavaan_model = lav_model, pe = pe[, c("lhs", "op", "rhs", "group", "est", "se")],
                   fit = as.list(fitMeasures(fit, c("chisq", "df"))), probe = probe)

# --- 2. std.lv, one group (the rows of north only) and both groups -----------------------------------------------------------
# Under std.lv the product-indicator model is the marker model rescaled: A = lA A*, B = lB B*, A.B = lP (A.B)*
# with lA, lB, lP the std.lv loadings of a1, b1, a1.b1; the marker fit's coefficient of A x B (in units of A*, B*)
# is c b3 with c = lA lB / lP.  Slopes at m SD of B: b1 + c b3 m (delta-method SE: lavaan's := below); the same
# model as the marker fit, so the slope at m = 0 equals the marker b1 times sd(A) (checked).
lab_model <- function(G) {
  L <- function(p) if (G == 1) paste0(p, "*") else paste0("c(", paste0(p, 1:G, collapse = ", "), ")*")
  defs <- c()
  for (k in 1:G) {
    s <- if (G == 1) "" else k
    lA <- paste0("lA", s); lB <- paste0("lB", s); lP <- paste0("lP", s); b1 <- paste0("b1", s); b3 <- paste0("b3", s)
    defs <- c(defs, paste0("b3s", s, " := ", lA, "*", lB, "/", lP, "*", b3))
  }
  paste(c(paste0("A =~ ", L("lA"), "a1 + a2 + a3"), paste0("B =~ ", L("lB"), "b1 + b2 + b3"), "Y =~ y1 + y2 + y3",
          paste0("Y ~ ", L("b1"), "A + B + ", L("b3"), "A.B"),
          paste0("A.B =~ ", L("lP"), prods[1], " + ", paste(prods[-1], collapse = " + ")), cv, defs), collapse = "\n")
}
stdlv <- list()
for (case in c("one", "two")) {
  G <- if (case == "one") 1 else 2
  dd <- if (case == "one") indProd(dat[dat$g == "north", ], var1 = ia, var2 = ib, match = FALSE, meanC = TRUE,
                                   residualC = FALSE, doubleMC = TRUE) else d      # products centred on what is fitted
  args <- list(model = lab_model(G), data = dd, std.lv = TRUE)
  if (G > 1) args$group <- "g"
  f <- do.call("sem", args)
  mk <- do.call("sem", c(list(model = lav_model, data = dd), if (G > 1) list(group = "g")))
  e <- coef(f); J <- lavInspect(f, "vcov.def.joint")
  nm <- c(names(e), parTable(f)$lhs[parTable(f)$op == ":="])     # its row names are wrong with groups (0.6.14)
  stopifnot(nrow(J) == length(nm)); dimnames(J) <- list(nm, nm)
  res <- list()
  for (k in 1:G) {
    s <- if (G == 1) "" else k
    b1 <- paste0("b1", s); b3s <- paste0("b3s", s)
    psi <- if (G == 1) lavInspect(f, "cov.lv") else lavInspect(f, "cov.lv")[[k]]
    sdm <- sqrt(psi["B", "B"]); m <- c(-sdm, 0, sdm)
    b3v <- parameterEstimates(f)$est[parameterEstimates(f)$lhs == b3s]
    slope <- e[[b1]] + b3v * m
    se <- sqrt(J[b1, b1] + m^2 * J[b3s, b3s] + 2 * m * J[b1, b3s])
    # the marker fit's slope of A at B = its mean in the std.lv units of A and Y (A = lA A*, Y = lY Y*, lY the
    # std.lv loading of y1): the same number (one model, two scalings)
    mpsi <- if (G == 1) lavInspect(mk, "cov.lv") else lavInspect(mk, "cov.lv")[[k]]
    sfx <- if (k > 1) paste0(".g", k) else ""
    lam <- if (G == 1) lavInspect(f, "est")$lambda else lavInspect(f, "est")[[k]]$lambda
    stopifnot(abs(slope[2] - coef(mk)[[paste0("Y~A", sfx)]] * lam["a1", "A"] / lam["y1", "Y"]) < 1e-4)
    std <- b3v * sqrt(psi["A", "A"]) * sdm / sqrt(psi["Y", "Y"])
    mstd <- coef(mk)[[paste0("Y~A.B", sfx)]] * sqrt(mpsi["A", "A"] * mpsi["B", "B"] / mpsi["Y", "Y"])
    stopifnot(abs(std - mstd) < 1e-4)
    res[[k]] <- list(moderator = m, slope = slope, se = unname(se), sd = sdm, b3s = b3v,
                     jn = jn(e[[b1]], b3v, J[b1, b1], J[b3s, b3s], J[b1, b3s]), standardized = std,
                     raw_probe_slope = e[[b1]] + e[[paste0("b3", s)]] * m)   # probe2WayMC's reading: mis-scaled
  }
  pef <- parameterEstimates(f)
  stdlv[[case]] <- list(pe = pef[, intersect(c("lhs", "op", "rhs", "group", "est", "se"), names(pef))], probe = res)
}
out$stdlv <- stdlv
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "group_refs.json")
