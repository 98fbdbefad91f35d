# Streamed logistic fits in R on the data of `generate-stream-data ROWS PARTS FOLDER raw` (data.f64: little-endian
# doubles, row-major y, x1..x20), read in chunks of 2^20 rows with readBin (Debian's R has no Parquet reader):
# biglm::bigglm and speedglm::shglm, the R packages for GLMs beyond memory. Prints each fit's time, iterations, the
# time to read the file once, the coefficients and the process's peak resident memory.
# Usage: Rscript stream_glm_timing.R FOLDER
# biglm 0.9-3 and speedglm 0.3-5 are not in Debian: they were installed from their CRAN sources with R CMD INSTALL.
suppressMessages({ library(biglm); library(speedglm) })
args <- commandArgs(trailingOnly = TRUE)
path <- file.path(args[1], "data.f64")
k <- 20L; width <- k + 1L; chunk <- 2^20
rows <- file.size(path) / (8 * width)
names <- c("y", paste0("x", 1:k))
form <- as.formula(paste("y ~", paste(names[-1], collapse = " + ")))

make_reader <- function() {
  con <- NULL
  function(reset = FALSE) {
    if (reset) {
      if (!is.null(con)) close(con)
      con <<- file(path, "rb")
      return(invisible(NULL))
    }
    if (is.null(con)) con <<- file(path, "rb")
    v <- readBin(con, "double", n = chunk * width, size = 8, endian = "little")
    if (length(v) == 0) { close(con); con <<- NULL; return(NULL) }
    m <- matrix(v, ncol = width, byrow = TRUE)
    colnames(m) <- names
    as.data.frame(m)
  }
}

t_read <- system.time({
  r <- make_reader(); r(reset = TRUE); n <- 0
  while (!is.null(d <- r())) n <- n + nrow(d)
})[["elapsed"]]
cat(sprintf("R read once: %.0f rows in %.2f s\n", n, t_read))

r <- make_reader()
t_big <- system.time(fit_big <- bigglm(form, data = r, family = binomial(), chunksize = chunk, maxit = 25))[["elapsed"]]
cat(sprintf("biglm::bigglm: %.2f s, %d iterations, converged %s, deviance %.10g\n", t_big, fit_big$iterations, fit_big$converged, deviance(fit_big)))
cat("bigglm coefficients:", sprintf("%.17g", coef(fit_big)), "\n")

r <- make_reader()
t_shglm <- system.time(fit_sh <- shglm(form, datafun = r, family = binomial(), chunk = chunk))[["elapsed"]]
cat(sprintf("speedglm::shglm: %.2f s, %d iterations, deviance %.10g\n", t_shglm, fit_sh$iter, fit_sh$deviance))
cat("shglm coefficients:", sprintf("%.17g", coef(fit_sh)), "\n")
status <- readLines("/proc/self/status")
cat(sprintf("R peak resident memory: %s\n", sub("VmHWM:\\s*", "", grep("^VmHWM", status, value = TRUE))))
