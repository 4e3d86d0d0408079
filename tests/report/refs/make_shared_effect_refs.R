# lavaan 0.6.14 references for tests/report/test_shared_effects.py: the standardized value of a `:=` effect whose
# labels the groups share (written once, `textual ~ a*visual`, so equal across groups). lavaan's
# standardizedSolution() evaluates the definition on the standardized parameters of the first row carrying each
# label, the first group's; its std.all is that group's standardized effect. Refitting with the groups in the
# other order (group.label) makes the other group the first, so lavaan itself gives that group's value.
#
#   Rscript tests/report/refs/make_shared_effect_refs.R      (from the repository root)
#
# Writes shared_effect_refs.json next to this script: the model; `estimates` of the fit in lavaan's group order
# (Pasteur, Grant-White): lhs op rhs group (its label) label est se std.all; `std_first` and `std_other`:
# std.all of ind and tot in the fit in that order and in the fit with the order reversed (Grant-White first).
# `mixed`: a model whose effects use a per-group label and a shared one (`textual ~ c(a1, a2)*visual`,
# `speed ~ b*textual`, ind1 := a1*b, ind2 := a2*b): lavaan's std.all of ind2 takes Grant-White's a2 and Pasteur's
# b; refitted with Grant-White first (the labels follow the order: a1 is then Grant-White's), lavaan's std.all of
# ind1 is the same effect standardized within Grant-White. Stored: the first fit's estimates, its std.all of ind1
# and ind2, and the reversed fit's std.all of ind1.
library(lavaan)
library(jsonlite)
stopifnot(packageVersion("lavaan") == "0.6.14")
HERE <- "tests/report/refs"  # run from the repository root
hs <- read.csv("tests/reference/data/hs1939.csv")
m <- paste("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9",
           "textual ~ a*visual", "speed ~ b*textual + visual", "ind := a*b", "tot := ind + 0.5*a", sep = "\n")
f1 <- sem(m, hs, group = "school")
f2 <- sem(m, hs, group = "school", group.label = rev(lavInspect(f1, "group.label")))
std <- standardizedSolution(f1)
labs <- lavInspect(f1, "group.label")
# a fit's estimates with std.all from its standardized solution (rows in parameterEstimates() order)
est_table <- function(fit, s) {
  pe <- parameterEstimates(fit)
  data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = ifelse(pe$group > 0, labs[pmax(pe$group, 1)], ""),
             label = pe$label, est = pe$est, se = pe$se, std.all = s$est.std)
}
est <- est_table(f1, std)
s2 <- standardizedSolution(f2)
pick <- function(s, nm) s$est.std[s$op == ":=" & s$lhs == nm]
mm <- paste("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9",
            "textual ~ c(a1, a2)*visual", "speed ~ b*textual + visual", "ind1 := a1*b", "ind2 := a2*b", sep = "\n")
f3 <- sem(mm, hs, group = "school")
f4 <- sem(mm, hs, group = "school", group.label = rev(lavInspect(f3, "group.label")))
s3 <- standardizedSolution(f3)
s4 <- standardizedSolution(f4)
est3 <- est_table(f3, s3)
writeLines(toJSON(list(model = m, groups = labs, estimates = est,
                       std_first = list(ind = pick(std, "ind"), tot = pick(std, "tot")),
                       std_other = list(ind = pick(s2, "ind"), tot = pick(s2, "tot")),
                       other_group = lavInspect(f2, "group.label")[1],
                       mixed = list(model = mm, estimates = est3, ind1 = pick(s3, "ind1"), ind2 = pick(s3, "ind2"),
                                    ind1_other_first = pick(s4, "ind1"))),
                  digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path(HERE, "shared_effect_refs.json"))
