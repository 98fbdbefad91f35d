# R's model frames, model matrices, fits, analyses of deviance and predictions for formulas on tables.
# Run from this folder:  Rscript make_formulas.R   (R >= 4.2 with MASS; Debian: r-base-core r-cran-mass)
invisible(Sys.setlocale("LC_COLLATE", "C")) # character columns become factors with levels sorted as bytes
source("json.R")

cases <- character(0)
add <- function(name, formula, data, family, weights = NULL, offset = NULL, contrasts = NULL, test = "Chisq", newdata = head(data, 6)) {
  args <- list(formula = as.formula(formula), data = data, family = family)
  if (!is.null(weights)) args$weights <- as.name(weights) # evaluated in data, as glm(weights = w) is
  if (!is.null(offset)) args$offset <- as.name(offset)
  if (!is.null(contrasts)) args$contrasts <- contrasts
  fit <- do.call(glm, args)
  X <- model.matrix(fit)
  s <- summary(fit)
  co <- coef(fit)
  se <- rep(NA_real_, length(co)); names(se) <- names(co); se[rownames(s$coefficients)] <- s$coefficients[, 2]
  a <- anova(fit, test = test)
  pcol <- if (test == "F") "Pr(>F)" else "Pr(>Chi)"
  nd <- newdata
  pl <- predict(fit, newdata = nd, type = "link", se.fit = TRUE)
  pr <- predict(fit, newdata = nd, type = "response", se.fit = TRUE)
  tl <- attr(terms(fit), "term.labels")
  dr <- drop1(fit, test = test)
  dstat <- if (test == "F") dr[["F value"]] else dr[[if ("LRT" %in% names(dr)) "LRT" else "scaled dev."]]
  dp <- if (test == "F") dr[["Pr(>F)"]] else dr[["Pr(>Chi)"]]
  case <- list(name = s1(name), formula = s1(formula), family = s1(family$family), link = s1(family$link),
    weights = if (is.null(weights)) NULL else s1(weights), offset = if (is.null(offset)) NULL else s1(offset),
    contrasts = if (is.null(contrasts)) NULL else lapply(contrasts, function(x) s1(x)),
    term_labels = if (length(tl)) tl else character(0), columns = colnames(X), assign = attr(X, "assign"),
    rows = s1(nrow(X)), omitted = s1(nrow(data) - nrow(X)), matrix = as.vector(t(X)),
    coefficients = unname(co), se = unname(se), deviance = s1(deviance(fit)), null_deviance = s1(fit$null.deviance),
    df_residual = s1(fit$df.residual), aic = s1(if (is.finite(fit$aic)) fit$aic else NA_real_), dispersion = s1(s$dispersion),
    anova_test = s1(test), anova_deviance = a$Deviance, anova_resid_df = a[["Resid. Df"]], anova_resid_dev = a[["Resid. Dev"]], anova_p = a[[pcol]],
    drop_terms = rownames(dr), drop_df = dr$Df, drop_deviance = dr$Deviance, drop_aic = if ("AIC" %in% names(dr)) dr$AIC else rep(NA_real_, nrow(dr)),
    drop_stat = dstat, drop_p = dp,
    predict_link = unname(pl$fit), predict_link_se = unname(pl$se.fit), predict_response = unname(pr$fit), predict_response_se = unname(pr$se.fit))
  body <- paste0("\"", names(case), "\":", vapply(case, function(v) if (is.list(v) && !is.null(names(v))) to_json(v) else to_json(v), ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), ",\"newdata\":", table_json(nd), "}"))
}

# R's own data sets.
add("warpbreaks_interaction", "breaks ~ wool * tension", warpbreaks, poisson())
add("warpbreaks_sum_contrasts", "breaks ~ wool + tension", warpbreaks, poisson(), contrasts = list(tension = "contr.sum"))
add("warpbreaks_nested", "breaks ~ tension/wool", warpbreaks, poisson())
add("warpbreaks_interaction_only", "breaks ~ wool:tension", warpbreaks, poisson())
add("warpbreaks_no_intercept", "breaks ~ wool + tension - 1", warpbreaks, quasipoisson(), test = "F")
add("warpbreaks_power", "breaks ~ (wool + tension)^2", warpbreaks, poisson(link = "sqrt"))
add("insectsprays_relevel", "count ~ relevel(spray, ref = \"C\")", InsectSprays, poisson())
add("insectsprays_helmert", "count ~ spray", InsectSprays, gaussian(), contrasts = list(spray = "contr.helmert"), test = "F")
add("esoph_ordered", "cbind(ncases, ncontrols) ~ agegp + tobgp + alcgp", esoph, binomial())
add("esoph_ordered_treatment", "cbind(ncases, ncontrols) ~ agegp + alcgp", esoph, binomial(link = "probit"), contrasts = list(agegp = "contr.treatment"))
mt <- mtcars[, c("mpg", "cyl", "disp", "hp", "wt", "am")]
add("mtcars_poly", "mpg ~ poly(hp, 2) + wt", mt, gaussian(), test = "F")
add("mtcars_raw_poly_log", "mpg ~ poly(hp, 3, raw = TRUE) + log(disp)", mt, Gamma(link = "log"), test = "F")
add("mtcars_binary_arithmetic", "am ~ wt + I(hp/100)", mt, binomial())
add("mtcars_dot", "mpg ~ . - am", mt, gaussian(), test = "F")
add("mtcars_factor_numeric_interaction", "mpg ~ factor(cyl) * wt", mt, gaussian(), test = "F")
add("mtcars_numeric_by_factor_only", "mpg ~ wt:factor(cyl)", mt, gaussian(), test = "F")
add("insurance_exposure", "Claims ~ District + Group + Age + offset(log(Holders))", MASS::Insurance, poisson())
add("toothgrowth_factor_dose", "len ~ supp * factor(dose)", ToothGrowth, gaussian(), test = "F")
add("toothgrowth_exp_sqrt", "len ~ supp + exp(dose) + sqrt(dose)", ToothGrowth, Gamma(link = "inverse"), test = "F")

# Synthetic tables: character and logical columns, missing values, unused levels, exposure offsets, weights.
set.seed(20261201)
n <- 120
region <- sample(c("north", "south", "east", "west"), n, replace = TRUE)
agegroup <- factor(sample(c("18-25", "26-40", "41-65", "65+"), n, replace = TRUE), levels = c("18-25", "26-40", "41-65", "65+", "unused"))
exposure <- round(runif(n, 0.2, 2), 3)
claims <- rpois(n, exposure * exp(0.3 * (region == "north") - 0.2 * as.integer(agegroup)))
x <- round(rnorm(n), 4)
w <- sample(1:4, n, replace = TRUE)
flag <- sample(c(TRUE, FALSE), n, replace = TRUE)
hit <- runif(n) < plogis(0.5 * x + flag)
outcome <- factor(ifelse(runif(n) < plogis(x), "yes", "no"))
y <- 1 + 2 * x + 0.5 * (region == "east") + rnorm(n)
ins <- data.frame(claims, region, agegroup, exposure, logexp = log(exposure), x, w, flag, hit, outcome, y, stringsAsFactors = FALSE)
ins$x[c(3, 17)] <- NA
ins$region[c(5, 40)] <- NA
ins$agegroup[ins$region %in% "west" & ins$agegroup %in% "65+"] <- NA # every 65+ in the west is missing: levels survive elsewhere
complete <- ins[complete.cases(ins), ]
add("claims_offset_in_formula", "claims ~ region + agegroup + offset(log(exposure))", ins, poisson(), newdata = head(complete, 6))
add("claims_offset_argument", "claims ~ region * x", ins, poisson(), offset = "logexp", newdata = head(complete, 6))
add("weighted_gaussian", "y ~ x + region", ins, gaussian(), weights = "w", test = "F", newdata = head(complete, 6))
add("logical_response_and_predictor", "hit ~ flag + x", ins, binomial(), newdata = head(complete, 6))
add("factor_response", "outcome ~ x + I(x^2)", ins, binomial(link = "cloglog"), newdata = head(complete, 6))
add("nested_in", "y ~ x %in% region", ins, gaussian(), test = "F", newdata = head(complete, 6))
add("unused_level_dropped", "claims ~ agegroup", ins[ins$agegroup %in% c("18-25", "26-40", "41-65"), ], poisson(), newdata = head(complete[complete$agegroup != "65+", ], 6))

writeLines(paste0("[", paste(cases, collapse = ",\n"), "]"), "formula_cases.json")
cat(length(cases), "cases\n")
