using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NNLinearity.Glm;

public sealed partial class GlmFit
{
    /// <summary>
    /// Profile-likelihood confidence intervals (R's <c>confint</c> for glm objects, MASS's profile.glm): for each
    /// coefficient b_j, the model is refitted with b_j fixed at steps of zmax / 5 standard errors on either side (at most
    /// 9 steps, until the signed root z = sign(b_j - b^_j) sqrt((D(b_j) - D) / phi) passes zmax, with zmax = the
    /// (1 - (1 - level)/4) root chi-square(1) quantile for the binomial and Poisson families and the root F(1, n - p)
    /// quantile otherwise), and the limits are where the interpolating spline of z (R's "fmm" spline evaluated at three
    /// points per step, then linear interpolation) crosses the normal quantiles of the level. For a fit from a formula.
    /// </summary>
    /// <param name="level">The confidence level, in (0, 1).</param>
    /// <param name="refit">Options of the refits (R uses the fit's own control: pass the Epsilon and MaxIterations it was made with).</param>
    /// <returns>One interval per coefficient. A limit the profile does not reach within its steps is NaN (R gives NA; Wald intervals of such a coefficient are unreliable too), as are both limits of an aliased coefficient.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not in (0, 1).</exception>
    /// <exception cref="InvalidOperationException">The fit was made from a matrix (pass it) or without per-row results, or profiling found a lower deviance than the fit's (it had not converged).</exception>
    public IReadOnlyList<ConfidenceInterval> ProfileConfidenceIntervals(double level = 0.95, GlmOptions? refit = null)
        => ProfileCore(FittedDesign(null, "x"), level, refit);

    /// <summary>Profile-likelihood confidence intervals (see <see cref="ProfileConfidenceIntervals(double, GlmOptions?)"/>) of a fit made from a matrix.</summary>
    /// <param name="x">The predictors the model was fitted to, row-major [rows, columns] without the intercept column.</param>
    /// <param name="level">The confidence level, in (0, 1).</param>
    /// <param name="refit">Options of the refits.</param>
    /// <returns>One interval per coefficient (NaN limits as in the formula overload).</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not the fitted design.</exception>
    public IReadOnlyList<ConfidenceInterval> ProfileConfidenceIntervals(double[] x, double level = 0.95, GlmOptions? refit = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return ProfileCore(FittedDesign(x, nameof(x)), level, refit);
    }

    private ConfidenceInterval[] ProfileCore((double[] X, int N, int P) d, double level, GlmOptions? refit)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        (double[] x, int n, int p) = d;
        double alpha = (1 - level) / 4;
        bool chiSquare = Family.Name is "binomial" or "poisson";
        double zmax = chiSquare
            ? Numerics.Special.NormalQuantile(1 - alpha / 2)
            : MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, n - p, 1 - alpha / 2);
        double del = zmax / 5;
        const int MaxSteps = 10;
        double phi = Dispersion;
        IReadOnlyList<double> y = _response!, w = _priorWeights!, eta = _linearPredictors!;
        int[] live = LiveColumns();
        var offset0 = new double[n];
        for (int i = 0; i < n; i++)
        {
            double xb = 0;
            foreach (int j in live) xb += x[(long)i * p + j] * Coefficients[j];
            offset0[i] = eta[i] - xb; // the fit's own offset
        }

        double cutLow = Numerics.Special.NormalQuantile((1 - level) / 2), cutHigh = Numerics.Special.NormalQuantile(1 - (1 - level) / 2);
        var result = new ConfidenceInterval[p];
        for (int j = 0; j < p; j++)
        {
            if (Aliased[j])
            {
                result[j] = new ConfidenceInterval(CoefficientNames[j], double.NaN, double.NaN);
                continue;
            }

            int[] others = live.Where(c => c != j).ToArray();
            var xi = new double[(long)n * others.Length];
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < others.Length; c++) xi[(long)i * others.Length + c] = x[(long)i * p + others[c]];
            }

            var zs = new List<double> { 0 };
            var bs = new List<double> { Coefficients[j] };
            for (int sgn = -1; sgn <= 1; sgn += 2)
            {
                double z = 0;
                double[] lp = eta.ToArray();
                for (int step = 1; step < MaxSteps && Math.Abs(z) < zmax; step++)
                {
                    double bi = Coefficients[j] + sgn * step * del * StandardErrors[j];
                    var o = new double[n];
                    for (int i = 0; i < n; i++) o[i] = offset0[i] + x[(long)i * p + j] * bi;
                    double dev = ProfileRefit(xi, n, others.Length, y, w, o, lp, refit, out double[] newLp);
                    lp = newLp;
                    double zz = (dev - Deviance) / phi;
                    if (zz <= -0.001)
                    {
                        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                            $"Profiling {CoefficientNames[j]} found a deviance {dev:G10} below the fit's {Deviance:G10}: the fit had not converged (refit it with a smaller Epsilon)."));
                    }

                    z = sgn * Math.Sqrt(Math.Max(zz, 0));
                    zs.Add(z);
                    bs.Add(bi);
                }
            }

            int[] order = Enumerable.Range(0, zs.Count).OrderBy(k => zs[k]).ToArray();
            double[] bx = order.Select(k => bs[k]).ToArray(), zy = order.Select(k => zs[k]).ToArray();
            (double[] gx, double[] gy) = RSpline.Fmm(bx, zy, 3 * bx.Length);
            result[j] = new ConfidenceInterval(CoefficientNames[j], RSpline.Approx(gy, gx, cutLow), RSpline.Approx(gy, gx, cutHigh));
        }

        return result;
    }

    /// <summary>The deviance of the fit on the other columns with the coefficient fixed in the offset, started from the previous linear predictor (R's etastart).</summary>
    private double ProfileRefit(double[] xi, int n, int k, IReadOnlyList<double> y, IReadOnlyList<double> w, double[] offset, double[] lp, GlmOptions? refit, out double[] newLp)
    {
        var mustart = new double[n];
        for (int i = 0; i < n; i++) mustart[i] = FittingMean(lp[i]);
        GlmOptions o = (refit ?? new GlmOptions()) with
        {
            Intercept = false,
            Offset = offset,
            Weights = w,
            StartingMeans = mustart,
            Start = null,
            ColumnNames = null,
            KeepRowResults = true,
        };
        GlmFit fm;
        if (k == 0)
        {
            double dev = 0;
            newLp = (double[])offset.Clone();
            for (int i = 0; i < n; i++) dev += Family.Deviance(y[i], FittingMean(offset[i]), w[i]);
            return dev;
        }

        fm = Glm.Fit(xi, n, k, y, Family, Link, o);
        newLp = fm.RawLinearPredictors.ToArray();
        return fm.Deviance;
    }
}

/// <summary>R's spline(method = "fmm") and approx(): the interpolation MASS's confint applies to a profile.</summary>
internal static class RSpline
{
    /// <summary>The Forsythe-Malcolm-Moler cubic spline through (x, y) (x increasing) evaluated at n equally spaced points from x[0] to x[^1].</summary>
    public static (double[] X, double[] Y) Fmm(double[] x, double[] y, int n)
    {
        int m = x.Length;
        var b = new double[m];
        var c = new double[m];
        var d = new double[m];
        Coefficients(x, y, b, c, d);
        var gx = new double[n];
        var gy = new double[n];
        double by = (x[^1] - x[0]) / (n - 1);
        for (int t = 0; t < n; t++)
        {
            double u = t == n - 1 ? x[^1] : x[0] + t * by;
            int i = 0;
            if (u >= x[1])
            {
                int lo = 0, hi = m;
                while (hi - lo > 1)
                {
                    int mid = (lo + hi) / 2;
                    if (u < x[mid]) hi = mid; else lo = mid;
                }

                i = lo;
            }

            double dx = u - x[i];
            gx[t] = u;
            gy[t] = y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]));
        }

        return (gx, gy);
    }

    /// <summary>R's fmm_spline (stats/src/splines.c): end conditions from cubics through the first and last four points.</summary>
    private static void Coefficients(double[] x, double[] y, double[] b, double[] c, double[] d)
    {
        int n = x.Length;
        if (n < 2) return;
        if (n < 3)
        {
            double t = (y[1] - y[0]) / (x[1] - x[0]);
            b[0] = b[1] = t;
            return;
        }

        int nm1 = n - 1;
        d[0] = x[1] - x[0];
        c[1] = (y[1] - y[0]) / d[0];
        for (int i = 1; i < nm1; i++)
        {
            d[i] = x[i + 1] - x[i];
            b[i] = 2.0 * (d[i - 1] + d[i]);
            c[i + 1] = (y[i + 1] - y[i]) / d[i];
            c[i] = c[i + 1] - c[i];
        }

        b[0] = -d[0];
        b[nm1] = -d[n - 2];
        c[0] = c[nm1] = 0.0;
        if (n > 3)
        {
            c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0]);
            c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4]);
            c[0] = c[0] * d[0] * d[0] / (x[3] - x[0]);
            c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4]);
        }

        for (int i = 1; i <= nm1; i++)
        {
            double t = d[i - 1] / b[i - 1];
            b[i] = b[i] - t * d[i - 1];
            c[i] = c[i] - t * c[i - 1];
        }

        c[nm1] = c[nm1] / b[nm1];
        for (int i = n - 2; i >= 0; i--) c[i] = (c[i] - d[i] * c[i + 1]) / b[i];
        b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1]);
        for (int i = 0; i < nm1; i++)
        {
            b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i]);
            d[i] = (c[i + 1] - c[i]) / d[i];
            c[i] = 3.0 * c[i];
        }

        c[nm1] = 3.0 * c[nm1];
        d[nm1] = d[n - 2];
    }

    /// <summary>R's approx(x, y, xout)$y with rule 1 and ties averaged: NaN outside the range of x.</summary>
    public static double Approx(double[] x, double[] y, double xout)
    {
        // regularize.values: order by x, average y over tied x.
        var groups = x.Select((v, i) => (X: v, Y: y[i])).Where(p => !double.IsNaN(p.X)).GroupBy(p => p.X).Select(g => (X: g.Key, Y: g.Average(p => p.Y))).OrderBy(p => p.X).ToArray();
        if (groups.Length == 0 || xout < groups[0].X || xout > groups[^1].X) return double.NaN;
        if (groups.Length == 1) return groups[0].Y;
        int lo = 0, hi = groups.Length - 1;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) / 2;
            if (xout < groups[mid].X) hi = mid; else lo = mid;
        }

        if (xout == groups[hi].X) return groups[hi].Y;
        if (xout == groups[lo].X) return groups[lo].Y;
        return groups[lo].Y + (groups[hi].Y - groups[lo].Y) * ((xout - groups[lo].X) / (groups[hi].X - groups[lo].X));
    }
}
