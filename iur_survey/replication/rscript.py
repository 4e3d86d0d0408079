"""``replicate.R``: refit the model with lavaan and compare every table with ours.

The script finds its own directory (``Rscript replicate.R`` from anywhere),
reads ``data.csv`` and ``model.lav``, fits with the options of our fit
(estimator, ``missing = "ml"``, ``"ml.x"`` or ``"listwise"``, ``group``, ``group.equal``,
``se`` / ``bootstrap`` + ``iseed``, ``information``), writes lavaan's tables to
``lavaan/estimates.csv`` (``parameterEstimates(fit, standardized = TRUE)``; the
estimates table also compares ``standardizedSolution(fit)``'s se, z, pvalue and CI
with ours' ``std.all.se`` ... columns, or prints a note saying why not),
``lavaan/fit.csv`` (``fitMeasures(fit)``), ``lavaan/r2.csv`` and all three to
``lavaan/lavaan.json``, then compares them with ``ours.json`` within the
tolerances stored there and prints PASS / FAIL per table; a multi-group fit's
``group_path_tests`` (the Wald test per structural path that it is equal in every
group, Holm, the joint test) are recomputed by ``lavTestWald()`` with the same
constraints and compared too (``paths_eq``; not with bootstrap SEs: other draws).  Exit status 0 when
every table passes, 1 on a FAIL, 2 when it cannot run (a package is missing,
the fit fails).

>>> s = replicate_script({"estimator": "ML", "missing": "fiml", "group": None, "group_equal": [],
...                       "se": "standard", "information": None, "bootstrap": None})
>>> 'sem(model, data = data, estimator = "ML", missing = "ml")' in s
True
"""

from __future__ import annotations

from typing import Any, Mapping

from ..sem.table import is_fiml, keeps_x_rows

__all__ = ["fit_script", "lavaan_syntax_for", "result_options", "replicate_script", "lavaan_call_args",
           "invariance_lavaan_args", "r_preamble", "sem_call"]

_TEMPLATE = r"""#!/usr/bin/env Rscript
# replicate.R -- refit the iur-survey model with lavaan and compare every table with ours.json.
#   Rscript replicate.R                 (from any directory)
# Exit status: 0 = every table PASS, 1 = some FAIL, 2 = cannot run.
# Written by iur-survey @@VERSION@@ (export-replication).

@@PREAMBLE@@
fit <- tryCatch(
  @@CALL@@,
  error = function(e) { cat("CANNOT RUN: lavaan failed:", conditionMessage(e), "\n"); quit(save = "no", status = 2) })

# ---------------------------------------------------------------- lavaan's tables
pe <- parameterEstimates(fit, standardized = TRUE@@PE_ARGS@@)
# a parameter pinned at a number by == (e.g. model.lav's `l1 == 1` for a := that uses a fixed parameter's label):
# its variance is zero up to rounding, which lavaan's sqrt makes NA when the rounding falls below 0 (-7e-19):
# compared as the SE 0 and the CI at the value it has
pinned <- local({ pt <- parTable(fit); pt$lhs[pt$op == "==" & !is.na(suppressWarnings(as.numeric(pt$rhs)))] })
pin <- which(pe$label %in% pinned & !(pe$op %in% c("==", "<", ">", ":=")) & is.na(pe$se))
if (length(pin)) { pe$se[pin] <- 0; pe$ci.lower[pin] <- pe$est[pin]; pe$ci.upper[pin] <- pe$est[pin] }
pe <- pe[!(pe$op %in% c("==", "<", ">")), , drop = FALSE]
glab <- lavInspect(fit, "group.label")
if (!("group" %in% names(pe))) pe$group <- 1L
pe$group.label <- if (length(glab)) ifelse(pe$group > 0, glab[pmax(pe$group, 1L)], "") else ""
fm <- fitMeasures(fit)
r2 <- lavInspect(fit, "r2")
if (!is.list(r2)) r2 <- list(r2)
if (length(glab) == 0) names(r2) <- "" else names(r2) <- glab
r2tab <- do.call(rbind, lapply(seq_along(r2), function(i)
  data.frame(group = rep(names(r2)[i], length(r2[[i]])), variable = names(r2[[i]]), r2 = as.numeric(r2[[i]]),
             stringsAsFactors = FALSE)))

dir.create(p("lavaan"), showWarnings = FALSE)
write.csv(pe, p("lavaan", "estimates.csv"), row.names = FALSE)
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), p("lavaan", "fit.csv"), row.names = FALSE)
write.csv(r2tab, p("lavaan", "r2.csv"), row.names = FALSE)
jsonlite::write_json(list(lavaan = as.character(packageVersion("lavaan")),
                          converged = lavInspect(fit, "converged"),
                          estimates = pe, fit = as.list(unclass(fm)), r2 = r2tab),
                     p("lavaan", "lavaan.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)

# lavaan 0.6.14 reports the SE (z, p) of a := parameter as NA once a bootstrap draw failed: it takes cov() of the
# draws with their NA rows (its bug #273, fixed in 0.6-16 by dropping them first, iur-survey's rule); recomputed
# here by that rule for the comparison (lavaan's files above keep its NA), and said so
boot_note <- ""
if (identical(fit@Options$se, "bootstrap") && any(pe$op == ":=")) {
  BOOT <- lavInspect(fit, "boot")
  err <- attr(BOOT, "error.idx")
  di <- which(pe$op == ":=")
  fix <- di[is.na(pe$se[di])]
  if (length(err) && length(fix) && nrow(BOOT) - length(err) > 1L) {
    D <- matrix(apply(BOOT[-err, , drop = FALSE], 1L, fit@Model@def.function), nrow = length(di))
    pe$se[fix] <- apply(D, 1L, sd)[match(fix, di)]
    pe$z[fix] <- pe$est[fix] / pe$se[fix]
    pe$pvalue[fix] <- 2 * (1 - pnorm(abs(pe$z[fix])))
    boot_note <- sprintf(paste("%d of %d lavaan bootstrap draws failed or did not converge: the SE of %d := row(s),",
                               "NA in lavaan 0.6.14 (its bug #273), is recomputed from the %d others (lavaan 0.6-16)"),
                         length(err), nrow(BOOT), length(fix), nrow(BOOT) - length(err))
  }
}

# bootstrap: the Monte Carlo SD of lavaan's SEs (kurtosis of its draws) and percentile limits (density of its
# draws at the quantile), row by row; ours has as much, so the two runs may differ by tol$boot_z x sqrt(2) x it
# (or the normal-theory floor tol$se_rel / tol$ci_se, whichever is more)
mc_se <- rep(0, nrow(pe)); mc_lo <- rep(0, nrow(pe)); mc_hi <- rep(0, nrow(pe))
if (identical(fit@Options$se, "bootstrap") && !is.null(tol$boot_z)) {
  BT <- lavInspect(fit, "boot")
  bad <- attr(BT, "error.idx")
  if (length(bad)) BT <- BT[-bad, , drop = FALSE]
  pt <- parTable(fit)
  col_of <- pt$free
  di <- which(pt$op == ":=")
  if (length(di) && nrow(BT) > 1L) {
    BT <- cbind(BT, matrix(t(apply(BT, 1L, fit@Model@def.function)), nrow = nrow(BT)))
    col_of[di] <- max(pt$free) + seq_along(di)
  }
  bkey <- function(x) paste(x$lhs, x$op, x$rhs, ifelse(x$op == ":=", "", x$group))
  col_of <- col_of[match(bkey(pe), bkey(pt))]
  for (i in which(!is.na(col_of) & col_of > 0L & col_of <= ncol(BT))) {
    x <- BT[, col_of[i]]
    x <- x[is.finite(x)]
    if (length(x) < 10L || sd(x) == 0) next
    s <- sqrt(mean((x - mean(x))^2))
    mc_se[i] <- sqrt(max(mean((x - mean(x))^4) - s^4, 0) / (4 * length(x))) / s
    dens <- density(x)
    f <- approx(dens$x, dens$y, xout = quantile(x, c(0.025, 0.975), names = FALSE), rule = 2)$y
    mc_lo[i] <- sqrt(0.025 * 0.975 / length(x)) / max(f[1], 1e-12)
    mc_hi[i] <- sqrt(0.025 * 0.975 / length(x)) / max(f[2], 1e-12)
  }
}
zb <- if (is.null(tol$boot_z)) 0 else tol$boot_z * sqrt(2)

# ---------------------------------------------------------------- comparison
status <- 0L
report <- function(table, ok, detail) {
  cat(sprintf("%-4s %-10s %s\n", if (ok) "PASS" else "FAIL", table, detail))
  if (!ok) status <<- 1L
}
keyof <- function(lhs, op, rhs, g) paste(lhs, op, ifelse(op == ":=", "", rhs), nz(g), sep = "|")

# estimates
oe <- as.data.frame(ours$estimates, stringsAsFactors = FALSE)
if (!("group" %in% names(oe))) oe$group <- ""
oe$group[oe$op == ":="] <- ""
ko <- keyof(oe$lhs, oe$op, oe$rhs, oe$group)
kl <- keyof(pe$lhs, pe$op, pe$rhs, ifelse(pe$op == ":=", "", pe$group.label))
only_l <- setdiff(kl, ko); only_o <- setdiff(ko, kl)
m <- match(ko, kl)
worst <- list()
bad_rows <- character(0)
# ours.json's column `col` against lavaan's `b` (by default parameterEstimates' column of that name)
check_col <- function(col, allowed, b = num(pe[[col]][m]), have = col %in% names(pe)) {
  if (!(col %in% names(oe)) || !have) return(invisible())
  a <- num(oe[[col]])
  d <- absdiff(a, b)
  excess <- d / allowed
  excess[is.na(excess)] <- Inf
  worst[[col]] <<- max(c(0, d[is.finite(d)]))
  if (any(excess > 1)) {
    i <- which(excess > 1)
    bad_rows <<- c(bad_rows, sprintf("%s %s: ours %.6g lavaan %.6g (allowed %.2g)",
                                     ko[i], col, a[i], b[i], allowed[i]))
  }
}
if (length(only_l) || length(only_o)) {
  report("estimates", FALSE, sprintf("rows differ: only in lavaan: %s; only in ours: %s",
                                     paste(head(only_l, 5), collapse = ", "), paste(head(only_o, 5), collapse = ", ")))
} else {
  se_l <- num(pe$se[m])
  # estimates: est_abs plus est_se of lavaan's SE (its optimizer stops that close where the likelihood is flat);
  # a standardized value scales that part by its ratio to the estimate
  sl <- abs(se_l); sl[is.na(sl)] <- 0
  e_tol <- tol$est_abs + (if (is.null(tol$est_se)) 0 else tol$est_se) * sl
  ratio <- function(col) { r <- abs(num(pe[[col]][m]) / num(pe$est[m])); r[!is.finite(r)] <- 0; r }
  check_col("est", e_tol)
  check_col("std.lv", tol$std_abs + (e_tol - tol$est_abs) * ratio("std.lv"))
  check_col("std.all", tol$std_abs + (e_tol - tol$est_abs) * ratio("std.all"))
  se_tol <- pmax(tol$se_rel * sl, zb * mc_se[m] * sl, tol$se_abs)
  check_col("se", se_tol)
  if (!identical(tol$ci_compare, FALSE)) {
    check_col("ci.lower", e_tol + pmax(tol$ci_se * pmax(sl, tol$se_abs), zb * mc_lo[m]))
    check_col("ci.upper", e_tol + pmax(tol$ci_se * pmax(sl, tol$se_abs), zb * mc_hi[m]))
  }
  # p values: what the allowed differences of est and se imply (dp = 2 phi(z) dz), plus pvalue_abs
  z_l <- num(pe$z[m]); z_l[is.na(z_l)] <- 0
  check_col("pvalue", 2 * dnorm(z_l) * (abs(z_l) * se_tol / pmax(sl, tol$se_abs) + e_tol / pmax(sl, tol$se_abs)) +
              tol$pvalue_abs)
  # standardizedSolution(fit): the delta-method se of std.all on lavaan's vcov (the bootstrap one when
  # se = "bootstrap", as ours), z, p, normal 95% CI; ours are results.json's std.all.se ... (as reported).
  # Tolerances scaled as the std.all one: se_rel of the std se (or the kurtosis of the draws of the row's
  # parameter, as its se), the CI what the allowed std.all and its se imply, z and p likewise
  ss <- tryCatch(standardizedSolution(fit, type = "std.all"), error = function(e) NULL)
  ss_note <- if (!("std.all.se" %in% names(oe)) || all(is.na(num(oe[["std.all.se"]])))) {
    "ours.json has no std.all.se (results.json without standardizedSolution columns)"
  } else if (is.null(ss) || !("se" %in% names(ss))) "lavaan's standardizedSolution(fit) has no se here" else ""
  if (nzchar(ss_note)) {
    cat("     note: standardizedSolution se, z, pvalue, ci.lower, ci.upper NOT compared:", ss_note, "\n")
  } else {
    ss <- ss[!(ss$op %in% c("==", "<", ">")), , drop = FALSE]
    if (!("group" %in% names(ss))) ss$group <- 1L
    ks <- keyof(ss$lhs, ss$op, ss$rhs, ifelse(ss$op == ":=" | !length(glab), "", glab[pmax(ss$group, 1L)]))
    ms <- match(ko, ks)
    if (anyNA(ms)) bad_rows <- c(bad_rows, sprintf("%s: not in lavaan's standardizedSolution()", ko[is.na(ms)]))
    sol <- function(col) num(ss[[col]][ms])
    ssl <- abs(sol("se")); ssl[is.na(ssl)] <- 0
    s_tol <- tol$std_abs + (e_tol - tol$est_abs) * ratio("std.all")
    sse_tol <- pmax(tol$se_rel * ssl, zb * mc_se[m] * ssl, tol$se_abs)
    check_col("std.all.se", sse_tol, sol("se"), TRUE)
    check_col("std.all.ci.lower", s_tol + qnorm(0.975) * sse_tol, sol("ci.lower"), TRUE)
    check_col("std.all.ci.upper", s_tol + qnorm(0.975) * sse_tol, sol("ci.upper"), TRUE)
    zs <- sol("z"); zs[is.na(zs)] <- 0
    dz <- (abs(zs) * sse_tol + s_tol) / pmax(ssl, tol$se_abs)
    check_col("std.all.z", dz, sol("z"), TRUE)
    check_col("std.all.pvalue", 2 * dnorm(zs) * dz + tol$pvalue_abs, sol("pvalue"), TRUE)
  }
  ok <- length(bad_rows) == 0
  report("estimates", ok, sprintf("%d rows; max |diff| %s", nrow(oe),
                                  paste(sprintf("%s %.2g", names(worst), unlist(worst)), collapse = ", ")))
  if (!ok) cat(paste0("       ", head(bad_rows, 20), collapse = "\n"), "\n")
  if (nzchar(boot_note)) cat("     note:", boot_note, "\n")
}

# fit measures
of <- vapply(ours$fit, function(x) if (is.null(x)) NA_real_ else as.numeric(x), numeric(1))   # null = NA
common <- intersect(names(of), names(fm))
fv <- as.numeric(fm[common]); ov <- as.numeric(of[common])
allowed <- fit_allowed(fv)
d <- absdiff(ov, fv)
isbad <- which(d > allowed)
bad <- common[isbad]
missing_core <- setdiff(tol$fit_required, common)
ok <- length(bad) == 0 && length(missing_core) == 0
report("fit", ok, sprintf("%d measures compared (of %d lavaan reports)%s", length(common), length(fm),
                          if (length(missing_core)) paste0("; not compared: ", paste(missing_core, collapse = ", ")) else ""))
if (length(bad)) cat(paste0("       ", sprintf("%s: ours %.8g lavaan %.8g (allowed %.2g)", bad, ov[isbad],
                                              fv[isbad], allowed[isbad]), collapse = "\n"), "\n")

# r2
orr <- as.data.frame(ours$r2, stringsAsFactors = FALSE)
orr$group <- nz(orr$group)
k1 <- paste(orr$group, orr$variable); k2 <- paste(nz(r2tab$group), r2tab$variable)
if (!setequal(k1, k2)) {
  report("r2", FALSE, sprintf("variables differ: lavaan %s; ours %s", paste(head(setdiff(k2, k1), 5), collapse = ", "),
                              paste(head(setdiff(k1, k2), 5), collapse = ", ")))
} else {
  a <- num(orr$r2); b <- r2tab$r2[match(k1, k2)]
  d <- absdiff(a, b)                    # both NA: an improper solution's r2 (a negative residual variance)
  report("r2", all(d <= tol$r2_abs), sprintf("%d values; max |diff| %.2g", length(d), if (length(d)) max(d) else 0))
}

# group_path_tests (fit --group): for each structural path the Wald test that it is equal in every group, lavaan's
#   lavTestWald() with the same constraints (the path's row in group 1 == its row in group k, by lavaan's plabels, for
#   every group k whose row is free and not already held equal by a label, group.equal or a model '==' line: a
#   difference without sampling variance in lavaan's vcov), Holm's adjustment over the
#   tested paths (p.adjust) and the joint test of all those constraints at once.  Allowed: the fit measures' tolerance
#   plus what the SE tolerance implies (a Wald statistic scales as 1 / SE^2: 2 x se_rel of it); p values what that
#   implies (the chi-square density times it), Holm's times the number of tests
gpt <- ours$group_path_tests
if (!is.null(gpt) && is.null(gpt$error) && !is.null(gpt$paths)) {
  if (identical(fit@Options$se, "bootstrap")) {
    cat("     note: group_path_tests NOT compared: their covariance of the estimates is a bootstrap one, and lavaan",
        "draws other resamples\n")
  } else {
    ptab <- parTable(fit)
    VCOV <- unclass(lavInspect(fit, "vcov"))
    gp <- as.data.frame(gpt$paths, stringsAsFactors = FALSE)
    wald_allowed <- function(b) fit_allowed(b) + 2 * tol$se_rel * abs(b)
    bad_w <- character(0); all_con <- character(0)
    pv <- rep(NA_real_, nrow(gp))
    reg <- unique(paste(ptab$lhs, ptab$op, ptab$rhs)[ptab$op == "~" & ptab$group > 0L])
    if (!setequal(reg, paste(gp$lhs, gp$op, gp$rhs)))
      bad_w <- c(bad_w, sprintf("paths differ: lavaan %s; ours %s", paste(reg, collapse = ", "),
                                paste(paste(gp$lhs, gp$op, gp$rhs), collapse = ", ")))
    cmp <- function(what, a, b, allowed) {
      if (absdiff(num(a), num(b), both_na = 0) > allowed)
        bad_w <<- c(bad_w, sprintf("%s: ours %.6g lavaan %.6g (allowed %.2g)", what, num(a), num(b), allowed))
    }
    for (i in seq_len(nrow(gp))) {
      rows <- which(ptab$lhs == gp$lhs[i] & ptab$op == gp$op[i] & ptab$rhs == gp$rhs[i] & ptab$group > 0L)
      rows <- rows[order(ptab$group[rows])]
      r1 <- rows[1]; rk <- rows[-1]
      held <- nzchar(ptab$label[rk]) & ptab$label[rk] == ptab$label[r1]       # a shared label, or group.equal's
      # or a model '==' line: the difference then has no sampling variance
      held <- held | vapply(rk, function(r) {
        a <- ptab$free[r1]; b <- ptab$free[r]
        if (a <= 0L || b <= 0L) return(FALSE)
        VCOV[a, a] + VCOV[b, b] - 2 * VCOV[a, b] <= 1e-10 * (VCOV[a, a] + VCOV[b, b])
      }, logical(1))
      rk <- rk[ptab$free[rk] > 0L & !held]
      con <- if (ptab$free[r1] > 0L && length(rk)) paste(ptab$plabel[r1], "==", ptab$plabel[rk]) else character(0)
      what <- paste(gp$lhs[i], gp$op[i], gp$rhs[i])
      cmp(paste(what, "df"), gp$df[i], length(con), 0)
      if (!length(con)) next
      w <- lavTestWald(fit, paste(con, collapse = "\n"))
      all_con <- c(all_con, con)
      pv[i] <- w$p.value
      cmp(paste(what, "Wald"), gp$Wald[i], w$stat, wald_allowed(w$stat))
      cmp(paste(what, "pvalue"), gp$pvalue[i], w$p.value,
          tol$pvalue_abs + dchisq(w$stat, w$df) * wald_allowed(w$stat))
    }
    tested <- which(!is.na(pv))
    if (length(tested)) {
      holm <- p.adjust(pv[tested], method = "holm")
      for (j in seq_along(tested)) {
        i <- tested[j]
        cmp(paste(gp$lhs[i], gp$op[i], gp$rhs[i], "pvalue.holm"), gp[["pvalue.holm"]][i], holm[j],
            length(tested) * (tol$pvalue_abs + 2 * dchisq(num(gp$Wald[i]), num(gp$df[i])) *
                              wald_allowed(num(gp$Wald[i]))))
      }
    }
    cmp("joint df", gpt$joint$df, length(all_con), 0)
    if (length(all_con)) {
      wj <- lavTestWald(fit, paste(all_con, collapse = "\n"))
      cmp("joint Wald", gpt$joint$Wald, wj$stat, wald_allowed(wj$stat))
      cmp("joint pvalue", gpt$joint$pvalue, wj$p.value, tol$pvalue_abs + dchisq(wj$stat, wj$df) * wald_allowed(wj$stat))
    }
    report("paths_eq", length(bad_w) == 0,
           sprintf("%d path%s (%d tested): Wald tests of equality across groups, Holm, joint (lavTestWald)",
                   nrow(gp), if (nrow(gp) == 1L) "" else "s", length(tested)))
    if (length(bad_w)) cat(paste0("       ", head(bad_w, 20), collapse = "\n"), "\n")
  }
}

# measurement invariance (fit --invariance): each step refitted as the package fitted it, each compared
#   ML / MLR: cfa(measurement.lav, group.equal = ..., group.partial = the step's freed parameters); ordinal
#   (WLSMV, Wu & Estabrook 2016): each step's complete
#   lavaan syntax, invariance/<step>.lav, fitted with lavaan(); the difference tests with lavTestLRT()
INV_FILES <- @@INV_FILES@@
INV_FITTED <- @@INV_FITTED@@
INV_LRT <- @@INV_LRT@@
if (!is.null(ours$invariance) && (!is.null(INV_FILES) || file.exists(p("measurement.lav")))) {
  inv <- ours$invariance
  if (is.null(INV_FILES)) mmodel <- paste(readLines(p("measurement.lav"), warn = FALSE), collapse = "\n")
  fits <- vector("list", length(inv$step)); bad_inv <- character(0); notes_inv <- character(0)
  for (i in seq_along(inv$step)) {
    if (!INV_FITTED[i]) {
      notes_inv <- c(notes_inv, sprintf("%s: not fitted by iur-survey (results.json says why), not refitted",
                                        inv$step[i]))
      next
    }
    f <- tryCatch(
      if (is.null(INV_FILES)) {
        ge <- unlist(inv$group_equal[[i]])
        gp <- unlist(inv$group_partial[[i]])          # the parameters --free released in this step (group.partial)
        do.call("cfa", c(list(model = mmodel, data = data), @@INV_ARGS@@,
                         list(group.equal = if (length(ge)) ge else ""),
                         if (length(gp)) list(group.partial = gp) else list()))
      } else {
        do.call("lavaan", c(list(model = paste(readLines(p(INV_FILES[i]), warn = FALSE), collapse = "\n"),
                                 data = data), @@INV_ARGS@@))
      },
      error = function(e) { bad_inv <<- c(bad_inv, sprintf("%s: lavaan failed: %s", inv$step[i],
                                                           conditionMessage(e))); NULL })
    if (is.null(f)) next
    if (!lavInspect(f, "converged")) {
      bad_inv <- c(bad_inv, sprintf("%s: lavaan did not converge", inv$step[i]))
      next
    }
    fits[i] <- list(f)
    fmi <- fitMeasures(f)
    for (k in intersect(names(inv$fit), names(fmi))) {
      a <- num(inv$fit[[k]][i]); b <- as.numeric(fmi[k])
      if (absdiff(a, b) > fit_allowed(b)) bad_inv <- c(bad_inv, sprintf("%s %s: ours %.6g lavaan %.6g",
                                                                       inv$step[i], k, a, b))
    }
    if (i > 1 && !is.null(fits[[i - 1]]) && !is.null(inv$test) && !is.na(num(inv$test[["chisq.diff"]][i]))) {
      lr <- do.call("lavTestLRT", c(list(fits[[i - 1]], f), INV_LRT[[i]]))
      for (k in list(c("chisq.diff", "Chisq diff"), c("df.diff", "Df diff"), c("pvalue", "Pr(>Chisq)"))) {
        a <- num(inv$test[[k[1]]][i]); b <- as.numeric(lr[[k[2]]][2])
        if (absdiff(a, b, both_na = Inf) > fit_allowed(b)) bad_inv <- c(bad_inv, sprintf("%s %s: ours %.6g lavaan %.6g",
                                                                                          inv$step[i], k[1], a, b))
      }
    }
  }
  report("invariance", length(bad_inv) == 0,
         sprintf("%d steps (%s): fit measures and difference tests", sum(INV_FITTED),
                 paste(inv$step[INV_FITTED], collapse = ", ")))
  if (length(bad_inv)) cat(paste0("       ", head(bad_inv, 20), collapse = "\n"), "\n")
  if (length(notes_inv)) cat(paste0("     note: ", notes_inv, collapse = "\n"), "\n")
}

cat(if (status == 0L) "ALL PASS\n" else "SOME TABLES FAIL\n")
quit(save = "no", status = status)
"""


_PACK_HEAD = r"""args_all <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
here <- if (length(file_arg)) dirname(normalizePath(file_arg[1])) else getwd()
p <- function(...) file.path(here, ...)

for (pkg in c("lavaan", "jsonlite")) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    cat(sprintf("CANNOT RUN: R package '%s' is not installed (install.packages(\"%s\"))\n", pkg, pkg))
    quit(save = "no", status = 2)
  }
}
"""

_PACK_VERSION = r"""WANT_LAVAAN <- "@@LAVAAN@@"
if (as.character(packageVersion("lavaan")) != WANT_LAVAAN) {
  cat(sprintf("note: lavaan %s here; the pack was made against lavaan %s\n",
              as.character(packageVersion("lavaan")), WANT_LAVAAN))
}

"""

_PACK_INPUTS = r"""model <- paste(readLines(p("model.lav"), warn = FALSE), collapse = "\n")
ours <- jsonlite::fromJSON(p("ours.json"), simplifyVector = TRUE)
tol <- ours$tolerances

# the comparison's helpers: numbers from JSON / CSV; group labels; |ours - lavaan| (0 where both are NA unless
# both_na says otherwise, Inf where one is); a fit measure's allowed difference
num <- function(x) suppressWarnings(as.numeric(x))
nz <- function(x) { x <- as.character(x); x[is.na(x)] <- ""; x }
absdiff <- function(a, b, both_na = 0) { d <- abs(a - b); d[is.na(a) & is.na(b)] <- both_na; d[is.na(d)] <- Inf; d }
fit_allowed <- function(b) pmax(tol$fit_abs, tol$fit_rel * abs(b), na.rm = TRUE)
"""


def r_preamble(*, data: str = "data", read_csv: str | None = None, lavaan_version: str | None = None,
               pack: bool = False) -> str:
    """The head of every R script the package writes: the library call, the reading of the data into ``data``
    and, for a pack's ``replicate.R`` (``pack=True``), its own directory, the check of the packages it needs
    (exit 2), a note when the local lavaan is not ``lavaan_version``, the model, ``ours.json``, its tolerances
    and the comparison's helpers (``num``, ``nz``, ``absdiff``, ``fit_allowed``).

    >>> print(r_preamble(data="dat", read_csv="clean.csv", lavaan_version="0.6.14"), end="")
    library(lavaan)   # lavaan 0.6.14
    dat <- read.csv("clean.csv")
    >>> s = r_preamble(read_csv="data.csv", lavaan_version="0.6.14", pack=True)
    >>> 'data <- read.csv(p("data.csv"), stringsAsFactors = FALSE, check.names = FALSE)' in s, "absdiff <-" in s
    (True, True)
    """
    if not pack:
        out = "library(lavaan)" + (f"   # lavaan {lavaan_version}" if lavaan_version else "") + "\n"
        return out + (f"{data} <- read.csv({_r_str(read_csv)})\n" if read_csv is not None else "")
    out = _PACK_HEAD + "suppressPackageStartupMessages(library(lavaan))\n"
    out += _PACK_VERSION.replace("@@LAVAAN@@", lavaan_version or "0.6.14")
    if read_csv is not None:
        out += f"{data} <- read.csv(p({_r_str(read_csv)}), stringsAsFactors = FALSE, check.names = FALSE)\n"
    return out + _PACK_INPUTS


def _r_str(x: str) -> str:
    return '"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"'


def lavaan_call_args(options: Mapping[str, Any]) -> list[str]:
    """The ``sem()`` arguments after ``model, data`` for our fit's options.

    >>> lavaan_call_args({"estimator": "MLR", "missing": "listwise", "group": "role",
    ...                   "group_equal": ["loadings"], "se": "robust.huber.white", "bootstrap": None})
    ['estimator = "MLR"', 'group = "role"', 'group.equal = c("loadings")']
    >>> lavaan_call_args({"estimator": "ML", "missing": "fiml", "se": "bootstrap",
    ...                   "bootstrap": {"R": 500, "seed": 7}})
    ['estimator = "ML"', 'missing = "ml"', 'se = "bootstrap"', 'bootstrap = 500L', 'iseed = 7L']
    >>> lavaan_call_args({"estimator": "MLR", "missing": "ml.x"})
    ['estimator = "MLR"', 'missing = "ml.x"']
    """
    est = str(options.get("estimator") or "ML").upper()
    args = [f"estimator = {_r_str(est)}"]
    ordered = options.get("ordered")
    if ordered is True:
        args.append("ordered = TRUE")
    elif ordered:
        names = [ordered] if isinstance(ordered, str) else list(ordered)
        args.append(f"ordered = {_r_value(names)}")
    if is_fiml(options.get("missing")):
        args.append('missing = "ml.x"' if keeps_x_rows(options.get("missing")) else 'missing = "ml"')
    if options.get("missing") == "pairwise":            # ordered items (lavaan's default is listwise)
        args.append('missing = "pairwise"')
    if options.get("parameterization") == "theta":
        args.append('parameterization = "theta"')
    if options.get("group"):
        args.append(f"group = {_r_str(options['group'])}")
        ge = list(options.get("group_equal") or [])
        if ge:
            args.append(f"group.equal = {_r_value(ge)}")
        gp = list(options.get("group_partial") or [])
        if gp:
            args.append(f"group.partial = {_r_value(gp)}")
    se = options.get("se")
    boot = options.get("bootstrap")
    default_se = {"MLR": "robust.huber.white", "WLSMV": "robust.sem"}.get(est, "standard")
    if boot:
        args.append('se = "bootstrap"')
        args.append(f"bootstrap = {int(boot.get('R') or boot.get('B') or 1000)}L")
        if boot.get("seed") is not None:      # R's integer range; R draws its own resamples anyway
            args.append(f"iseed = {int(boot['seed']) % 2147483647}L")
    elif se and se != default_se:
        args.append(f"se = {_r_str(se)}")
    if options.get("meanstructure"):
        args.append("meanstructure = TRUE")
    info = options.get("information")
    default_info = "observed" if (est == "MLR" or is_fiml(options.get("missing"))) else "expected"
    if info and info != default_info and est in ("ML", "MLR"):
        args.append(f"information = {_r_str(info)}")
    return args


def sem_call(options: Mapping[str, Any], data: str = "data") -> str:
    """The R call ``sem(model, data = <data>, ...)`` with :func:`lavaan_call_args` of ``options``.

    >>> sem_call({"estimator": "MLR", "missing": "fiml"}, "dat")
    'sem(model, data = dat, estimator = "MLR", missing = "ml")'
    """
    return f"sem(model, data = {data}, " + ", ".join(lavaan_call_args(options)) + ")"


def _r_value(x: Any) -> str:
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, (list, tuple)):
        return "c(" + ", ".join(_r_value(v) for v in x) + ")"
    return _r_str(x)


def _r_list(d: Mapping[str, Any]) -> str:
    """An R ``list(...)`` of ``d`` (names as R arguments).

    >>> _r_list({"method": "satorra.2000", "scaled.shifted": True})
    'list(method = "satorra.2000", scaled.shifted = TRUE)'
    """
    return "list(" + ", ".join(f"{k} = {_r_value(v)}" for k, v in d.items()) + ")"


def invariance_lavaan_args(ordinal: Mapping[str, Any]) -> list[str]:
    """The ``lavaan()`` arguments (after ``model, data``) of the ordinal invariance steps: ``ordinal`` has
    ``ordered`` (items), ``parameterization``, ``missing`` and ``group``; then the auto options of the package's
    fits (:data:`iur_survey.sem.wlsmv_invariance.WE_LAVAAN_OPTIONS`).

    >>> invariance_lavaan_args({"ordered": ["a", "b"], "parameterization": "theta", "missing": "pairwise",
    ...                         "group": "G"})[:5]
    ['ordered = c("a", "b")', 'parameterization = "theta"', 'estimator = "WLSMV"', 'group = "G"', 'missing = "pairwise"']
    """
    from ..sem.wlsmv_invariance import WE_LAVAAN_OPTIONS
    args = [f"ordered = {_r_value(list(ordinal['ordered']))}",
            f"parameterization = {_r_str(ordinal.get('parameterization') or 'delta')}", 'estimator = "WLSMV"',
            f"group = {_r_str(ordinal['group'])}"]
    if ordinal.get("missing"):
        args.append(f"missing = {_r_str(ordinal['missing'])}")
    return args + [f"{k} = {_r_value(v)}" for k, v in WE_LAVAAN_OPTIONS.items()]


def replicate_script(options: Mapping[str, Any], *, lavaan_version: str = "0.6.14",
                     invariance: Mapping[str, Any] | None = None) -> str:
    """The text of ``replicate.R`` for our fit's ``options`` (see the module docstring).

    ``invariance`` (a fit with ``--invariance``): ``fitted`` (per step: did the package fit it), ``lrt``
    (per step: the ``lavTestLRT()`` arguments, :func:`iur_survey.sem.compare.lavtestlrt_args`), and for the
    ordinal sequence ``files`` (per step: its lavaan syntax in the pack) and ``ordinal``
    (:func:`invariance_lavaan_args`); without ``files`` the steps are ``cfa(measurement.lav, group.equal =)``.
    """
    from .. import __version__
    call = sem_call(options)
    pe_args = ""
    boot = options.get("bootstrap")
    if boot:
        ci = boot.get("ci") or "percentile"
        pe_args = f", boot.ci.type = {_r_str({'percentile': 'perc', 'bca': 'perc'}.get(ci, ci))}"
        if boot.get("level") not in (None, 0.95):
            pe_args += f", level = {float(boot['level'])!r}"
    inv = invariance or {}
    if inv.get("files"):
        inv_args = "list(" + ", ".join(invariance_lavaan_args(inv["ordinal"])) + ")"
        files = _r_value(list(inv["files"]))
    else:
        inv_opts = {k: v for k, v in options.items() if k not in ("group_equal", "group_partial", "bootstrap", "se")}
        inv_args = "list(" + ", ".join(a for a in lavaan_call_args(inv_opts)) + ")"
        files = "NULL"
    fitted = _r_value([bool(x) for x in inv.get("fitted") or []]) if inv else "logical(0)"
    lrt_args = "list(" + ", ".join(_r_list(a or {}) for a in inv.get("lrt") or []) + ")"
    preamble = r_preamble(read_csv="data.csv", lavaan_version=lavaan_version, pack=True)
    return (_TEMPLATE.replace("@@PREAMBLE@@", preamble).replace("@@CALL@@", call).replace("@@PE_ARGS@@", pe_args).replace("@@INV_ARGS@@", inv_args)
            .replace("@@INV_FILES@@", files).replace("@@INV_FITTED@@", fitted).replace("@@INV_LRT@@", lrt_args)
            .replace("@@LAVAAN@@", lavaan_version).replace("@@VERSION@@", __version__))


def fit_script(syntax: str, options: Mapping[str, Any], *, data: str = "data", read_csv: str | None = None,
               summary: bool = False, lavaan_version: str | None = None) -> str:
    """A short R script that refits ``syntax`` with lavaan: ``library(lavaan)``, optionally the
    ``read.csv`` of the data into ``data``, the model, the ``sem()`` call with :func:`lavaan_call_args`
    of ``options``, optionally ``summary()``.  The one generator of lavaan calls in the package (the
    replication pack's ``replicate.R`` wraps the same call in its comparison code).

    >>> print(fit_script("F =~ a + b + c", {"estimator": "MLR", "missing": "fiml"}))
    library(lavaan)
    model <- '
    F =~ a + b + c
    '
    fit <- sem(model, data = data, estimator = "MLR", missing = "ml")
    """
    head = r_preamble(data=data, read_csv=read_csv, lavaan_version=lavaan_version)
    body = syntax.strip().replace("'", "\\'")
    out = (head + f"model <- '\n{body}\n'\n"
           + f"fit <- {sem_call(options, data)}")
    if summary:
        out += "\nsummary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE)"
    return out


def result_options(res) -> dict[str, Any]:
    """The :func:`lavaan_call_args` options of a fitted :class:`~iur_survey.sem.results.SEMResult`; a multi-group
    fit's ``group_partial`` (lavaan's group.partial) is read from its table: the parameters of a ``group_equal``
    class that are free across groups without labels of their own.

    >>> import warnings
    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(5)
    >>> d = pd.DataFrame(rng.standard_normal((200, 1)) @ [[1, .8, .7]] + rng.standard_normal((200, 3)),
    ...                  columns=["a", "b", "c"]).assign(g=np.repeat(["u", "v"], 100))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = sem("F =~ a + b + c", d, group="g", group_equal=["loadings", "intercepts"], group_partial=["c ~ 1"])
    >>> result_options(res)["group_partial"]
    ['c ~ 1']
    """
    ordered = list(res.meta.get("ordered") or [])
    if ordered and set(ordered) == set(res.partable.ov_all()):
        ordered = True
    out: dict[str, Any] = {"estimator": res.estimator, "missing": res.missing, "ordered": ordered or None,
                           "meanstructure": bool(res.meta.get("meanstructure_explicit"))}
    if res.meta.get("parameterization"):
        out["parameterization"] = res.meta["parameterization"]
    if res.partable.ngroups > 1:
        out["group"] = res.meta.get("group", "group")
        out["group_equal"] = list(res.meta.get("group_equal") or ())
        from ..sem.partable import group_equal_reach, partial_display
        freed = [partial_display(n) for rec in group_equal_reach(res.partable, out["group_equal"]).values()
                 for n in rec["of"] if n not in rec["equal"] and n not in rec["labelled"]]
        freed += [partial_display(k) for k in res.meta.get("th_partial") or []]   # ordered items' thresholds
        if freed:
            out["group_partial"] = freed
    return out


def lavaan_syntax_for(res, data_name: str = "data") -> str:
    """The R/lavaan call that reproduces a fit (for the book's reproducibility appendix).

    >>> import numpy as np, pandas as pd
    >>> from iur_survey.sem import sem
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.standard_normal((50, 1)) * [1, .8, .7] + rng.standard_normal((50, 3)) * .6,
    ...                  columns=["a", "b", "c"])
    >>> print(lavaan_syntax_for(sem("F =~ a + b + c", d)))
    library(lavaan)
    model <- '
    F =~ a + b + c
    '
    fit <- sem(model, data = data, estimator = "ML")
    """
    return fit_script(res.syntax, result_options(res), data=data_name)
