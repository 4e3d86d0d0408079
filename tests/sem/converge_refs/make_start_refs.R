# lavaan 0.6.14's default start values (parTable(fit)$start with do.fit = FALSE) for a few models on rows of
# the cases of cases.json (tests/sem/test_small_group_convergence.py checks Model.start against them).
#
#   Rscript tests/sem/converge_refs/make_start_refs.R      (after make_converge_refs.R)
#
# Writes starts.json: per entry the case id whose data it uses, the model, the sem() options and lavaan's
# partable (lhs, op, rhs, group, free, start).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
REFDATA <- file.path(HERE, "..", "..", "reference", "data")
cases <- fromJSON(file.path(HERE, "cases.json"), simplifyVector = FALSE)
byid <- setNames(cases, sapply(cases, `[[`, "id"))
HS_SINGLE <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7\nvisual ~ speed\ntextual ~ visual"
HS_TWO <- "visual =~ x1 + x2\ntextual =~ x4 + x5 + x6 + x9\nspeed =~ x7 + x8 + x9"
specs <- list(
  list(id = "HS_listwise_G2_k15_s1_ML"), list(id = "HS_fiml_G4_k20_s1_ML"), list(id = "ST3_fiml_G3_k15_s2_ML"),
  list(id = "ST_listwise_n45_s1_ML"), list(id = "HS_fiml_n60_s1_ML", std.lv = TRUE),
  list(id = "HS_listwise_n50_s1_ML", model = HS_SINGLE), list(id = "HS_fiml_n45_s2_ML", model = HS_TWO))
out <- lapply(specs, function(sp) {
  cs <- byid[[sp$id]]
  d <- read.csv(file.path(REFDATA, cs$data), stringsAsFactors = FALSE)[unlist(cs$rows), ]
  model <- if (is.null(sp$model)) cs$model else sp$model
  args <- list(model = model, data = d, missing = if (cs$missing == "fiml") "ml" else "listwise", do.fit = FALSE,
               std.lv = isTRUE(sp$std.lv))
  if (!is.null(cs$groups)) { args$data$.g <- unlist(cs$groups); args$group <- ".g" }
  pt <- parTable(do.call("sem", args))
  if (is.null(pt$group)) pt$group <- 1L
  list(id = sp$id, model = model, std_lv = isTRUE(sp$std.lv),
       partable = list(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, group = pt$group, free = pt$free, start = pt$start))
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA), file.path(HERE, "starts.json"))
