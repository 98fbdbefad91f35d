# Robust covariances and influence measures of GLMs: sandwich::vcovHC (HC0-HC3), sandwich::vcovCL (one-way, HC0 and
# HC1, with the G/(G-1) adjustment), and stats' influence measures (hatvalues, rstandard, rstudent, cooks.distance,
# dfbeta, dfbetas, dffits, covratio), on fits across families and links.
# and lmtest::coeftest's printed table with the cluster-robust covariance.
# Run from this folder:  Rscript make_inference.R   (R >= 4.2 with MASS, sandwich and lmtest; Debian: r-cran-mass r-cran-sandwich r-cran-lmtest)
suppressPackageStartupMessages({ library(MASS); library(sandwich); library(lmtest) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
source("json.R")

cases <- character(0)
add <- function(name, formula, family, data, cluster, weights = NULL) {
  args <- list(formula = as.formula(formula), family = family, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  if (!is.null(weights)) args$weights <- as.name(weights)
  fit <- do.call(glm, args)
  cl <- data[[cluster]]
  im <- influence.measures(fit)
  case <- list(name = s1(name), formula = s1(formula), family = s1(family$family), link = s1(family$link),
    weights = if (is.null(weights)) NULL else s1(weights), cluster = s1(cluster),
    columns = names(coef(fit)), coefficients = unname(coef(fit)), dispersion = s1(summary(fit)$dispersion),
    vcov = as.vector(vcov(fit)),
    hc0 = as.vector(vcovHC(fit, type = "HC0")), hc1 = as.vector(vcovHC(fit, type = "HC1")),
    hc2 = as.vector(vcovHC(fit, type = "HC2")), hc3 = as.vector(vcovHC(fit, type = "HC3")),
    cl0 = as.vector(vcovCL(fit, cluster = cl, type = "HC0")), cl1 = as.vector(vcovCL(fit, cluster = cl, type = "HC1")),
    cl1_noadjust = as.vector(vcovCL(fit, cluster = cl, type = "HC1", cadjust = FALSE)),
    hat = unname(hatvalues(fit)), rstandard_deviance = unname(rstandard(fit)), rstandard_pearson = unname(rstandard(fit, type = "pearson")),
    rstudent = unname(rstudent(fit)), cooks = unname(cooks.distance(fit)),
    dfbeta = as.vector(t(dfbeta(fit))), dfbetas = as.vector(t(dfbetas(fit))), dffits = unname(dffits(fit)), covratio = unname(covratio(fit)),
    influential = unname(apply(im$is.inf, 1, any)),
    coeftest_cl1 = capture.output(print(coeftest(fit, vcov = vcovCL(fit, cluster = cl)))))
  body <- paste0("\"", names(case), "\":", vapply(case, to_json, ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), "}"))
}

cars <- data.frame(mpg = mtcars$mpg, wt = mtcars$wt, hp = mtcars$hp, am = mtcars$am, cyl = factor(mtcars$cyl), disp = mtcars$disp, carb = mtcars$carb)
bw <- data.frame(low = birthwt$low, age = birthwt$age, lwt = birthwt$lwt, smoke = birthwt$smoke, race = factor(birthwt$race), ptl = birthwt$ptl)
wb <- data.frame(breaks = warpbreaks$breaks, wool = factor(as.character(warpbreaks$wool)), tension = factor(as.character(warpbreaks$tension), levels = c("L", "M", "H")))
bud <- data.frame(y = budworm <- c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16) / 20, ldose = rep(0:5, 2), sex = factor(rep(c("M", "F"), each = 6)),
                  n = rep(20, 12), batch = factor(rep(c("a", "b", "c"), 4)))
cl <- data.frame(u = c(5, 10, 15, 20, 30, 40, 60, 80, 100), lot1 = c(118, 58, 42, 35, 27, 25, 21, 19, 18), grp = factor(c(1, 1, 1, 2, 2, 2, 3, 3, 3)))

add("gaussian_identity_mtcars", "mpg ~ wt + hp", gaussian(), cars, "cyl")
add("binomial_logit_birthwt", "low ~ age + lwt + smoke", binomial(), bw, "race")
add("binomial_probit_birthwt", "low ~ lwt + smoke + ptl", binomial(link = "probit"), bw, "race")
add("poisson_log_warpbreaks", "breaks ~ wool + tension", poisson(), wb, "tension")
add("gamma_inverse_clotting", "lot1 ~ log(u)", Gamma(), cl, "grp")
add("quasipoisson_log_mtcars", "carb ~ wt + disp", quasipoisson(), cars, "cyl")
add("binomial_weighted_budworm", "y ~ ldose + sex", binomial(), bud, "batch", weights = "n")

writeLines(paste0("{\"r_version\":\"", R.version.string, "\",\"sandwich\":\"", packageVersion("sandwich"), "\",\"cases\":[\n",
  paste(cases, collapse = ",\n"), "\n]}"), "inference_cases.json")
