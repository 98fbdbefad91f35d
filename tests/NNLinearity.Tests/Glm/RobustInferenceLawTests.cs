using System;
using System.Linq;
using FsCheck;
using MathNet.Numerics.Distributions;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Reference;

namespace NNLinearity.Tests.Glm;

/// <summary>Laws of the sandwich covariances and influence measures, on the generated GLM cases.</summary>
public class RobustInferenceLawTests
{
    private static GlmFit Fit(GlmCase c) => NNLinearity.Glm.Glm.Fit(c.X, c.Rows, c.Columns, c.Y, c.Family, c.Link, new GlmOptions { Epsilon = 1e-10 });

    /// <summary>The hat values are a projection's diagonal: each in [0, 1], and they sum to its rank (the model's).</summary>
    [Law]
    public bool HatValues_SumToTheRank(GlmCase c)
    {
        GlmFit fit = Fit(c);
        double[] h = fit.Influence(c.X).Hat;
        return h.All(v => v >= -1e-12 && v <= 1 + 1e-12) && Tolerance.Close(fit.Rank, h.Sum(), 1e-9, 1e-9);
    }

    /// <summary>
    /// With one row per cluster the cluster sums are the rows' scores, so the one-way cluster-robust covariance (HC0)
    /// is HC0 times the small-sample adjustment G / (G - 1), G the rows, and its HC1 is that times (n - 1) / (n - k).
    /// </summary>
    [Law]
    public bool OneRowPerCluster_IsHC0TimesTheAdjustment(GlmCase c)
    {
        GlmFit fit = Fit(c);
        int n = c.Rows, k = fit.Rank;
        double[,] hc0 = fit.RobustCovariance(c.X, RobustCovarianceType.HC0);
        int[] clusters = Enumerable.Range(0, n).ToArray();
        double[,] cl0 = fit.ClusterRobustCovariance(c.X, clusters, RobustCovarianceType.HC0);
        double[,] cl1 = fit.ClusterRobustCovariance(c.X, clusters, RobustCovarianceType.HC1);
        double adj = n / (n - 1.0), df = (n - 1.0) / (n - k);
        for (int a = 0; a < hc0.GetLength(0); a++)
        {
            for (int b = 0; b < hc0.GetLength(0); b++)
            {
                double scale = Math.Sqrt(hc0[a, a] * hc0[b, b]);
                if (!Tolerance.Close(hc0[a, b] * adj, cl0[a, b], 1e-12, 1e-12 * scale)) return false;
                if (!Tolerance.Close(hc0[a, b] * adj * df, cl1[a, b], 1e-12, 1e-12 * scale)) return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A correctly specified Gaussian model with constant variance: the sandwich (HC0) and the classical covariance
    /// estimate the same matrix, so on 20,000 rows their standard errors agree within a few percent (their relative
    /// difference has a standard deviation of about sqrt(2 / n) times the kurtosis' effect, under 2% here; 6% is
    /// allowed). With variance growing in x the classical error of the slope is wrong and the sandwich is not: it moves
    /// away from the classical one by more than 20%.
    /// </summary>
    [Law]
    public bool HC0_EqualsTheClassicalCovarianceWhenTheModelIsRight(PositiveInt seed)
    {
        const int n = 20_000;
        var rng = new Random(seed.Get);
        double[] x = new double[n], y = new double[n], yh = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = Normal.Sample(rng, 0, 1);
            double e = Normal.Sample(rng, 0, 1);
            y[i] = 1 + 2 * x[i] + e;
            yh[i] = 1 + 2 * x[i] + e * Math.Exp(x[i]); // variance e^(2x): heteroskedastic
        }

        GlmFit right = NNLinearity.Glm.Glm.Fit(x, n, 1, y, GlmFamily.Gaussian);
        double[,] hc = right.RobustCovariance(x, RobustCovarianceType.HC0);
        bool agree = Enumerable.Range(0, 2).All(j => Math.Abs(Math.Sqrt(hc[j, j]) / right.StandardErrors[j] - 1) < 0.06);
        GlmFit wrong = NNLinearity.Glm.Glm.Fit(x, n, 1, yh, GlmFamily.Gaussian);
        double[,] hcw = wrong.RobustCovariance(x, RobustCovarianceType.HC0);
        bool differs = Math.Abs(Math.Sqrt(hcw[1, 1]) / wrong.StandardErrors[1] - 1) > 0.2;
        return agree && differs;
    }

    /// <summary>HC3 &gt;= HC2 &gt;= HC0 on every diagonal entry: dividing by 1 - h and (1 - h)^2, h in [0, 1), only inflates.</summary>
    [Law]
    public bool HcTypes_AreOrdered(GlmCase c)
    {
        GlmFit fit = Fit(c);
        double[,] h0 = fit.RobustCovariance(c.X, RobustCovarianceType.HC0), h2 = fit.RobustCovariance(c.X, RobustCovarianceType.HC2), h3 = fit.RobustCovariance(c.X);
        return Enumerable.Range(0, h0.GetLength(0)).All(j => h0[j, j] <= h2[j, j] * (1 + 1e-12) && h2[j, j] <= h3[j, j] * (1 + 1e-12));
    }
}
