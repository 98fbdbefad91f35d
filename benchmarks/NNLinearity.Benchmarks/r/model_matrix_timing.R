# R's model.matrix on DesignBench's CSV files (the benchmark writes them to the temporary folder on its first run):
#   Rscript model_matrix_timing.R /tmp/nnlinearity-design-1000000.csv /tmp/nnlinearity-design-100000.csv
# Times read.csv (stringsAsFactors) and model.matrix separately, median of 3, with the peak memory R reports.
args <- commandArgs(trailingOnly = TRUE)
xs <- paste0("x", 1:10, collapse = " + ")
for (path in args) {
  n <- as.integer(sub(".*-([0-9]+)\\.csv$", "\\1", path))
  f <- as.formula(paste(if (n >= 1e6) "~ f1 + f2 +" else "~ f1 * f2 +", xs))
  gc(reset = TRUE)
  t_read <- system.time(d <- read.csv(path, stringsAsFactors = TRUE))[["elapsed"]]
  times <- numeric(3)
  for (i in 1:3) { rm(list = intersect("m", ls())); invisible(gc()); times[i] <- system.time(m <- model.matrix(f, d))[["elapsed"]] }
  peak <- sum(gc()[, 6])
  cat(sprintf("R %s: %d rows, model.matrix %d x %d: read.csv %.2f s, model.matrix median %.2f s (%s), peak %.0f MB\n",
              R.version.string, n, nrow(m), ncol(m), t_read, median(times), paste(sprintf("%.2f", times), collapse = " "), peak))
  rm(m, d); invisible(gc())
}
