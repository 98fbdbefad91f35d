using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using NNLinearity.Families;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>
/// Certifies that a binomial or Poisson (log link) maximum likelihood estimate does not exist. For a direction d in
/// coefficient space, the likelihood increases without bound along d when every row satisfies its sign condition
/// (Albert and Anderson 1984; Haberman 1974): binomial rows with y = 1 need x^T d &gt;= 0, rows with y = 0 need
/// x^T d &lt;= 0, proportions strictly inside (0, 1) need x^T d = 0; Poisson rows with y = 0 need x^T d &lt;= 0 and
/// positive counts x^T d = 0, with at least one strict inequality. The candidate d is the last IRLS step, which in a
/// separated fit points along the recession direction; the certificate is checked row by row, so it is never
/// reported without proof (up to the tolerance 1e-6 |x| used for "= 0").
/// </summary>
internal static class Separation
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-row work: optimised from a one-shot script's first call
    public static double[]? Certify(GlmFamily family, ILinkFunction link, DesignSource design, double[] y, double[] w, double[] mu, double[] beta, double[] previous, bool[] aliased)
    {
        bool binomial = family is BinomialFamily && link is not LogLink;
        bool poisson = family is PoissonFamily && (link is LogLink || (link is PowerLink pl && pl.Lambda == 0));
        if (!binomial && !poisson) return null;
        int n = design.N, p = design.P;

        double[] d = new double[p];
        double norm = 0;
        for (int j = 0; j < p; j++)
        {
            d[j] = aliased[j] ? 0 : beta[j] - previous[j];
            norm += d[j] * d[j];
        }

        norm = Math.Sqrt(norm);
        if (!(norm > 0)) return null;
        for (int j = 0; j < p; j++) d[j] /= norm;

        int strict = 0;
        double meanY = double.NaN;
        for (int i = 0; i < n; i++)
        {
            if (w[i] <= 0) continue;
            double a = 0, r = 0;
            for (int j = 0; j < p; j++)
            {
                double x = design[i, j];
                a += x * d[j];
                r += x * x;
            }

            double zero = 1e-6 * Math.Sqrt(r);
            // s = +1 where the likelihood wants mu to grow, -1 where it wants mu to shrink, 0 where it must stay.
            int s = binomial ? (y[i] == 1 ? 1 : y[i] == 0 ? -1 : 0) : (y[i] == 0 ? -1 : 0);
            double sa = s * a;
            if (s == 0 ? Math.Abs(a) > zero : sa < -zero) return null;
            if (s != 0 && sa > zero)
            {
                // A strictly separated row must already sit at the boundary of the mean's range.
                bool atBoundary = binomial ? Math.Min(mu[i], 1 - mu[i]) < 1e-6 : mu[i] < 1e-6 * Math.Max(1.0, double.IsNaN(meanY) ? meanY = Mean(y.AsSpan(0, n)) : meanY);
                if (!atBoundary) return null;
                strict++;
            }
        }

        return strict > 0 ? d : null;
    }

    private static double Mean(ReadOnlySpan<double> y)
    {
        double s = 0;
        foreach (double v in y) s += v;
        return s / y.Length;
    }
}
