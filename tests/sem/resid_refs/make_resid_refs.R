# lavaan 0.6.14 references for residuals(fit, type = ...) and lavResiduals(fit, se = TRUE)
# (iur_survey/sem/residuals.py).  Writes the data each case is fitted on (data_*.csv) and resid_refs.json:
# per case and group (with ordered items also several groups and the theta parameterization), the residual matrices/vectors of every type (raw, cor.bollen, cor.bentler,
# normalized, standardized; "error" where lavaan refuses) and lavResiduals(fit, se = TRUE): cov, mean, th,
# their .se and .z, and the summary table (rows srmr, srmr.se, ..., usrmr.closefit.pvalue); and
# mi_wlsmv_refs.json: modindices(fit, sort. = TRUE) of two fits of ordered items (WLSMV; DWLS with std.lv and
# a residual covariance).
#
#   Rscript tests/sem/resid_refs/make_resid_refs.R
HERE <- local({
  a <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(a)) dirname(normalizePath(sub("^--file=", "", a[1]))) else getwd()
})
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")

hs <- HolzingerSwineford1939[, c("school", "sex", "ageyr", paste0("x", 1:9))]
write.csv(hs, file.path(HERE, "data_hs.csv"), row.names = FALSE)
pd <- PoliticalDemocracy
write.csv(pd, file.path(HERE, "data_pd.csv"), row.names = FALSE)
set.seed(20261205)                       # ~10% MCAR holes in every HS item
hsm <- hs
for (v in paste0("x", 1:9)) hsm[runif(nrow(hsm)) < 0.10, v] <- NA
write.csv(hsm, file.path(HERE, "data_hsmcar.csv"), row.names = FALSE, na = "")
hs3 <- data.frame(lapply(hs[paste0("x", 1:9)], function(x) as.integer(cut(x, quantile(x, c(0, .3, .7, 1)),
                                                                            include.lowest = TRUE))))
hs3$school <- hs$school                  # x1-x9 cut at quantiles into 3 categories: WLSMV with several groups
write.csv(hs3, file.path(HERE, "data_hs3cut.csv"), row.names = FALSE)
data(bfi, package = "psych")
bf <- na.omit(bfi[, c(paste0("A", 1:5), paste0("C", 1:5))])
write.csv(bf, file.path(HERE, "data_bfi.csv"), row.names = FALSE)

hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
pd_model <- "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\ndem60 ~ ind60\ndem65 ~ ind60 + dem60\ny1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8"
hsx_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ ageyr"
bfi_model <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"

el <- function(x) {                        # a residual element as JSON-ready: matrix rows, named vector
  if (is.matrix(x)) return(unname(lapply(seq_len(nrow(x)), function(i) unname(as.numeric(x[i, ])))))
  if (is.data.frame(x)) return(c(list(rows = rownames(x)), lapply(as.list(x), unname)))
  if (is.numeric(x)) return(unname(as.numeric(x)))
  x
}
grp <- function(g) { g <- g[names(g) != "type"]; lapply(g, el) }
types <- c("raw", "cor.bollen", "cor.bentler", "normalized", "standardized")
cases <- list()
add_case <- function(name, data_file, model, args, fit) {
  res <- list()
  for (ty in types) {
    r <- tryCatch(lavaan:::lav_residuals(fit, type = ty, add.labels = TRUE, drop.list.single.group = FALSE),
                  error = function(e) list(error = conditionMessage(e)))
    res[[ty]] <- if (!is.null(r$error)) r else lapply(r, grp)
  }
  lr <- tryCatch(lavResiduals(fit, se = TRUE, drop.list.single.group = FALSE),
                 error = function(e) list(error = conditionMessage(e)))
  lr <- if (!is.null(lr$error)) lr else lapply(lr, grp)
  lr_cor <- tryCatch(lapply(lavResiduals(fit, type = "cor.bollen", se = TRUE, drop.list.single.group = FALSE), grp),
                     error = function(e) list(error = conditionMessage(e)))
  lr_raw <- tryCatch(lapply(lavResiduals(fit, type = "raw", se = TRUE, drop.list.single.group = FALSE), grp),
                     error = function(e) list(error = conditionMessage(e)))
  ov <- lavNames(fit, "ov")
  cases[[name]] <<- list(data = data_file, model = model, args = args, ov = ov,
                         group_labels = lavInspect(fit, "group.label"),
                         options = list(information = lavInspect(fit, "options")$information[1],
                                        se = lavInspect(fit, "options")$se,
                                        h1_information = lavInspect(fit, "options")$h1.information[1]),
                         fit = as.list(fitMeasures(fit, c("chisq", "srmr", "crmr", "rmr"))),
                         residuals = res, lavResiduals = lr, lavResiduals_cor = lr_cor,
                         lavResiduals_raw = lr_raw)
}

add_case("hs_ml", "data_hs.csv", hs_model, list(estimator = "ML"), cfa(hs_model, hs))
add_case("hs_ml_ms", "data_hs.csv", hs_model, list(estimator = "ML", meanstructure = TRUE),
         cfa(hs_model, hs, meanstructure = TRUE))
add_case("hs_groups_loadings", "data_hs.csv", hs_model,
         list(estimator = "ML", group = "school", group_equal = "loadings"),
         cfa(hs_model, hs, group = "school", group.equal = "loadings"))
add_case("pd_ml", "data_pd.csv", pd_model, list(estimator = "ML"), sem(pd_model, pd))
add_case("hs_mlr", "data_hs.csv", hs_model, list(estimator = "MLR"), cfa(hs_model, hs, estimator = "MLR"))
add_case("hsmcar_fiml", "data_hsmcar.csv", hs_model, list(estimator = "ML", missing = "fiml"),
         cfa(hs_model, hsm, missing = "ml"))
add_case("hsmcar_mlr", "data_hsmcar.csv", hs_model, list(estimator = "MLR", missing = "fiml"),
         cfa(hs_model, hsm, missing = "ml", estimator = "MLR"))
add_case("hsmcar_groups_fiml", "data_hsmcar.csv", hs_model, list(estimator = "ML", missing = "fiml", group = "school"),
         cfa(hs_model, hsm, missing = "ml", group = "school"))
add_case("hsx_ml", "data_hs.csv", hsx_model, list(estimator = "ML"), sem(hsx_model, hs))
add_case("hsx_mlr_ms", "data_hs.csv", hsx_model, list(estimator = "MLR", meanstructure = TRUE),
         sem(hsx_model, hs, estimator = "MLR", meanstructure = TRUE))
add_case("bfi_wlsmv", "data_bfi.csv", bfi_model, list(estimator = "WLSMV", ordered = TRUE),
         cfa(bfi_model, bf, ordered = names(bf), estimator = "WLSMV"))
# several groups of ordered items (WLSMV): delta, free scales (equal thresholds and loadings), theta; theta alone
add_case("hs3_groups_wlsmv", "data_hs3cut.csv", hs_model,
         list(estimator = "WLSMV", ordered = TRUE, group = "school"),
         cfa(hs_model, hs3, ordered = paste0("x", 1:9), group = "school", estimator = "WLSMV"))
add_case("hs3_groups_wlsmv_equal", "data_hs3cut.csv", hs_model,
         list(estimator = "WLSMV", ordered = TRUE, group = "school", group_equal = c("thresholds", "loadings")),
         cfa(hs_model, hs3, ordered = paste0("x", 1:9), group = "school", estimator = "WLSMV",
             group.equal = c("thresholds", "loadings")))
add_case("hs3_groups_wlsmv_theta", "data_hs3cut.csv", hs_model,
         list(estimator = "WLSMV", ordered = TRUE, group = "school", group_equal = c("thresholds", "loadings"),
              parameterization = "theta"),
         cfa(hs_model, hs3, ordered = paste0("x", 1:9), group = "school", estimator = "WLSMV",
             group.equal = c("thresholds", "loadings"), parameterization = "theta"))
add_case("hs3_wlsmv_theta", "data_hs3cut.csv", hs_model,
         list(estimator = "WLSMV", ordered = TRUE, parameterization = "theta"),
         cfa(hs_model, hs3, ordered = paste0("x", 1:9), estimator = "WLSMV", parameterization = "theta"))

write_json(cases, file.path(HERE, "resid_refs.json"), digits = NA, auto_unbox = TRUE, na = "null",
           pretty = FALSE)

# modification indices of fits with ordered items (iur_survey/sem/modindices.py): mi_wlsmv_refs.json
bfi_model2 <- paste0(bfi_model, "\nA1 ~~ A2")
mi_cases <- list()
mi_case <- function(name, model, args, fit) {
  m <- as.data.frame(modindices(fit, sort. = TRUE)); rownames(m) <- NULL
  mi_cases[[name]] <<- list(data = "data_bfi.csv", model = model, args = args, mi = m)
}
mi_case("bfi_wlsmv", bfi_model, list(estimator = "WLSMV", ordered = TRUE),
        cfa(bfi_model, bf, ordered = names(bf), estimator = "WLSMV"))
mi_case("bfi_dwls_stdlv_rescov", bfi_model2, list(estimator = "DWLS", ordered = TRUE, std_lv = TRUE),
        cfa(bfi_model2, bf, ordered = names(bf), estimator = "DWLS", std.lv = TRUE))
write_json(mi_cases, file.path(HERE, "mi_wlsmv_refs.json"), digits = NA, auto_unbox = TRUE, na = "null")
cat("ok\n")
