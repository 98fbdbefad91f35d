using System;
using System.Collections.Generic;
using System.Linq;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Numerics;
using NNLinearity.Tests.Kernels;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>
/// The per-row results a default fit keeps: above <see cref="KeptRows.NativeThreshold"/> rows they live in native
/// memory (so that dropped fits are reclaimed), and must read exactly as the arrays they replaced.
/// </summary>
public class KeptRowResultsTests
{
    private const int Rows = KeptRows.NativeThreshold + 1234, Columns = 3;

    private static (double[] X, double[] Y, double[] W, double[] Offset) Data()
    {
        var rng = new Random(7);
        double[] x = new double[Rows * Columns], y = new double[Rows], w = new double[Rows], off = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            double eta = -0.3;
            for (int j = 0; j < Columns; j++)
            {
                x[i * Columns + j] = rng.NextDouble() * 2 - 1;
                eta += (0.5 + j) * x[i * Columns + j];
            }

            off[i] = 0.1 * rng.NextDouble();
            w[i] = 1 + rng.Next(3);
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta - off[i])) ? 1 : 0;
        }

        return (x, y, w, off);
    }

    /// <summary>
    /// Each kept value against its definition: eta = offset + x beta (summed here in order), mu = logistic(eta), the
    /// responses and prior weights as given, R's working weights w mu (1 - mu) at the previous step (so only close), and
    /// the same coefficients, bit for bit, as the fit that keeps nothing.
    /// </summary>
    [Fact]
    public void LargeFit_KeepsRowResultsThatReadAsTheModelDefinesThem()
    {
        (double[] x, double[] y, double[] w, double[] off) = Data();
        var options = new GlmOptions { Weights = w, Offset = off };
        GlmFit fit = NNLinearity.Glm.Glm.Fit(x, Rows, Columns, y, GlmFamily.Binomial, options: options);
        GlmFit lean = NNLinearity.Glm.Glm.Fit(x, Rows, Columns, y, GlmFamily.Binomial, options: options with { KeepRowResults = false });

        Assert.Equal(lean.Coefficients.ToArray(), fit.Coefficients.ToArray());
        Assert.Equal(lean.Deviance, fit.Deviance);
        Assert.IsType<RowVector>(fit.FittedValues);
        Assert.IsType<RowVector>(fit.PriorWeights);
        IReadOnlyList<double> b = fit.Coefficients;
        for (int i = 0; i < Rows; i++)
        {
            double eta = off[i] + b[0];
            for (int j = 0; j < Columns; j++) eta += b[j + 1] * x[i * Columns + j];
            Assert.True(Math.Abs(fit.LinearPredictors[i] - eta) <= 1e-13 * (1 + Math.Abs(eta)), $"eta[{i}]: {fit.LinearPredictors[i]:R} vs {eta:R}");
            double mu = 1 / (1 + Math.Exp(-fit.LinearPredictors[i]));
            Assert.True(Math.Abs(fit.FittedValues[i] - mu) <= 1e-15, $"mu[{i}]");
            Assert.Equal(y[i], fit.Response[i]);
            Assert.Equal(w[i], fit.PriorWeights[i]);
            double ww = w[i] * mu * (1 - mu);
            Assert.True(Math.Abs(fit.WorkingWeights[i] - ww) <= 1e-3 * ww, $"working weight[{i}]");
        }

        Assert.Equal(Rows, fit.FittedValues.Count);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => fit.FittedValues[i]), fit.FittedValues.ToArray());
        Assert.Equal(Rows, fit.Residuals(GlmResidualType.Pearson).Length);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => fit.FittedValues[Rows]);
        Assert.Equal("index", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => fit.LinearPredictors[-1]);
    }

    /// <summary>Below the threshold the results are arrays, as before; unit prior weights are a constant vector.</summary>
    [Fact]
    public void SmallFit_KeepsArrays()
    {
        double[] x = [1, 2, 3, 4, 5, 6], y = [0, 1, 0, 1, 1, 1];
        GlmFit fit = NNLinearity.Glm.Glm.Fit(x, 6, 1, y, GlmFamily.Binomial);
        Assert.IsType<double[]>(fit.FittedValues);
        Assert.Equal(y, fit.Response.ToArray());
        Assert.Equal(Enumerable.Repeat(1.0, 6), fit.PriorWeights); // no weights given: every row weighs 1
        Assert.Equal(6, fit.PriorWeights.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => fit.PriorWeights[6]);
    }
}

/// <summary>The block cache behind <see cref="RowVector"/>; alone, since every large default fit in other tests uses it.</summary>
[Collection(ExclusiveKernelTeam.Name)]
public class NativeRowMemoryTests
{
    /// <summary>
    /// A block given back is reused for a request it fits (not more than twice its size), an idle cache is freed by a
    /// full trim, and a dropped vector's finalizer gives its block back.
    /// </summary>
    [Fact]
    public unsafe void BlocksAreReusedAndTrimmed()
    {
        GC.Collect(); // vectors that earlier tests dropped give their blocks back now, not during this test
        GC.WaitForPendingFinalizers();
        NativeRowMemory.Trim(all: true);
        Assert.Equal(0, NativeRowMemory.CachedBytes);
        double* p = NativeRowMemory.Rent(1 << 20);
        Assert.Equal(0, (long)p % 64);
        NativeRowMemory.Return(p, 1 << 20);
        Assert.Equal(1 << 20, NativeRowMemory.CachedBytes);
        double* tooSmall = NativeRowMemory.Rent(3 << 20); // the cached block is too small: a new one
        Assert.True(tooSmall != p);
        double* again = NativeRowMemory.Rent(600_000); // fits (600,000 <= 1 MiB <= 1.2 MB)
        Assert.True(again == p);
        Assert.Equal(0, NativeRowMemory.CachedBytes);
        NativeRowMemory.Return(again, 1 << 20);
        NativeRowMemory.Return(tooSmall, 3 << 20);
        NativeRowMemory.Trim(all: true);
        Assert.Equal(0, NativeRowMemory.CachedBytes);

        MakeAndDrop();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(KeptRows.NativeThreshold * sizeof(double), NativeRowMemory.CachedBytes);
        NativeRowMemory.Trim(all: true);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void MakeAndDrop()
    {
        var v = new RowVector(Enumerable.Range(0, KeptRows.NativeThreshold).Select(i => (double)i).ToArray());
        Assert.Equal(12345.0, v[12345]);
    }
}
