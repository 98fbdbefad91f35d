# The tail ratio of the float normal CDF (VectorMath.NormalCdfF): a rational N(a) / D(a), N of degree 4 and D of
# degree 5 with D(0) = 1, fitted to G(a) = Phi(-a) exp(a^2 / 2) on [0, 14.2] (Phi(-14.2) is below float's smallest
# subnormal) in relative error, by Sanathanan-Koerner iteration: each step is a linear weighted least-squares fit of
# N(a) - G(a) D(a) = 0, weighted by 1 / (G D_previous). The reference is R's pnorm in log scale. The variable is
# scaled to [0, 1] for the fit and the coefficients scaled back. Run: Rscript normal_cdf_float.R
amax <- 14.2
G <- function(a) exp(pnorm(-a, log.p = TRUE) + a^2 / 2)
m <- 4; n <- 5
N <- 1500
tmin <- 1 / (1 + 0.5 * amax)                     # nodes dense near 0, where G bends most
tt <- (tmin + 1) / 2 + (1 - tmin) / 2 * cos(pi * (seq_len(N) - 0.5) / N)
a <- sort(c((1 / tt - 1) / 0.5, seq(0, amax, length.out = 500)))
g <- G(a); s <- a / amax
ag <- seq(0, amax, length.out = 100001); gg <- G(ag); sg <- ag / amax
Dprev <- rep(1, length(a))
best <- Inf
for (it in 1:40) {
  A <- cbind(outer(s, 0:m, "^"), -g * outer(s, 1:n, "^"))
  w <- 1 / (g * Dprev)
  sol <- qr.solve(A * w, g * w, tol = 1e-14)
  p <- sol[1:(m + 1)]; q <- c(1, sol[(m + 2):(m + 1 + n)])
  Dprev <- as.vector(outer(s, 0:n, "^") %*% q)
  rel <- max(abs((outer(sg, 0:m, "^") %*% p) / (outer(sg, 0:n, "^") %*% q) / gg - 1))
  if (is.finite(rel) && rel < best) { best <- rel; bp <- p / amax^(0:m); bq <- q / amax^(0:n) }
}
cat(sprintf("max relative error on [0, %.1f]: %.2e\n", amax, best))
cat("N (constant first):", sprintf("%.17g", bp), "\n")
cat("D (constant first):", sprintf("%.17g", bq), "\n")
