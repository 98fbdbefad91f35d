# Times R's glm.fit on exactly the data of GlmFitBench (1,000,000 x 20 + intercept, seed 42).
#   dotnet run -c Release --project benchmarks/NNLinearity.Benchmarks -- export-glm-data /tmp/glmdata
#   Rscript benchmarks/NNLinearity.Benchmarks/r/glm_fit_timing.R /tmp/glmdata
# Prints seconds per fit (median of 3), the iteration count and the deviance, to compare with the C# fit.
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args)) args[1] else "/tmp/glmdata"
n <- 1000000L; k <- 20L
for (problem in c("logistic", "poisson")) {
  x <- matrix(readBin(file.path(dir, paste0(problem, "_x.bin")), "double", n * k), ncol = k, byrow = TRUE)
  y <- readBin(file.path(dir, paste0(problem, "_y.bin")), "double", n)
  X <- cbind(1, x)
  fam <- if (problem == "logistic") binomial() else poisson()
  times <- numeric(3)
  for (r in 1:3) times[r] <- system.time(fit <- glm.fit(X, y, family = fam))[["elapsed"]]
  cat(sprintf("%s: R %s glm.fit %.2f s (median of 3), %d iterations, deviance %.10g\n",
              problem, getRversion(), median(times), fit$iter, fit$deviance))
}
