# R's quasi family with chosen variance functions, statmod's Tweedie family at powers outside (1, 2), and a
# dispersion chosen by the user (summary(fit, dispersion =) and predict(fit, se.fit = TRUE, dispersion =)).
# Run from this folder:  Rscript make_quasi.R   (R >= 4.2 with MASS and statmod; Debian: r-cran-mass r-cran-statmod)
suppressPackageStartupMessages({ library(MASS); library(statmod) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
source("json.R")

cases <- character(0)
add <- function(name, formula, family, data, variance = NULL, power = NULL, weights = NULL, link_name = NULL) {
  args <- list(formula = as.formula(formula), family = family, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  if (!is.null(weights)) args$weights <- as.name(weights)
  fit <- do.call(glm, args)
  s <- summary(fit); su <- summary(fit, dispersion = 2.5)
  pr <- predict(fit, newdata = data[1:3, , drop = FALSE], se.fit = TRUE, dispersion = 2.5, type = "response")
  case <- list(name = s1(name), formula = s1(formula), family = s1(family$family), link = s1(if (is.null(link_name)) family$link else link_name),
    variance = if (is.null(variance)) NULL else s1(variance), power = if (is.null(power)) NULL else s1(power),
    weights = if (is.null(weights)) NULL else s1(weights),
    coefficients = unname(coef(fit)), se = unname(s$coefficients[, 2]), deviance = s1(deviance(fit)), dispersion = s1(s$dispersion),
    iterations = s1(fit$iter), se_user = unname(su$coefficients[, 2]), p_user = unname(su$coefficients[, 4]),
    predict_user = unname(pr$fit), predict_se_user = unname(pr$se.fit))
  body <- paste0("\"", names(case), "\":", vapply(case, to_json, ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), "}"))
}

cars <- data.frame(mpg = mtcars$mpg, wt = mtcars$wt, hp = mtcars$hp)
wb <- data.frame(breaks = warpbreaks$breaks, wool = factor(as.character(warpbreaks$wool)), tension = factor(as.character(warpbreaks$tension), levels = c("L", "M", "H")))
bud <- data.frame(y = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16) / 20, ldose = rep(0:5, 2), sex = factor(rep(c("M", "F"), each = 6)), n = rep(20, 12))
cl <- data.frame(u = c(5, 10, 15, 20, 30, 40, 60, 80, 100), lot1 = c(118, 58, 42, 35, 27, 25, 21, 19, 18))
q <- data.frame(Days = quine$Days, Sex = factor(as.character(quine$Sex)), Age = factor(as.character(quine$Age), levels = levels(quine$Age)))

add("quasi_constant_identity", "mpg ~ wt + hp", quasi(link = "identity", variance = "constant"), cars, variance = "constant")
add("quasi_mu_log", "breaks ~ wool + tension", quasi(link = "log", variance = "mu"), wb, variance = "mu")
add("quasi_mu1mu_logit", "y ~ ldose + sex", quasi(link = "logit", variance = "mu(1-mu)"), bud, variance = "mu(1-mu)", weights = "n")
add("quasi_mu2_inverse", "lot1 ~ log(u)", quasi(link = "inverse", variance = "mu^2"), cl, variance = "mu^2")
add("quasi_mu3_log", "lot1 ~ log(u)", quasi(link = "log", variance = "mu^3"), cl, variance = "mu^3")
add("tweedie_p0_log", "mpg ~ wt + hp", tweedie(var.power = 0, link.power = 0), cars, power = 0, link_name = "log")
add("tweedie_p1_log", "breaks ~ wool + tension", tweedie(var.power = 1, link.power = 0), wb, power = 1, link_name = "log")
add("tweedie_p1.5_log_zeros", "Days ~ Sex + Age", tweedie(var.power = 1.5, link.power = 0), q, power = 1.5, link_name = "log")
add("tweedie_p2.5_log", "lot1 ~ log(u)", tweedie(var.power = 2.5, link.power = 0), cl, power = 2.5, link_name = "log")
add("tweedie_p3_log", "lot1 ~ log(u)", tweedie(var.power = 3, link.power = 0), cl, power = 3, link_name = "log")
add("tweedie_p-1_log", "lot1 ~ log(u)", tweedie(var.power = -1, link.power = 0), cl, power = -1, link_name = "log")

writeLines(paste0("{\"r_version\":\"", R.version.string, "\",\"statmod\":\"", packageVersion("statmod"), "\",\"cases\":[\n",
  paste(cases, collapse = ",\n"), "\n]}"), "quasi_cases.json")
