# Reference modification indices and score tests from lavaan 0.6.14.
# Run from this folder:  Rscript make_refs.R
# Writes data_*.csv (the data each case is fitted on) and mi_refs.json.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
stopifnot(as.character(packageVersion("lavaan")) == "0.6.14")
HS <- HolzingerSwineford1939
hs <- HS[, c("school", "sex", "ageyr", paste0("x", 1:9))]
write.csv(hs, "data_hs.csv", row.names = FALSE)
pd <- PoliticalDemocracy
write.csv(pd, "data_pd.csv", row.names = FALSE)
# missing data (MCAR + MAR on x1) on the HS items, fixed seed
set.seed(20221)
hsm <- hs
for (v in paste0("x", 2:9)) hsm[runif(nrow(hsm)) < 0.10, v] <- NA
hsm$x9[hsm$x1 > quantile(hsm$x1, 0.8) & runif(nrow(hsm)) < 0.5] <- NA
write.csv(hsm, "data_hsmiss.csv", row.names = FALSE, na = "")

hs_model <- ' visual =~ x1 + x2 + x3
              textual =~ x4 + x5 + x6
              speed =~ x7 + x8 + x9 '
pd_model <- ' ind60 =~ x1 + x2 + x3
              dem60 =~ y1 + y2 + y3 + y4
              dem65 =~ y5 + y6 + y7 + y8
              dem60 ~ ind60
              dem65 ~ ind60 + dem60
              y1 ~~ y5 '
hsx_model <- ' visual =~ x1 + x2 + x3
               textual =~ x4 + x5 + x6
               visual ~ ageyr + sex
               textual ~ ageyr '

mi_df <- function(fit) {
  m <- modindices(fit, sort. = TRUE)
  m <- as.data.frame(m)
  rownames(m) <- NULL
  m
}
cases <- list()
add_case <- function(name, data_file, model, fit, args) {
  cases[[name]] <<- list(data = data_file, model = model, args = args, mi = mi_df(fit),
                         fmin = fitMeasures(fit, "fmin")[[1]], chisq = fitMeasures(fit, "chisq")[[1]])
}
t0 <- Sys.time()
fit <- cfa(hs_model, data = hs)
add_case("hs_ml", "data_hs.csv", hs_model, fit, list(estimator = "ML"))
fit <- cfa(hs_model, data = hs, estimator = "MLR")
add_case("hs_mlr", "data_hs.csv", hs_model, fit, list(estimator = "MLR"))
fit <- cfa(hs_model, data = hs, std.lv = TRUE)
add_case("hs_stdlv", "data_hs.csv", hs_model, fit, list(estimator = "ML", std_lv = TRUE))
fit <- sem(pd_model, data = pd)
add_case("pd_ml", "data_pd.csv", pd_model, fit, list(estimator = "ML"))
fit <- sem(hsx_model, data = hs)
add_case("hsx_ml", "data_hs.csv", hsx_model, fit, list(estimator = "ML"))
fit <- cfa(hs_model, data = hsm, missing = "ml")
add_case("hsmiss_fiml", "data_hsmiss.csv", hs_model, fit, list(estimator = "ML", missing = "fiml"))
fit <- cfa(hs_model, data = hsm, missing = "ml", estimator = "MLR")
add_case("hsmiss_mlr", "data_hsmiss.csv", hs_model, fit, list(estimator = "MLR", missing = "fiml"))
fit <- sem(hsx_model, data = hsm, missing = "ml")
add_case("hsxmiss_fiml", "data_hsmiss.csv", hsx_model, fit, list(estimator = "ML", missing = "fiml"))
fit <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
add_case("hs_groups_scalar", "data_hs.csv", hs_model, fit,
         list(estimator = "ML", group = "school", group_equal = c("loadings", "intercepts")))
# score tests: releasing the equality constraints of the scalar model, one at a time and all together
st <- lavTestScore(fit, epc = TRUE)
pt <- parTable(fit)
eqs <- pt[pt$op == "==", c("lhs", "op", "rhs")]
cases$hs_groups_scalar$score <- list(test = as.data.frame(st$test), uni = as.data.frame(st$uni),
                                     epc = as.data.frame(st$epc)[, c("lhs", "op", "rhs", "group", "epc")],
                                     constraints = eqs,
                                     plabels = pt[pt$plabel != "", c("lhs", "op", "rhs", "group", "plabel")])
# score test for adding parameters
fit1 <- cfa(hs_model, data = hs)
sa <- lavTestScore(fit1, add = "visual =~ x9\n x7 ~~ x8")
cases$hs_ml$score_add <- list(add = c("visual =~ x9", "x7 ~~ x8"), test = as.data.frame(sa$test),
                              uni = as.data.frame(sa$uni))
# the study's default model on the reference data (for the command-line test)
demo <- read.csv("../../reference/data/complete_800.csv")
demo_model <- paste(readLines("default_model.lav"), collapse = "\n")
fit <- sem(demo_model, data = demo)
add_case("demo_default", "../../reference/data/complete_800.csv", demo_model, fit, list(estimator = "ML"))
t1 <- Sys.time()
cat("lavaan seconds:", as.numeric(t1 - t0, units = "secs"), "\n")
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE), "mi_refs.json")
