# Times R's glm.fit on exactly the data of GlmFitBench (1,000,000 x 20 + intercept, seed 42).
#   dotnet run -c Release --project benchmarks/NNLinearity.Benchmarks -- export-glm-data /tmp/glmdata
#   Rscript benchmarks/NNLinearity.Benchmarks/r/glm_fit_timing.R /tmp/glmdata [PROBLEMS [REPEATS]]
# PROBLEMS: "logistic", "poisson" or "logistic,poisson" (the default); REPEATS: fits per problem (3 by default).
# Prints seconds per fit (the median of the repeats), the iteration count and the deviance, to compare with the C# fit.
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp/glmdata"
problems <- if (length(args) >= 2) strsplit(args[2], ",")[[1]] else c("logistic", "poisson")
repeats <- if (length(args) >= 3) as.integer(args[3]) else 3L
n <- 1000000L; k <- 20L
for (problem in problems) {
  x <- matrix(readBin(file.path(dir, paste0(problem, "_x.bin")), "double", n * k), ncol = k, byrow = TRUE)
  y <- readBin(file.path(dir, paste0(problem, "_y.bin")), "double", n)
  X <- cbind(1, x)
  fam <- if (problem == "logistic") binomial() else poisson()
  times <- numeric(repeats)
  for (r in seq_len(repeats)) times[r] <- system.time(fit <- glm.fit(X, y, family = fam))[["elapsed"]]
  cat(sprintf("%s: R %s glm.fit %.2f s (median of %d), %d iterations, deviance %.10g\n",
              problem, getRversion(), median(times), repeats, fit$iter, fit$deviance))
}
