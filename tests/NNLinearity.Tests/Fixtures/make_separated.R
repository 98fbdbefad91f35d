# A separated binomial/cloglog fit (44 rows; the data are the test generator's GlmCase(binomial, cloglog, 44, 4,
# seed 344750), written to separated_cloglog.csv): R's glm converges by its rule at coefficients near 1e14 with
# fitted probabilities numerically 0 or 1, and sandwich's vcovHC(type = "HC0") still computes the covariance.
# Run from this folder:  Rscript make_separated.R   (R >= 4.2 with sandwich; Debian: r-base-core r-cran-sandwich)
suppressPackageStartupMessages(library(sandwich))
source("json.R")
d <- read.csv("separated_cloglog.csv")
f <- suppressWarnings(glm(y ~ ., family = binomial(link = "cloglog"), data = d, control = glm.control(epsilon = 1e-10)))
x <- as.matrix(d[, -1])
out <- list(name = s1("separated_cloglog"), rows = s1(nrow(x)), columns = s1(ncol(x)), x = as.vector(t(x)), y = d$y,
            epsilon = s1(1e-10), iter = s1(f$iter), converged = s1(f$converged), deviance = s1(deviance(f)),
            coefficients = unname(coef(f)), hc0 = as.vector(vcovHC(f, type = "HC0")),
            r_version = s1(paste(R.version$major, R.version$minor, sep = ".")), sandwich_version = s1(as.character(packageVersion("sandwich"))))
writeLines(paste0("[", to_json(out), "]"), "separated_cloglog.json")
