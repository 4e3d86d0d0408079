# lavaan 0.6.14's answer to a model variable with no variance in one group (audit s25 cliaudit B1).
# Run from the repository root:  Rscript tests/sem/novar_refs/make_novar_ref.R
# Writes tests/sem/novar_refs/novar_lavaan.json: for each case, whether lavaan fitted and its error message.
suppressMessages({library(lavaan); library(jsonlite)})
d <- read.csv("tests/sem/ordinal_refs/wlsmv_groups_630.csv")
model <- "F1 =~ a1 + a2 + a3 + a4\nF2 =~ b1 + b2 + b3 + b4\nF2 ~ F1"
d$b4[d$G == "g2" & !is.na(d$b4)] <- 3           # every g2 case answered b4 alike
run <- function(...) {
  msg <- tryCatch({ sem(model, data = d, group = "G", ...); "" },
                  error = function(e) gsub("\\s+", " ", conditionMessage(e)))
  list(fitted = msg == "", error = msg)
}
out <- list(lavaan = as.character(packageVersion("lavaan")),
            fiml = run(missing = "ml"), listwise = run(missing = "listwise"))
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE), "tests/sem/novar_refs/novar_lavaan.json")
