# Multinomial logistic regression: nnet::multinom, polished by Newton's method on the full likelihood.
# multinom stops on lack of progress (about 1e-6 relative in the coefficients); a few Newton steps from its answer
# give the maximum to rounding, which the library's Newton fit is compared with at 1e-8.
# Run from this folder:  Rscript make_multinom.R   (R >= 4.2 with MASS and nnet; Debian: r-cran-mass r-cran-nnet)
suppressPackageStartupMessages({ library(nnet); library(MASS) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
source("json.R")

polish <- function(X, Y, w, B) {
  K <- ncol(Y); p <- ncol(X)
  for (it in 1:50) {
    eta <- cbind(0, X %*% t(B)); P <- exp(eta - apply(eta, 1, max)); P <- P / rowSums(P)
    g <- as.vector(crossprod(X, w * (Y[, -1, drop = FALSE] - P[, -1, drop = FALSE]))) # class by class
    H <- matrix(0, (K - 1) * p, (K - 1) * p)
    for (k in 2:K) for (l in 2:K) {
      d <- w * P[, k] * ((k == l) - P[, l])
      H[(k - 2) * p + 1:p, (l - 2) * p + 1:p] <- crossprod(X, d * X)
    }
    step <- solve(H, g)
    B <- B + matrix(step, K - 1, p, byrow = TRUE)
    if (max(abs(step)) < 1e-14 * max(1, max(abs(B)))) break
  }
  list(B = B, V = solve(H), P = P)
}

cases <- character(0)
add <- function(name, formula, data, weights = NULL) {
  args <- list(formula = as.formula(formula), data = data, trace = FALSE, maxit = 1000, reltol = 1e-12)
  if (!is.null(weights)) args$weights <- as.name(weights)
  fit <- do.call(multinom, args)
  X <- model.matrix(fit)
  yv <- model.response(model.frame(fit))
  lev <- levels(yv)
  Y <- outer(as.integer(yv), seq_along(lev), "==") * 1
  w <- if (is.null(weights)) rep(1, nrow(X)) else data[[weights]]
  B0 <- coef(fit); if (is.null(dim(B0))) B0 <- matrix(B0, 1)
  pol <- polish(X, Y, w, B0)
  dev <- -2 * sum(w * rowSums(Y * log(pol$P)))
  se <- matrix(sqrt(diag(pol$V)), nrow(pol$B), byrow = TRUE)
  case <- list(name = s1(name), formula = s1(formula), weights = if (is.null(weights)) NULL else s1(weights),
    classes = lev, columns = colnames(X), multinom_coefficients = as.vector(t(B0)), coefficients = as.vector(t(pol$B)),
    se = as.vector(t(se)), deviance = s1(dev), multinom_deviance = s1(deviance(fit)), aic = s1(dev + 2 * length(pol$B)),
    probabilities = as.vector(t(pol$P[1:5, ])))
  body <- paste0("\"", names(case), "\":", vapply(case, to_json, ""), collapse = ",")
  cases <<- c(cases, paste0("{", body, ",\"data\":", table_json(data), "}"))
}

hous <- data.frame(Sat = factor(as.character(housing$Sat), levels = levels(housing$Sat)), Infl = factor(as.character(housing$Infl), levels = levels(housing$Infl)),
                   Type = factor(as.character(housing$Type), levels = levels(housing$Type)), Cont = factor(as.character(housing$Cont), levels = levels(housing$Cont)), Freq = housing$Freq)
add("housing_frequency_weights", "Sat ~ Infl + Type + Cont", hous, weights = "Freq")
add("housing_reference_medium", "relevel(Sat, ref = \"Medium\") ~ Infl + Cont", hous, weights = "Freq")
cars <- data.frame(AirBags = factor(as.character(Cars93$AirBags)), Price = Cars93$Price, Horsepower = Cars93$Horsepower, Origin = factor(as.character(Cars93$Origin)))
add("cars93_airbags", "AirBags ~ Price + Horsepower + Origin", cars)
set.seed(20261201)
n <- 300
syn <- data.frame(x1 = round(rnorm(n), 4), x2 = round(runif(n), 4), g = sample(c("a", "b", "c"), n, replace = TRUE), stringsAsFactors = FALSE)
eta <- cbind(0, 0.5 + syn$x1, -0.3 + 1.2 * syn$x2 + (syn$g == "b"), 0.2 - 0.8 * syn$x1 + 0.5 * (syn$g == "c"))
pr <- exp(eta) / rowSums(exp(eta))
syn$cls <- factor(apply(pr, 1, function(p) sample(c("w", "x", "y", "z"), 1, prob = p)))
add("synthetic_four_classes", "cls ~ x1 + x2 + g", syn)
writeLines(paste0("[", paste(cases, collapse = ",\n"), "]"), "multinom_cases.json")
cat(length(cases), "cases\n")
