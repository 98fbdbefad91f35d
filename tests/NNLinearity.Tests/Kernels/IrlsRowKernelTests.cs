using System;
using NNLinearity.Families;
using NNLinearity.Kernels;
using NNLinearity.Numerics;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>
/// The per-row kernels of an IRLS pass on each vector width (512-bit, emulated where not accelerated, and
/// <see cref="System.Numerics.Vector{T}"/>) against their scalar formulas: clamps, floors, working weights and
/// responses bit for bit (the same operations per lane), block deviances of the binomial and Poisson families to
/// 1e-13 of the sum of |terms| (lanes are summed in another order), their variances bit for bit and their validity
/// flags exactly, and the finiteness check exactly.
/// </summary>
public class IrlsRowKernelTests
{
    private static readonly int[] Lengths = [0, 1, 3, 7, 8, 9, 16, 17, 128, 131];

    public static TheoryData<int, bool> Cases()
    {
        var d = new TheoryData<int, bool>();
        foreach (int n in Lengths)
        {
            d.Add(n, true);
            d.Add(n, false);
        }

        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClampFloorAndWorkingValues_AreTheScalarFormulas(int n, bool wide)
    {
        var rng = new Random(n * 2 + (wide ? 1 : 0));
        double[] Draw(Func<double> f)
        {
            var v = new double[n];
            for (int i = 0; i < n; i++) v[i] = f();
            return v;
        }

        double[] mu = Draw(() => rng.Next(6) == 0 ? (rng.Next(2) == 0 ? -0.1 : 1.1) : rng.NextDouble());
        double[] clamped = (double[])mu.Clone();
        if (wide) WorkingKernels.ClampMeans<Vec512D>(clamped, 1e-12, 1 - 1e-12);
        else WorkingKernels.ClampMeans<VecD>(clamped, 1e-12, 1 - 1e-12);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Clamp(mu[i], 1e-12, 1 - 1e-12), clamped[i]);

        double[] d = Draw(() => rng.Next(4) switch { 0 => 0.0, 1 => -1e-300, 2 => (rng.NextDouble() - 0.5) * 1e-16, _ => rng.NextDouble() - 0.5 });
        double[] floored = (double[])d.Clone();
        if (wide) WorkingKernels.FloorMagnitude<Vec512D>(floored, 2.2e-16);
        else WorkingKernels.FloorMagnitude<VecD>(floored, 2.2e-16);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Abs(d[i]) < 2.2e-16 ? double.CopySign(2.2e-16, d[i]) : d[i], floored[i]);

        double[] eta = Draw(() => rng.NextDouble() * 6 - 3), offset = Draw(() => rng.NextDouble() - 0.5), y = Draw(() => rng.Next(2));
        double[] w = Draw(() => rng.Next(5) switch { 0 => 0.0, 1 => -1.0, _ => rng.NextDouble() * 3 });
        double[] variance = Draw(() => 0.05 + rng.NextDouble());
        foreach (bool withOffset in new[] { false, true })
        {
            foreach (bool inPlace in new[] { false, true })
            {
                double[] ww = new double[n], dz = (double[])d.Clone();
                double[] z = inPlace ? dz : new double[n];
                ReadOnlySpan<double> off = withOffset ? offset : default;
                if (wide) WorkingKernels.WeightsAndResponse<Vec512D>(eta, off, y, mu, dz, w, variance, ww, z);
                else WorkingKernels.WeightsAndResponse<VecD>(eta, off, y, mu, dz, w, variance, ww, z);
                for (int i = 0; i < n; i++)
                {
                    bool used = w[i] > 0 && d[i] != 0;
                    Assert.Equal(used ? (withOffset ? eta[i] - offset[i] : eta[i]) + (y[i] - mu[i]) / d[i] : 0.0, z[i]);
                    Assert.Equal(used ? w[i] * d[i] * d[i] / variance[i] : 0.0, ww[i]);
                }
            }
        }

        double[] finite = Draw(() => rng.NextDouble());
        Assert.True(wide ? WeightedGram.AllFinite<Vec512D>(finite) : WeightedGram.AllFinite<VecD>(finite));
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            for (int at = 0; at < n; at += Math.Max(1, n / 5))
            {
                double keep = finite[at];
                finite[at] = bad;
                Assert.False(wide ? WeightedGram.AllFinite<Vec512D>(finite) : WeightedGram.AllFinite<VecD>(finite));
                finite[at] = keep;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BinomialAndPoissonBlocks_AreTheScalarFormulas(int n, bool wide)
    {
        var rng = new Random(1000 + n * 2 + (wide ? 1 : 0));
        foreach (string family in new[] { "binary", "proportion", "poisson" })
        {
            foreach (bool invalidMean in new[] { false, true })
            {
                var y = new double[n];
                var mu = new double[n];
                var w = new double[n];
                for (int i = 0; i < n; i++)
                {
                    y[i] = family switch { "binary" => rng.Next(2), "proportion" => rng.Next(3) == 0 ? rng.Next(5) / 4.0 : rng.Next(2), _ => rng.Next(6) };
                    mu[i] = family == "poisson" ? 0.01 + rng.NextDouble() * 8 : 1e-9 + rng.NextDouble() * (1 - 2e-9);
                    w[i] = rng.Next(6) == 0 ? 0.0 : 0.5 + rng.NextDouble() * 3;
                }

                if (invalidMean && n > 0) mu[rng.Next(n)] = family == "poisson" ? 0.0 : 1.0;
                GlmFamily f = family == "poisson" ? GlmFamily.Poisson : GlmFamily.Binomial;
                var variance = new double[n];
                bool valid = true;
                double dev = (family, wide) switch
                {
                    ("poisson", true) => PoissonFamily.VarianceAndDeviance<Vec512D>(y, mu, w, variance, ref valid),
                    ("poisson", false) => PoissonFamily.VarianceAndDeviance<VecD>(y, mu, w, variance, ref valid),
                    (_, true) => BinomialFamily.VarianceAndDeviance<Vec512D>(y, mu, w, variance, ref valid),
                    _ => BinomialFamily.VarianceAndDeviance<VecD>(y, mu, w, variance, ref valid),
                };
                double expected = 0, size = 0;
                bool expectedValid = true;
                for (int i = 0; i < n; i++)
                {
                    double term = f.Deviance(y[i], mu[i], w[i]);
                    expected += term;
                    size += Math.Abs(term);
                    expectedValid &= f.IsValidMean(mu[i]);
                    Assert.Equal(f.Variance(mu[i]), variance[i]);
                }

                Assert.Equal(expectedValid, valid);
                if (double.IsFinite(expected)) Tolerance.Equal(expected, dev, 0, 1e-13 * size + 1e-300, $"{family} deviance");
            }
        }
    }
}
