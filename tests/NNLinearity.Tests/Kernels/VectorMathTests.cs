using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Kernels;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>The vector exp and log against Math.Exp and Math.Log (the oracle), in ulps, on whichever width this run uses.</summary>
public class VectorMathTests
{
    private static double[] Exp(double[] x)
    {
        double[] y = new double[x.Length];
        VectorMath.Exp(x, y);
        return y;
    }

    private static double[] Log(double[] x)
    {
        double[] y = new double[x.Length];
        VectorMath.Log(x, y);
        return y;
    }

    /// <summary>
    /// exp and log take a common-case path for a vector whose lanes are all ordinary (exp: |x| &lt;= 708; log: positive,
    /// normal, finite): it gives the general path's bits. Each value is computed in an all-ordinary vector (the common
    /// path) and again beside a NaN lane (the general path), on 512-bit and on Vector&lt;T&gt; lanes.
    /// </summary>
    [Fact]
    public void ExpAndLog_CommonCasePath_GivesTheGeneralPathsBits()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 4000; trial++)
        {
            double e = rng.Next(3) switch { 0 => (rng.NextDouble() * 2 - 1) * 708, 1 => rng.Next(2) == 0 ? 708 : -708, _ => (rng.NextDouble() - 0.5) * 1e-8 };
            double l = rng.Next(3) switch
            {
                0 => Math.Exp((rng.NextDouble() - 0.5) * 1400),
                1 => rng.Next(2) == 0 ? 2.2250738585072014e-308 : double.MaxValue,
                _ => 1 + (rng.NextDouble() - 0.5) * 1e-6,
            };
            Assert.Equal(BitConverter.DoubleToInt64Bits(Lane<VecD>(VectorMath.Exp, e, mixed: false)), BitConverter.DoubleToInt64Bits(Lane<VecD>(VectorMath.Exp, e, mixed: true)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(Lane<VecD>(VectorMath.Log, l, mixed: false)), BitConverter.DoubleToInt64Bits(Lane<VecD>(VectorMath.Log, l, mixed: true)));
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(Lane<Vec512D>(VectorMath.Exp, e, mixed: false)), BitConverter.DoubleToInt64Bits(Lane<Vec512D>(VectorMath.Exp, e, mixed: true)));
                Assert.Equal(BitConverter.DoubleToInt64Bits(Lane<Vec512D>(VectorMath.Log, l, mixed: false)), BitConverter.DoubleToInt64Bits(Lane<Vec512D>(VectorMath.Log, l, mixed: true)));
            }
        }
    }

    /// <summary>Lane 0 of f over a vector holding x in every lane, or x beside a NaN in the last lane (one lane: x alone).</summary>
    private static double Lane<TV>(Func<TV, TV> f, double x, bool mixed)
        where TV : struct, ISimd<TV, double>
    {
        var lanes = new double[TV.Count];
        Array.Fill(lanes, x);
        if (mixed && lanes.Length > 1) lanes[^1] = double.NaN;
        var result = new double[TV.Count];
        TV.Store(f(TV.Load(ref lanes[0], 0)), ref result[0], 0);
        return result[0];
    }

    /// <summary>exp is within 1 ulp of Math.Exp over [-746, 710], subnormal results included (there: 1 unit of the smallest subnormal).</summary>
    [Law]
    public bool Exp_WithinOneUlp(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        double[] x = Enumerable.Range(0, 67).Select(_ => rng.Next(4) switch
        {
            0 => -746 + 1456 * rng.NextDouble(),
            1 => (rng.NextDouble() - 0.5) * Math.Pow(10, -rng.Next(17)),
            2 => -745.2 + 40 * rng.NextDouble(),
            _ => 680 + 30 * rng.NextDouble(),
        }).ToArray();
        double[] y = Exp(x);
        return x.Select((v, i) => Ulp.Distance(Math.Exp(v), y[i])).All(d => d <= 1);
    }

    /// <summary>log is within 1 ulp of Math.Log for every positive double: exponents from the subnormals to the top, random mantissas.</summary>
    [Law]
    public bool Log_WithinOneUlp(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        double[] x = Enumerable.Range(0, 67).Select(_ => rng.Next(3) switch
        {
            0 => Math.ScaleB(1 + rng.NextDouble(), rng.Next(-1074, 1024)),
            1 => 1 + (rng.NextDouble() - 0.5) * Math.Pow(10, -rng.Next(17)),
            _ => rng.NextDouble() * 4,
        }).Where(v => v > 0 && double.IsFinite(v)).ToArray();
        double[] y = Log(x);
        return x.Select((v, i) => Ulp.Distance(Math.Log(v), y[i])).All(d => d <= 1);
    }

    [Fact]
    public void SpecialValues_FollowIeee()
    {
        double[] x = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 709.79, -745.2, 1e-320, -1.0, 1.0];
        double[] e = Exp(x);
        Assert.True(double.IsNaN(e[0]));
        Assert.Equal(double.PositiveInfinity, e[1]);
        Assert.Equal(0.0, e[2]);
        Assert.Equal(1.0, e[3]);
        Assert.Equal(1.0, e[4]);
        Assert.Equal(double.PositiveInfinity, e[5]);
        Assert.Equal(0.0, e[6]);
        Assert.Equal(1.0, e[7]);
        double[] l = Log(x);
        Assert.True(double.IsNaN(l[0]));
        Assert.Equal(double.PositiveInfinity, l[1]);
        Assert.True(double.IsNaN(l[2]));
        Assert.Equal(double.NegativeInfinity, l[3]);
        Assert.Equal(double.NegativeInfinity, l[4]);
        Assert.Equal(Math.Log(1e-320), l[7], 12);
        Assert.True(double.IsNaN(l[8]));
        Assert.Equal(0.0, l[9]);
    }

    /// <summary>Every length 0..40 (every remainder of the vector width): the overlapping tail gives the same values, also in place.</summary>
    [Fact]
    public void EveryLength_AndInPlace_MatchElementwise()
    {
        var rng = new Random(5);
        for (int n = 0; n <= 40; n++)
        {
            double[] x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 20 - 10).ToArray();
            double[] y = Exp(x);
            double[] inPlace = (double[])x.Clone();
            VectorMath.Exp(inPlace, inPlace);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Ulp.Distance(Math.Exp(x[i]), y[i]) <= 1, $"n = {n}, i = {i}");
                Assert.Equal(y[i], inPlace[i]);
            }
        }
    }
}
