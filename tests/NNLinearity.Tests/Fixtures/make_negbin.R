# Negative binomial GLMs with theta estimated by maximum likelihood (MASS::glm.nb, alternating IRLS and theta.ml),
# with theta's standard error, 2 log-likelihood, AIC, and the likelihood-ratio test against the Poisson fit
# (2 (logLik(nb) - logLik(poisson)), its p-value halved for the boundary theta = Inf, as pscl's odTest does).
# Run from this folder:  Rscript make_negbin.R   (R >= 4.2 with MASS; Debian: r-cran-mass)
suppressPackageStartupMessages(library(MASS))
invisible(Sys.setlocale("LC_COLLATE", "C"))
source("json.R")

cases <- character(0)
add <- function(name, formula, data) {
  fit <- glm.nb(as.formula(formula), data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  pois <- glm(as.formula(formula), family = poisson, data = data, control = glm.control(epsilon = 1e-12, maxit = 100))
  lr <- 2 * (as.numeric(logLik(fit)) - as.numeric(logLik(pois)))
  case <- list(name = s1(name), formula = s1(formula), columns = names(coef(fit)), coefficients = unname(coef(fit)),
    se = unname(sqrt(diag(vcov(fit)))), theta = s1(fit$theta), theta_se = s1(fit$SE.theta), twologlik = s1(fit$twologlik),
    aic = s1(AIC(fit)), deviance = s1(deviance(fit)), null_deviance = s1(fit$null.deviance), df_residual = s1(fit$df.residual),
    lr_poisson = s1(lr), lr_poisson_p = s1(pchisq(lr, 1, lower.tail = FALSE) / 2))
  body <- paste0("\"", names(case), "\":", vapply(case, to_json, ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), "}"))
}

q <- data.frame(Days = quine$Days, Eth = factor(as.character(quine$Eth)), Sex = factor(as.character(quine$Sex)),
                Age = factor(as.character(quine$Age), levels = levels(quine$Age)), Lrn = factor(as.character(quine$Lrn)))
wb <- data.frame(breaks = warpbreaks$breaks, wool = factor(as.character(warpbreaks$wool)), tension = factor(as.character(warpbreaks$tension), levels = c("L", "M", "H")))
ins <- data.frame(count = InsectSprays$count, spray = factor(as.character(InsectSprays$spray)))
ep <- data.frame(y = epil$y, lbase = epil$lbase, trt = factor(as.character(epil$trt), levels = levels(epil$trt)), lage = epil$lage, V4 = epil$V4)

add("quine", "Days ~ Eth + Sex + Age + Lrn", q)
add("warpbreaks", "breaks ~ wool + tension", wb)
add("insect_sprays", "count ~ spray", ins)
add("epilepsy", "y ~ lbase * trt + lage + V4", ep)

writeLines(paste0("{\"r_version\":\"", R.version.string, "\",\"MASS\":\"", packageVersion("MASS"), "\",\"cases\":[\n",
  paste(cases, collapse = ",\n"), "\n]}"), "negbin_cases.json")
