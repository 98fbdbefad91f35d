# Reference values for NNLinearity's vectorised elementwise kernels, from R (the C library's exp, log, expm1,
# log1p, and R's pnorm / dnorm, whose lower tail is computed on the log scale where it would underflow).
# Run from this folder:  Rscript make_elementwise.R   (writes elementwise_values.json)
options(warn = 1)
num <- function(x) ifelse(is.infinite(x), ifelse(x > 0, "\"Infinity\"", "\"-Infinity\""), sprintf("%.17g", x))
arr <- function(v) paste0("[", paste(num(v), collapse = ","), "]")

set.seed(20261123)
special <- c(1e-310, 4.9e-324, 1e-300, 1e-20, 1e-16, 1.1e-16, 1e-10, 1e-5, 1e-3, 0.01, 0.1, 0.25, 0.3465, 0.3466,
             0.35, 0.5, 0.69, 0.7, 1, 1.5, 2, 5, 10, 20, 30, 36, 37, 40, 41, 50, 100, 300, 700, 709, 709.7, 745, 800)
random <- exp(runif(1500, log(1e-12), log(750)))
x <- c(0, special, -special, random, -random)
x <- x[order(abs(x), x)]

exp_ok <- x[x < 709.78]
log_x <- c(special, random, 2^-1074, 2^-1022, 0.999999, 1, 1.000001, 1e300)
log1p_x <- c(0, special, random, -c(special[special < 1], runif(300, 0, 1)), -1 + 1e-10, -0.9999999)
expm1_x <- x[x < 709.78]
softplus <- function(z) pmax(z, 0) + log1p(exp(-abs(z)))
norm_x <- x[abs(x) < 40]
# A dense sweep of the lower tail down to where R's pnorm turns subnormal: the rationals' and the exponential's
# rounding errors compound there.
sweep_x <- seq(-37.5, -0.66, length.out = 4001)

out <- paste0("{",
  "\"exp_x\":", arr(exp_ok), ",\"exp\":", arr(exp(exp_ok)),
  ",\"log_x\":", arr(log_x), ",\"log\":", arr(log(log_x)),
  ",\"log1p_x\":", arr(log1p_x), ",\"log1p\":", arr(log1p(log1p_x)),
  ",\"expm1_x\":", arr(expm1_x), ",\"expm1\":", arr(expm1(expm1_x)),
  ",\"softplus_x\":", arr(x), ",\"softplus\":", arr(softplus(x)),
  ",\"norm_x\":", arr(norm_x), ",\"pnorm\":", arr(pnorm(norm_x)), ",\"dnorm\":", arr(dnorm(norm_x)),
  ",\"pnorm_sweep_x\":", arr(sweep_x), ",\"pnorm_sweep\":", arr(pnorm(sweep_x)),
  "}")
writeLines(out, "elementwise_values.json")
