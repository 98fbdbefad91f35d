# Reference fixtures for NNLinearity's GLM engine, produced by R's glm.
# Run from this folder:  Rscript make_fixtures.R
# Needs R (>= 4.2) with MASS and statmod (Debian: r-base-core r-cran-mass r-cran-statmod).
suppressPackageStartupMessages({ library(MASS); library(statmod) })
options(warn = 1)

loglog <- structure(list(
  linkfun = function(mu) -log(-log(mu)),
  linkinv = function(eta) pmax(pmin(exp(-exp(-eta)), 1 - .Machine$double.eps), .Machine$double.eps),
  mu.eta = function(eta) { eta <- pmax(eta, -700); pmax(exp(-eta - exp(-eta)), .Machine$double.eps) },
  valideta = function(eta) TRUE, name = "loglog"), class = "link-glm")

source("json.R")

cases <- list()
add <- function(name, fit, family, link, dispersion = NULL, anova_small = NULL, anova_test = NULL, start = NULL) {
  X <- model.matrix(fit)
  cn <- colnames(X)
  intercept <- "(Intercept)" %in% cn
  Xn <- X[, cn != "(Intercept)", drop = FALSE]
  s <- summary(fit, dispersion = dispersion)
  co <- coef(fit)
  tab <- matrix(NA_real_, length(co), 4, dimnames = list(names(co), NULL))
  tab[rownames(s$coefficients), ] <- s$coefficients
  V <- vcov(fit, dispersion = dispersion)
  pl <- predict(fit, type = "link", se.fit = TRUE, dispersion = dispersion)
  pr <- predict(fit, type = "response", se.fit = TRUE, dispersion = dispersion)
  has_lik <- !is.na(fit$aic)
  ci <- if (is.null(dispersion)) unname(confint.default(fit)) else NULL
  out <- list(
    name = s1(name), family = family, link = link,
    intercept = s1(intercept), columns = colnames(Xn),
    x = unname(as.vector(t(Xn))), rows = s1(nrow(Xn)), cols = s1(ncol(Xn)),
    y = unname(fit$y), weights = unname(fit$prior.weights),
    offset = if (is.null(fit$offset)) NULL else unname(fit$offset), start = start,
    coef_names = names(co), coefficients = unname(co),
    se = unname(tab[, 2]), statistic = unname(tab[, 3]), p = unname(tab[, 4]),
    vcov = unname(as.vector(t(V))),
    deviance = s1(fit$deviance), null_deviance = s1(fit$null.deviance),
    df_residual = s1(fit$df.residual), df_null = s1(fit$df.null),
    aic = if (has_lik) s1(fit$aic) else NULL,
    loglik = if (has_lik) s1(as.numeric(logLik(fit))) else NULL,
    bic = if (has_lik) s1(BIC(fit)) else NULL,
    dispersion = s1(s$dispersion), iterations = s1(fit$iter), rank = s1(fit$rank), converged = s1(fit$converged),
    fitted = unname(fitted(fit)), eta = unname(fit$linear.predictors),
    working_weights = unname(fit$weights),
    res_response = unname(residuals(fit, "response")), res_working = unname(residuals(fit, "working")),
    res_pearson = unname(residuals(fit, "pearson")), res_deviance = unname(residuals(fit, "deviance")),
    pred_link = unname(pl$fit), pred_link_se = unname(pl$se.fit),
    pred_response = unname(pr$fit), pred_response_se = unname(pr$se.fit),
    ci_lower = if (is.null(ci)) NULL else ci[, 1], ci_upper = if (is.null(ci)) NULL else ci[, 2])
  if (!is.null(anova_small)) {
    a <- anova(anova_small, fit, test = anova_test)
    Xs <- model.matrix(anova_small)
    out$anova <- list(test = s1(anova_test),
      small_columns = match(colnames(Xs)[colnames(Xs) != "(Intercept)"], colnames(Xn)) - 1L,
      resid_df = a[["Resid. Df"]], resid_dev = a[["Resid. Dev"]],
      df = s1(a[["Df"]][2]), deviance = s1(a[["Deviance"]][2]),
      f = if (anova_test == "F") s1(a[["F"]][2]) else NULL,
      p = s1(a[[ncol(a)]][2]))
  }
  cases[[length(cases) + 1]] <<- out
}
fam <- function(name, ...) lapply(list(name = name, ...), s1)
lnk <- function(name, ...) lapply(list(name = name, ...), s1)

## ?glm: Dobson (1990) p. 93, randomized controlled trial
counts <- c(18, 17, 15, 20, 10, 20, 25, 13, 12)
outcome <- gl(3, 1, 9); treatment <- gl(3, 3)
dob <- data.frame(counts, outcome, treatment)
m_dob0 <- glm(counts ~ outcome, family = poisson(), data = dob)
add("dobson_poisson_log", glm(counts ~ outcome + treatment, family = poisson(), data = dob), fam("poisson"), lnk("log"),
    anova_small = m_dob0, anova_test = "Chisq")
add("dobson_poisson_sqrt", glm(counts ~ outcome + treatment, family = poisson(link = "sqrt"), data = dob), fam("poisson"), lnk("sqrt"))
add("dobson_poisson_identity", glm(counts ~ outcome + treatment, family = poisson(link = "identity"), data = dob), fam("poisson"), lnk("identity"))

## ?glm: McCullagh & Nelder (1989) pp. 300-2, clotting times
clotting <- data.frame(u = c(5, 10, 15, 20, 30, 40, 60, 80, 100),
  lot1 = c(118, 58, 42, 35, 27, 25, 21, 19, 18), lot2 = c(69, 35, 26, 21, 18, 16, 13, 12, 12))
add("clotting_gamma_inverse_lot1", glm(lot1 ~ log(u), data = clotting, family = Gamma), fam("Gamma"), lnk("inverse"))
add("clotting_gamma_inverse_lot2", glm(lot2 ~ log(u), data = clotting, family = Gamma), fam("Gamma"), lnk("inverse"))
add("clotting_gamma_log", glm(lot1 ~ log(u), data = clotting, family = Gamma(link = "log")), fam("Gamma"), lnk("log"))
add("clotting_gamma_identity", glm(lot1 ~ I(1 / u), data = clotting, family = Gamma(link = "identity")), fam("Gamma"), lnk("identity"))
add("clotting_invgauss_canonical", glm(lot1 ~ log(u), data = clotting, family = inverse.gaussian()), fam("inverse.gaussian"), lnk("1/mu^2"))
add("clotting_invgauss_log", glm(lot1 ~ log(u), data = clotting, family = inverse.gaussian(link = "log")), fam("inverse.gaussian"), lnk("log"))
add("clotting_invgauss_inverse", glm(lot1 ~ log(u), data = clotting, family = inverse.gaussian(link = "inverse")), fam("inverse.gaussian"), lnk("inverse"))

## Budworm (Venables & Ripley, MASS 4th ed. section 7.2): proportions with trial counts as weights
budworm <- data.frame(ldose = rep(0:5, 2), numdead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16),
  sex = factor(rep(c("M", "F"), c(6, 6))))
budworm$p <- budworm$numdead / 20; budworm$n <- 20
m_bud0 <- glm(p ~ ldose, family = binomial, weights = n, data = budworm)
add("budworm_logit", glm(p ~ sex + ldose, family = binomial, weights = n, data = budworm), fam("binomial"), lnk("logit"),
    anova_small = m_bud0, anova_test = "Chisq")
add("budworm_probit", glm(p ~ sex + ldose, family = binomial(link = "probit"), weights = n, data = budworm), fam("binomial"), lnk("probit"))
add("budworm_cloglog", glm(p ~ sex + ldose, family = binomial(link = "cloglog"), weights = n, data = budworm), fam("binomial"), lnk("cloglog"))
add("budworm_cauchit", glm(p ~ sex + ldose, family = binomial(link = "cauchit"), weights = n, data = budworm), fam("binomial"), lnk("cauchit"))
add("budworm_loglog", glm(p ~ sex + ldose, family = binomial(link = loglog), weights = n, data = budworm), fam("binomial"), lnk("loglog"))
add("budworm_quasibinomial", glm(p ~ sex + ldose, family = quasibinomial, weights = n, data = budworm), fam("quasibinomial"), lnk("logit"),
    anova_small = glm(p ~ ldose, family = quasibinomial, weights = n, data = budworm), anova_test = "F")

## 0/1 responses: mtcars
add("mtcars_vs_logit", glm(vs ~ mpg + wt, family = binomial, data = mtcars), fam("binomial"), lnk("logit"))
add("mtcars_am_probit", glm(am ~ hp + qsec, family = binomial(link = "probit"), data = mtcars), fam("binomial"), lnk("probit"))

## log-binomial on small probabilities (simulated from a seed)
set.seed(1)
lb <- data.frame(x1 = runif(200), x2 = rnorm(200))
lb$y <- rbinom(200, 1, 0.05 * exp(lb$x1 + 0.3 * lb$x2))
add("simulated_binomial_log", glm(y ~ x1 + x2, family = binomial(link = "log"), data = lb, start = c(log(0.05), 1, 0.3)), fam("binomial"), lnk("log"),
    start = c(log(0.05), 1, 0.3))

## Gaussian: prior weights, non-identity links, a power link
m_mt0 <- glm(mpg ~ wt, data = mtcars, weights = cyl)
add("mtcars_gaussian_weights", glm(mpg ~ wt + hp, data = mtcars, weights = cyl), fam("gaussian"), lnk("identity"),
    anova_small = m_mt0, anova_test = "F")
add("mtcars_gaussian_log", glm(mpg ~ wt + hp, data = mtcars, family = gaussian(link = "log")), fam("gaussian"), lnk("log"))
add("mtcars_gaussian_inverse", glm(mpg ~ wt + hp, data = mtcars, family = gaussian(link = "inverse")), fam("gaussian"), lnk("inverse"))
add("mtcars_gaussian_power_third", glm(mpg ~ wt + hp, data = mtcars, family = gaussian(link = power(1/3))), fam("gaussian"), lnk("power", lambda = 1/3))

## Poisson with an offset (MASS Insurance) and quasi-Poisson (warpbreaks)
ins <- within(Insurance, { District <- factor(District, ordered = FALSE); Group <- factor(Group, ordered = FALSE); Age <- factor(Age, ordered = FALSE) })
add("insurance_poisson_offset", glm(Claims ~ District + Group + Age + offset(log(Holders)), family = poisson, data = ins), fam("poisson"), lnk("log"))
add("warpbreaks_quasipoisson", glm(breaks ~ wool + tension, family = quasipoisson, data = warpbreaks), fam("quasipoisson"), lnk("log"),
    anova_small = glm(breaks ~ wool, family = quasipoisson, data = warpbreaks), anova_test = "F")
add("warpbreaks_poisson_noint", glm(breaks ~ 0 + wool + tension, family = poisson, data = warpbreaks), fam("poisson"), lnk("log"))

## Negative binomial with known theta (MASS quine); dispersion 1 as for glm.nb
add("quine_negbin", glm(Days ~ Eth + Sex + Lrn, family = negative.binomial(1.5), data = quine), fam("negbin", theta = 1.5), lnk("log"), dispersion = 1)
add("quine_negbin_sqrt", glm(Days ~ Eth + Sex + Lrn, family = negative.binomial(1.5, link = "sqrt"), data = quine), fam("negbin", theta = 1.5), lnk("sqrt"), dispersion = 1)

## Tweedie (compound Poisson-Gamma with exact zeros, simulated from a seed)
set.seed(2)
tw <- data.frame(x1 = runif(150), x2 = rnorm(150))
tw$mu <- exp(0.5 + 0.8 * tw$x1 - 0.4 * tw$x2)
tw$y <- sapply(seq_len(150), function(i) { k <- rpois(1, tw$mu[i] * 0.8); if (k == 0) 0 else sum(rgamma(k, shape = 2, rate = 1.6)) })
add("simulated_tweedie_log", glm(y ~ x1 + x2, family = tweedie(var.power = 1.5, link.power = 0), data = tw), fam("tweedie", power = 1.5), lnk("log"))
add("simulated_tweedie_canonical", glm(y ~ x1 + x2, family = tweedie(var.power = 1.6), data = tw), fam("tweedie", power = 1.6), lnk("power", lambda = -0.6))

## Aliased columns, zero prior weights, more columns than rows
al <- mtcars; al$wt_hp <- al$wt + 2 * al$hp
add("mtcars_aliased_poisson", glm(carb ~ wt + hp + wt_hp + qsec, family = poisson, data = al), fam("poisson"), lnk("log"))
zw <- mtcars; zw$w <- rep(c(1, 0, 2, 1), 8)
add("mtcars_zero_weights_gamma", glm(mpg ~ wt + qsec, family = Gamma(link = "log"), weights = w, data = zw), fam("Gamma"), lnk("log"))
wide <- data.frame(y = c(2.1, 3.9, 6.2, 7.8, 10.1), a = c(1, 2, 3, 4, 5), b = c(2, 1, 4, 3, 5), c = c(1, 1, 2, 2, 3),
  d = c(5, 3, 1, 2, 4), e = c(0, 1, 0, 1, 0), f = c(3, 3, 1, 1, 2))
add("wide_gaussian_rank_deficient", glm(y ~ a + b + c + d + e + f, data = wide), fam("gaussian"), lnk("identity"))

writeLines(to_json(cases), "glm_cases.json")

## Inverse links and their derivatives in the tails, from R's own distribution functions
eta <- c(-745, -700, -40, -38, -37.5, -30, -20, -8, -5, -3, -1, -1e-3, -1e-10, 0, 1e-10, 1e-3, 1, 3, 5, 8, 20, 30, 37.5, 40, 700)
lv <- list(
  eta = eta,
  logit_mu = plogis(eta), logit_dmu = dlogis(eta),
  probit_mu = ifelse(pnorm(eta) > 1e-300, pnorm(eta), exp(pnorm(eta, log.p = TRUE))), probit_dmu = dnorm(eta),
  cauchit_mu = pcauchy(eta), cauchit_dmu = dcauchy(eta),
  cloglog_mu = -expm1(-exp(eta)), cloglog_dmu = ifelse(eta > 700, 0, exp(eta - exp(eta))),
  loglog_mu = exp(-exp(-eta)), loglog_dmu = ifelse(-eta > 700, 0, exp(-eta - exp(-eta))),
  log_mu = exp(eta))
p <- c(1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-10)
lv$p <- p; lv$qlogis <- qlogis(p); lv$qnorm <- qnorm(p); lv$qcauchy <- qcauchy(p)
lv$cloglog_link <- log(-log1p(-p)); lv$loglog_link <- -log(-log(p))
writeLines(to_json(lv), "link_values.json")
cat("wrote", length(cases), "GLM cases\n")
