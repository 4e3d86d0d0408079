# References for omega (compRelSEM) and AVE of fits with ORDERED items (lavaan 0.6.14, semTools 0.5-6).
#
#   Rscript tests/measure/ordrel_refs/make_ordrel_refs.R
#
# Writes, next to this script, hs1939_ord4.csv (HolzingerSwineford1939's x1-x9 each cut into 4 categories at
# its quartiles, codes 1-4) and ordrel_refs.json, one entry per case:
#   model, data (file under tests/), ordered (the ordered items), parameterization;
#   estimates: parameterEstimates(fit, standardized = TRUE) (thresholds "|" and scales "~*~" included);
#   sampstat: lavInspect(fit, "sampstat")$cov (polychoric / polyserial); fitted: lavInspect(fit, "fitted")$cov;
#   cov_lv: lavInspect(fit, "cov.lv");
#   compRelSEM: compRelSEM(fit) (defaults: obs.var = TRUE, ord.scale = TRUE: Green & Yang's categorical omega),
#   compRelSEM_obs_var_false, compRelSEM_ord_scale_false, compRelSEM_higher_error (higher-order case: semTools' error
#   on higher = "g" with ordered items),
#   AVE: AVE(fit) (obs.var = TRUE), AVE_obs_var_false; messages: semTools' messages of compRelSEM(fit).
# Cases: study (the study's structural model on tests/reference/data/ordinal_600.csv, ordered = TRUE),
#   hs4 (3-factor CFA of hs1939_ord4.csv), hs4_theta (the same, parameterization = "theta"),
#   hs4_higher (second-order factor g over the three), hs4_sem (speed ~ visual + textual),
#   hs4_groups (the CFA per school, two groups: estimates with a group column, sampstat / compRelSEM / AVE per
#   group label), hs4_mixed (hs1939_mixed.csv: x1-x3 and x9 continuous, x4-x8 ordered: speed has mixed indicators),
#   hs_higher_ml (the second-order model on the continuous hs1939.csv, ML: the first-order factors' variances
#   are cov.lv's totals; compRelSEM(higher = "g") works there).
suppressPackageStartupMessages({ library(lavaan); library(semTools); library(jsonlite) })
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14", as.character(packageVersion("semTools")) == "0.5.6")
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
TESTS <- dirname(dirname(HERE))
hs <- read.csv(file.path(TESTS, "reference", "data", "hs1939.csv"))
hs4 <- as.data.frame(lapply(hs[, paste0("x", 1:9)], function(x)
  as.integer(cut(x, unique(quantile(x, c(0, .25, .5, .75, 1))), include.lowest = TRUE))))
hs4$school <- hs$school
write.csv(hs4, file.path(HERE, "hs1939_ord4.csv"), row.names = FALSE)
mixed <- cbind(hs[, paste0("x", 1:3)], hs4[, paste0("x", 4:8)], hs[, "x9", drop = FALSE])
write.csv(mixed, file.path(HERE, "hs1939_mixed.csv"), row.names = FALSE)
ord600 <- read.csv(file.path(TESTS, "reference", "data", "ordinal_600.csv"))

hs3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
items <- function(p) paste(p, 1:4, sep = "", collapse = " + ")
study <- paste(c(sprintf("%s =~ %s", c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"),
                         sapply(c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"), items)),
                 "COL ~ GOV + MKT + BEN + VAL + TAL", "INT ~ COL + GOV + MKT + BEN + VAL + TAL"), collapse = "\n")
cases <- list(
  study = list(model = study, data = "reference/data/ordinal_600.csv", d = ord600,
               ordered = as.vector(sapply(c("GOV", "MKT", "BEN", "VAL", "TAL", "COL", "INT"), paste0, 1:4))),
  hs4 = list(model = hs3, data = "measure/ordrel_refs/hs1939_ord4.csv", d = hs4, ordered = paste0("x", 1:9)),
  hs4_theta = list(model = hs3, data = "measure/ordrel_refs/hs1939_ord4.csv", d = hs4, ordered = paste0("x", 1:9),
                   parameterization = "theta"),
  hs4_higher = list(model = paste0(hs3, "\ng =~ visual + textual + speed"), data = "measure/ordrel_refs/hs1939_ord4.csv",
                    d = hs4, ordered = paste0("x", 1:9), higher = "g"),
  hs4_sem = list(model = paste0(hs3, "\nspeed ~ visual + textual"), data = "measure/ordrel_refs/hs1939_ord4.csv",
                 d = hs4, ordered = paste0("x", 1:9)),
  hs4_groups = list(model = hs3, data = "measure/ordrel_refs/hs1939_ord4.csv", d = hs4, ordered = paste0("x", 1:9),
                    group = "school"),
  hs4_mixed = list(model = hs3, data = "measure/ordrel_refs/hs1939_mixed.csv", d = mixed, ordered = paste0("x", 4:8)),
  hs_higher_ml = list(model = paste0(hs3, "\ng =~ visual + textual + speed"), data = "reference/data/hs1939.csv",
                      d = hs[, paste0("x", 1:9)], ordered = NULL, higher = "g"))
m2l <- function(m) list(rownames = rownames(m), colnames = colnames(m), values = unname(as.matrix(m)))
vec <- function(v) as.list(setNames(as.numeric(v), names(v)))
msgs <- function(expr) { out <- character(0)
  val <- withCallingHandlers(expr, message = function(m) { out <<- c(out, conditionMessage(m)); invokeRestart("muffleMessage") })
  list(value = val, messages = out) }
out <- list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")))
for (nm in names(cases)) {
  k <- cases[[nm]]
  par <- if (is.null(k$parameterization)) "delta" else k$parameterization
  fit <- if (is.null(k$ordered)) sem(k$model, data = k$d) else
    if (is.null(k$group)) sem(k$model, data = k$d, ordered = k$ordered, estimator = "WLSMV", parameterization = par) else
      sem(k$model, data = k$d, ordered = k$ordered, estimator = "WLSMV", group = k$group)
  stopifnot(lavInspect(fit, "converged"))
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (!is.null(k$group)) {   # one entry per group: estimates with their group label, sampstat, compRelSEM, AVE
    labs <- lavInspect(fit, "group.label"); ss <- lavInspect(fit, "sampstat")
    cr <- compRelSEM(fit); av <- AVE(fit)
    pe$group <- labs[pe$group]
    out[[nm]] <- list(model = k$model, data = k$data, ordered = k$ordered, parameterization = par, group = k$group,
                      groups = labs, estimates = pe[, c("lhs", "op", "rhs", "group", "est", "se", "std.lv", "std.all")],
                      sampstat = setNames(lapply(labs, function(g) m2l(ss[[g]]$cov)), labs),
                      compRelSEM = setNames(lapply(seq_along(labs), function(i) as.list(cr[i, -1])), labs),
                      AVE = setNames(lapply(seq_along(labs), function(i) as.list(av[i, -1])), labs))
    next
  }
  cr <- msgs(compRelSEM(fit))
  e <- list(model = k$model, data = k$data, ordered = k$ordered, parameterization = par, nobs = lavInspect(fit, "nobs"),
            estimates = pe[, c("lhs", "op", "rhs", "est", "se", "std.lv", "std.all")],
            sampstat = m2l(lavInspect(fit, "sampstat")$cov), fitted = m2l(lavInspect(fit, "fitted")$cov),
            cov_lv = m2l(lavInspect(fit, "cov.lv")),
            compRelSEM = vec(cr$value), messages = cr$messages,
            compRelSEM_obs_var_false = vec(suppressMessages(compRelSEM(fit, obs.var = FALSE))),
            compRelSEM_ord_scale_false = vec(suppressMessages(compRelSEM(fit, ord.scale = FALSE))),
            AVE = vec(AVE(fit)), AVE_obs_var_false = vec(AVE(fit, obs.var = FALSE)))
  # semTools 0.5-6 fails on higher= with ordered items (omegaCat gets the summed common variance): its error
  if (!is.null(k$higher) && is.null(k$ordered)) e$compRelSEM_higher <- vec(compRelSEM(fit, higher = k$higher))
  else if (!is.null(k$higher)) e$compRelSEM_higher_error <- tryCatch({ suppressMessages(compRelSEM(fit, higher = k$higher)); "" },
                                                                 error = function(err) conditionMessage(err))
  out[[nm]] <- e
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), file.path(HERE, "ordrel_refs.json"))
