# lavaan 0.6.14 abbreviates a constraint's name in summary()'s "Constraints:" block to 41 characters
# (.makeConNames: abbreviate(con.string, 41, strict = TRUE), R's left.kept rule). References:
#   constraints_abbrev_summary.txt: summary(fit) of PoliticalDemocracy (PoliticalDemocracy.csv, written by
#     make_constraints_summary_ref.R) with long labels, names of 37 to 61 characters;
#   constraints_abbrev.json: the model, the chisq, and R's abbreviate(x, 41, strict = TRUE) of texts of every
#     kind (spaces, capitals, digits, operators, non-ASCII letters), "x" and "abbr" per text.
# Run from this directory: Rscript make_constraints_abbrev_ref.R
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
stopifnot(packageVersion("lavaan") == "0.6.14")
d <- read.csv("PoliticalDemocracy.csv")
model <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + loading_of_dem60_on_y2*y2 + b_item*y3 + c_item*y4
  dem65 =~ y5 + loading_of_dem65_on_y6*y6 + e_loading_of_y7*y7 + f_loading_of_y8*y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y2 ~~ ResidualVarianceOfItemY2*y2
  y6 ~~ ResidualVarianceOfItemY6*y6
  ResidualVarianceOfItemY2 == ResidualVarianceOfItemY6
  loading_of_dem60_on_y2 == loading_of_dem65_on_y6
  b_item == 2*c_item - 1
  e_loading_of_y7 - f_loading_of_y8 == 0.1
  e_loading_of_y7 + f_loading_of_y8 == 2.11
'
fit <- sem(model, data = d)
writeLines(capture.output(summary(fit)), "constraints_abbrev_summary.txt")
x <- c("loading_of_dem60_on_y2 - (loading_of_dem65_on_y6)", "ResidualVarianceOfItemY2 - (ResidualVarianceOfItemY6)",
       "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AGAIN",
       "a1.g1+a2.g2+a3.g3+a4.g4+a5.g5+a6.g6 - (b1.g1*b2.g2*3)", "  padded text with   several   inner spaces here  ",
       "short - (name)", "exactly_forty_one_characters_long_name_xx", "exactly_forty_two_characters_long_name_xyz",
       "Verhaeltnis_aeiou_Uebergang_Oeffnung - (Aenderung_Zaehler)",
       "Zufriedenheit_\u00e4\u00f6\u00fc_Gesch\u00e4ftsf\u00fchrung - (Vertr\u00e4ge.mit.Partnern)",
       "x - (y)", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "a e i o u a e i o u a e i o u a e i o u a e i o u x")
abbr <- suppressWarnings(abbreviate(x, 41, strict = TRUE, named = FALSE))
write_json(list(model = model, chisq = unname(fitMeasures(fit, "chisq")), x = x, abbr = abbr),
           "constraints_abbrev.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
