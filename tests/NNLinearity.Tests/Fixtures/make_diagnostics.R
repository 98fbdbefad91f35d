# R's warnings and the values around them, for the diagnostics a fit reports instead of a silent answer.
# Run from this folder:  Rscript make_diagnostics.R   (R >= 4.2 with MASS; Debian: r-base-core r-cran-mass)
suppressPackageStartupMessages(library(MASS))
source("json.R")

warned <- function(expr) {
  w <- character(0)
  value <- withCallingHandlers(expr, warning = function(e) { w <<- c(w, conditionMessage(e)); invokeRestart("muffleWarning") })
  list(value = value, warnings = unique(w))
}

glm_case <- function(name, x, y, family, start = NULL) {
  r <- warned(glm(y ~ x, family = family, start = start))
  f <- r$value
  list(name = s1(name), x = x, y = y, coefficients = unname(coef(f)), deviance = s1(deviance(f)), iter = s1(f$iter),
       converged = s1(f$converged), boundary = s1(f$boundary), aic = s1(if (is.finite(f$aic)) f$aic else NA_real_),
       aic_infinite = s1(is.infinite(f$aic)), warnings = r$warnings)
}

cases <- list()
# Found by a seeded search for identity-link Poisson fits that converge after step-halving at an inner iteration.
cases[[1]] <- glm_case("halving_out_of_bounds", c(2, 2, 8.5, 0.6, 4.4, 3.5, 1.5, 2, 6.1, 7.3, 8, 9.9), c(3, 1, 1, 5, 1, 2, 4, 0, 1, 1, 0, 0), poisson(link = "identity"))
cases[[2]] <- glm_case("halving_divergence", c(1.4, 3.2, 0, 0.5, 2.6, 4.4, 0.9, 5.7, 5.4, 8.1, 1.4, 6.4), c(4, 0, 7, 4, 2, 0, 3, 2, 2, 1, 0, 2), poisson(link = "identity"))
xc <- c(1, 2, 3, 4, 5, 6, 7, 8)
yc <- c(2.5, 3, 0, 4.2, 7, 1, 3.3, 2)
cases[[3]] <- glm_case("poisson_non_integer", xc, yc, poisson())
cases[[4]] <- glm_case("negbin_non_integer", xc, yc, negative.binomial(2))

# F test of a Poisson fit: R's denominator df is infinite (the chi-square p-value), with its warning.
y0 <- round(yc)
a <- warned(anova(glm(y0 ~ 1, family = poisson), glm(y0 ~ xc, family = poisson), test = "F"))
chi <- anova(glm(y0 ~ 1, family = poisson), glm(y0 ~ xc, family = poisson), test = "Chisq")
anova_f <- list(name = s1("anova_f_poisson"), x = xc, y = y0, f = s1(a$value$F[2]), p = s1(a$value[["Pr(>F)"]][2]),
                p_chisq = s1(chi[["Pr(>Chi)"]][2]), warnings = a$warnings)

# Perfect fits: glm says nothing, summary.lm warns.
yp <- 1 + 2 * xc
perfect <- warned(summary(lm(yp ~ xc)))
constant <- warned(summary(lm(rep(3, 8) ~ xc)))
perfect_fit <- list(name = s1("perfect_fit"), x = xc, y = yp, lm_warnings = perfect$warnings, constant_lm_warnings = constant$warnings)

# na.exclude: fitted values and residuals padded with NA at the rows left out.
ye <- c(1, 2, NA, 4, 5, 6, 3)
xe <- c(0.1, 0.5, 0.2, 0.9, NA, 0.7, 0.3)
fe <- glm(ye ~ xe, family = poisson, na.action = na.exclude)
na_exclude <- list(name = s1("na_exclude"), y = ye, x = xe, fitted = unname(fitted(fe)), residuals = unname(residuals(fe)),
                   pearson = unname(residuals(fe, type = "pearson")))

writeLines(to_json(list(cases = cases, anova_f = anova_f, perfect_fit = perfect_fit, na_exclude = na_exclude)), "diagnostics.json")
