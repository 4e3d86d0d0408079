# lavaan 0.6.14 references for fits on small data: multi-group fits where one group has 12-25 rows and
# single-group fits at n = 40-60 (tests/sem/test_small_group_convergence.py).
#
#   Rscript tests/sem/converge_refs/make_converge_refs.R
#
# Reads tests/reference/data/{hs1939,hs1939_missing,groups_1200,groups_missing_1200}.csv and writes, next to
# this script, cases.json: one object per case with
#   id, model (lavaan syntax), data (the source file under tests/reference/data), rows (1-based rows of that
#   file, in the order fitted), groups (the group label of each row, or null), estimator, missing,
#   converged (lavInspect(fit, "converged")), admissible (lavInspect(fit, "post.check")), iterations,
#   logl (fit@loglik$loglik, also when lavaan did not converge), fx (the minimised function),
#   est: lhs/op/rhs/group/est of parameterEstimates() (free and fixed rows, no := rows).
# Deterministic: the subsamples are drawn with set.seed.
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
REFDATA <- file.path(HERE, "..", "..", "reference", "data")
rd <- function(f) read.csv(file.path(REFDATA, f), stringsAsFactors = FALSE)
HS <- rd("hs1939.csv"); HSM <- rd("hs1939_missing.csv")
ST <- rd("groups_1200.csv"); STM <- rd("groups_missing_1200.csv")

HS_MODEL <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
# the study's model restricted to three of its constructs (a group of 15 rows cannot carry 28 items)
ST3_MODEL <- paste("GOV =~ GOV1 + GOV2 + GOV3 + GOV4", "COL =~ COL1 + COL2 + COL3 + COL4",
                   "INT =~ INT1 + INT2 + INT3 + INT4", "COL ~ GOV", "INT ~ COL + GOV", sep = "\n")
# the study's full default model (iur_survey.study.default_model(), without its := rows)
mech <- c("GOV", "MKT", "BEN", "VAL", "TAL")
ST_MODEL <- paste(c(sapply(c(mech, "COL", "INT"), function(f) paste0(f, " =~ ", paste0(f, 1:4, collapse = " + "))),
                    paste("COL ~", paste0("a", 1:5, "*", mech, collapse = " + ")),
                    paste("INT ~ b*COL +", paste0("c", 1:5, "*", mech, collapse = " + "))), collapse = "\n")
HS_ITEMS <- paste0("x", 1:9)
ST3_ITEMS <- c(paste0("GOV", 1:4), paste0("COL", 1:4), paste0("INT", 1:4))
ST_ITEMS <- paste0(rep(c(mech, "COL", "INT"), each = 4), 1:4)

# HS groups: 2 = school; 3 = Pasteur by grade + Grant-White; 4 = school x grade (the row with no grade is left out)
hs_groups <- function(d, G) {
  gr <- ifelse(is.na(d$grade), NA, paste0("g", d$grade))
  switch(as.character(G), "2" = d$school,
         "3" = ifelse(d$school == "Pasteur", paste0("Pasteur.", gr), "Grant-White"),
         "4" = paste0(d$school, ".", gr))
}
st_groups <- function(d, G) {
  keep <- switch(as.character(G), "2" = c("university", "government"),
                 "3" = c("enterprise", "university", "government"),
                 "4" = c("enterprise", "research_institute", "university", "government"))
  ifelse(d$role %in% keep, d$role, NA)
}

cases <- list()
add_case <- function(id, model, file, d, rows, groups, est, miss) {
  args <- list(model = model, data = d[rows, ], estimator = est, missing = if (miss == "fiml") "ml" else "listwise")
  if (!is.null(groups)) { args$data$.g <- groups; args$group <- ".g" }
  fit <- tryCatch(suppressWarnings(do.call("sem", args)), error = function(e) conditionMessage(e))
  if (is.character(fit)) { cat(id, "lavaan error:", fit, "\n"); return(invisible()) }
  conv <- lavInspect(fit, "converged")
  adm <- tryCatch(suppressWarnings(lavInspect(fit, "post.check")), error = function(e) NA)
  pe <- parameterEstimates(fit, se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)
  pe <- pe[pe$op != ":=", ]
  if (is.null(pe$group)) pe$group <- 1L
  cases[[length(cases) + 1L]] <<- list(
    id = id, model = model, data = file, rows = rows, groups = groups, estimator = est, missing = miss,
    converged = conv, admissible = adm, iterations = lavInspect(fit, "iterations"),
    logl = fit@loglik$loglik, fx = fit@optim$fx,
    est = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group, est = pe$est))
}

# ---- multi-group: every group whole but one, subsampled to k rows
for (src in c("HS", "ST3")) for (miss in c("listwise", "fiml")) for (G in 2:4) for (k in c(12, 15, 20, 25))
  for (seed in 1:2) {
    if (src == "ST3" && k == 12) next          # 12 rows on 12 items: a singular covariance matrix
    if (src == "HS") { file <- if (miss == "fiml") "hs1939_missing.csv" else "hs1939.csv"; d <- if (miss == "fiml") HSM else HS
                       g <- hs_groups(d, G); model <- HS_MODEL; items <- HS_ITEMS }
    else { file <- if (miss == "fiml") "groups_missing_1200.csv" else "groups_1200.csv"; d <- if (miss == "fiml") STM else ST
           g <- st_groups(d, G); model <- ST3_MODEL; items <- ST3_ITEMS }
    ok <- !is.na(g)
    if (miss == "fiml") ok <- ok & rowSums(!is.na(d[, items])) > 0 else ok <- ok & complete.cases(d[, items])
    labs <- unique(g[ok])
    small <- labs[length(labs)]                 # the last group in data order
    set.seed(1000 * G + 10 * k + seed)
    pick <- sort(sample(which(ok & g == small), k))
    rows <- sort(c(which(ok & g != small), pick))
    for (est in c("ML", "MLR"))
      add_case(sprintf("%s_%s_G%d_k%d_s%d_%s", src, miss, G, k, seed, est), model, file, d, rows, g[rows], est, miss)
  }
# ---- single group, n = 40 ... 60
for (src in c("HS", "ST")) for (miss in c("listwise", "fiml")) for (n in c(40, 45, 50, 55, 60)) for (seed in 1:2) {
  if (src == "HS") { file <- if (miss == "fiml") "hs1939_missing.csv" else "hs1939.csv"; d <- if (miss == "fiml") HSM else HS
                     model <- HS_MODEL; items <- HS_ITEMS }
  else { file <- if (miss == "fiml") "missing_800.csv" else "complete_800.csv"; d <- rd(file)
         model <- ST_MODEL; items <- ST_ITEMS }
  ok <- if (miss == "fiml") rowSums(!is.na(d[, items])) > 0 else complete.cases(d[, items])
  set.seed(100 * n + seed)
  rows <- sort(sample(which(ok), n))
  for (est in c("ML", "MLR"))
    add_case(sprintf("%s_%s_n%d_s%d_%s", src, miss, n, seed, est), model, file, d, rows, NULL, est, miss)
}
writeLines(toJSON(cases, auto_unbox = TRUE, digits = NA, null = "null", na = "null"),
           file.path(HERE, "cases.json"))
cat(length(cases), "cases;", sum(sapply(cases, function(x) isTRUE(x$converged))), "converged;",
    sum(sapply(cases, function(x) isTRUE(x$admissible))), "admissible\n")
