# Tests of linear hypotheses L b = c for GLMs: Wald (car::linearHypothesis, chi-square and F, with the model's and a
# sandwich covariance) and likelihood ratio (anova of the model refitted under the hypothesis, written out as its own
# formula with offsets, against the full model).
# Run from this folder:  Rscript make_hypotheses.R   (R >= 4.2 with MASS, sandwich and car; Debian: r-cran-mass r-cran-sandwich r-cran-car)
suppressPackageStartupMessages({ library(MASS); library(sandwich); library(car) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
source("json.R")

cases <- character(0)
add <- function(name, formula, restricted, family, data, L, rhs, weights = NULL) {
  args <- list(formula = as.formula(formula), family = family, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  if (!is.null(weights)) args$weights <- as.name(weights)
  fit <- do.call(glm, args)
  rargs <- args; rargs$formula <- as.formula(restricted)
  rfit <- do.call(glm, rargs)
  a <- anova(rfit, fit, test = "Chisq")
  phi <- summary(fit)$dispersion
  wc <- linearHypothesis(fit, L, rhs, test = "Chisq")
  wf <- linearHypothesis(fit, L, rhs, test = "F")
  wr <- linearHypothesis(fit, L, rhs, test = "Chisq", vcov. = vcovHC(fit, type = "HC0"))
  case <- list(name = s1(name), formula = s1(formula), restricted = s1(restricted), family = s1(family$family), link = s1(family$link),
    weights = if (is.null(weights)) NULL else s1(weights), columns = names(coef(fit)),
    L = as.vector(t(L)), q = s1(nrow(L)), rhs = rhs,
    wald = s1(wc$Chisq[2]), wald_p = s1(wc[2, "Pr(>Chisq)"]), wald_f = s1(wf$F[2]), wald_f_p = s1(wf[2, "Pr(>F)"]),
    wald_hc0 = s1(wr$Chisq[2]), wald_hc0_p = s1(wr[2, "Pr(>Chisq)"]),
    restricted_deviance = s1(deviance(rfit)), lr = s1(a$Deviance[2] / phi), lr_p = s1(a[2, "Pr(>Chi)"]))
  body <- paste0("\"", names(case), "\":", vapply(case, to_json, ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), "}"))
}

cars <- data.frame(mpg = mtcars$mpg, wt = mtcars$wt, hp = mtcars$hp)
ins <- data.frame(Claims = Insurance$Claims, Holders = Insurance$Holders, District = factor(as.character(Insurance$District)),
                  Group = factor(as.character(Insurance$Group), levels = levels(Insurance$Group), ordered = TRUE),
                  Age = factor(as.character(Insurance$Age), levels = levels(Insurance$Age), ordered = TRUE))
ins$D23 <- as.numeric(ins$District %in% c("2", "3")); ins$D4 <- as.numeric(ins$District == "4")
bud <- data.frame(y = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16) / 20, ldose = rep(0:5, 2), sex = factor(rep(c("M", "F"), each = 6)), n = rep(20, 12))
cl <- data.frame(u = c(5, 10, 15, 20, 30, 40, 60, 80, 100), lot1 = c(118, 58, 42, 35, 27, 25, 21, 19, 18))

add("gaussian_wt_is_minus_4", "mpg ~ wt + hp", "mpg ~ hp + offset(-4 * wt)", gaussian(), cars, matrix(c(0, 1, 0), 1), -4)
L_ins <- rbind(c(0, 1, -1, 0, 0, 0, 0, 0, 0, 0), c(0, 0, 0, 1, 0, 0, 0, 0, 0, 0))
add("poisson_districts_2_3_equal_4_is_0.2", "Claims ~ District + Group + Age + offset(log(Holders))",
    "Claims ~ D23 + Group + Age + offset(log(Holders) + 0.2 * D4)", poisson(), ins, L_ins, c(0, 0.2))
add("binomial_weighted_slope_1_no_sex", "y ~ ldose + sex", "y ~ 1 + offset(ldose)", binomial(), bud, rbind(c(0, 1, 0), c(0, 0, 1)), c(1, 0), weights = "n")
add("gamma_slope_is_0.015", "lot1 ~ log(u)", "lot1 ~ 1 + offset(0.015 * log(u))", Gamma(), cl, matrix(c(0, 1), 1), 0.015)

writeLines(paste0("{\"r_version\":\"", R.version.string, "\",\"car\":\"", packageVersion("car"), "\",\"cases\":[\n",
  paste(cases, collapse = ",\n"), "\n]}"), "hypothesis_cases.json")
