# Profile-likelihood confidence intervals of GLM coefficients: MASS's confint for glm objects (profile.glm, then a
# spline through the signed root deviances), at 95% and 90%, on six fits including a binomial near separation and a
# Gamma; the Wald intervals (confint.default) beside them.
# Run from this folder:  Rscript make_profile.R   (R >= 4.2 with MASS; Debian: r-cran-mass)
suppressPackageStartupMessages(library(MASS))
invisible(Sys.setlocale("LC_COLLATE", "C"))
source("json.R")

cases <- character(0)
add <- function(name, formula, family, data, weights = NULL) {
  args <- list(formula = as.formula(formula), family = family, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  if (!is.null(weights)) args$weights <- as.name(weights)
  fit <- do.call(glm, args)
  p95 <- suppressMessages(confint(fit, level = 0.95)); p90 <- suppressMessages(confint(fit, level = 0.90))
  w95 <- confint.default(fit, level = 0.95)
  case <- list(name = s1(name), formula = s1(formula), family = s1(family$family), link = s1(family$link),
    weights = if (is.null(weights)) NULL else s1(weights), columns = names(coef(fit)), coefficients = unname(coef(fit)),
    profile95_lower = unname(p95[, 1]), profile95_upper = unname(p95[, 2]), profile90_lower = unname(p90[, 1]), profile90_upper = unname(p90[, 2]),
    wald95_lower = unname(w95[, 1]), wald95_upper = unname(w95[, 2]))
  body <- paste0("\"", names(case), "\":", vapply(case, to_json, ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), "}"))
}

cars <- data.frame(mpg = mtcars$mpg, wt = mtcars$wt, hp = mtcars$hp)
bw <- data.frame(low = birthwt$low, age = birthwt$age, lwt = birthwt$lwt, smoke = birthwt$smoke)
wb <- data.frame(breaks = warpbreaks$breaks, wool = factor(as.character(warpbreaks$wool)), tension = factor(as.character(warpbreaks$tension), levels = c("L", "M", "H")))
cl <- data.frame(u = c(5, 10, 15, 20, 30, 40, 60, 80, 100), lot1 = c(118, 58, 42, 35, 27, 25, 21, 19, 18))
bud <- data.frame(y = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16) / 20, ldose = rep(0:5, 2), sex = factor(rep(c("M", "F"), each = 6)), n = rep(20, 12))
# Near separation: x separates y but for one overlapping pair, so the slope is large and its profile is very asymmetric.
ns <- data.frame(x = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), y = c(0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1))

add("gaussian_mtcars", "mpg ~ wt + hp", gaussian(), cars)
add("binomial_birthwt", "low ~ age + lwt + smoke", binomial(), bw)
add("binomial_near_separation", "y ~ x", binomial(), ns)
add("poisson_warpbreaks", "breaks ~ wool + tension", poisson(), wb)
add("gamma_inverse_clotting", "lot1 ~ log(u)", Gamma(), cl)
add("binomial_weighted_budworm", "y ~ ldose + sex", binomial(), bud, weights = "n")

writeLines(paste0("{\"r_version\":\"", R.version.string, "\",\"MASS\":\"", packageVersion("MASS"), "\",\"cases\":[\n",
  paste(cases, collapse = ",\n"), "\n]}"), "profile_cases.json")
