# Writes tests/NNLinearity.Tests/Fixtures/large_glm.json: R's glm.fit on the benchmark data (1,000,000 x 20 +
# intercept, seed 42), exported by `dotnet run -c Release --project benchmarks/NNLinearity.Benchmarks -- export-glm-data DIR`.
#   Rscript benchmarks/NNLinearity.Benchmarks/r/large_glm_fixture.R DIR tests/NNLinearity.Tests/Fixtures/large_glm.json
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; out <- args[2]
n <- 1000000L; k <- 20L
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
parts <- character()
for (problem in c("logistic", "poisson")) {
  x <- matrix(readBin(file.path(dir, paste0(problem, "_x.bin")), "double", n * k), ncol = k, byrow = TRUE)
  y <- readBin(file.path(dir, paste0(problem, "_y.bin")), "double", n)
  fit <- glm.fit(cbind(1, x), y, family = if (problem == "logistic") binomial() else poisson())
  p <- fit$rank
  se <- sqrt(diag(chol2inv(fit$qr$qr[1:p, 1:p, drop = FALSE])))  # dispersion 1 for both families
  parts <- c(parts, sprintf('"%s":{"coefficients":%s,"se":%s,"deviance":%.17g,"null_deviance":%.17g,"aic":%.17g,"iterations":%d}',
    problem, num(fit$coefficients), num(se), fit$deviance, fit$null.deviance, fit$aic, fit$iter))
}
writeLines(paste0("{", paste(parts, collapse = ","), "}"), out)
