# lavaan 0.6.14's post-fit check never looks at the residual matrix of ordered items (lav_object_post_check
# checks THETA[num.idx, num.idx], the continuous ones): on theta_not_pd_300.csv (300 rows, five 4-category
# items, y1 and y2 sharing more than one factor allows; made by a seeded normal draw cut at -1, 0, 1) the
# residual matrix of y1, y2 is not positive definite, and lavaan says nothing.
# Run from this folder: Rscript make_theta_pd_refs.R  ->  theta_pd_refs.json
library(lavaan)
library(jsonlite)
d <- read.csv("theta_not_pd_300.csv")
model <- "F =~ y1 + y2 + y3 + y4 + y5\ny1 ~~ y2"
out <- list(lavaan = as.character(packageVersion("lavaan")))
for (p in c("delta", "theta")) {
  w <- character(0)
  fit <- withCallingHandlers(sem(model, d, ordered = names(d), parameterization = p),
                             warning = function(m) { w <<- c(w, conditionMessage(m)); invokeRestart("muffleWarning") })
  th <- lavInspect(fit, "theta")
  pe <- parameterEstimates(fit)
  out[[p]] <- list(post_check = lavInspect(fit, "post.check"), warnings = w,
                   min_eigen_theta = min(eigen(th, symmetric = TRUE, only.values = TRUE)$values),
                   y1y2 = pe$est[pe$lhs == "y1" & pe$op == "~~" & pe$rhs == "y2"])
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "theta_pd_refs.json")
