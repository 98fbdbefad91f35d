using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Kernels;
using NNLinearity.Numerics;
using NNLinearity.Tests.Fixtures;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Reference;
using Xunit;
using Xunit.Sdk;

namespace NNLinearity.Tests.Kernels;

/// <summary>
/// The vectorised exp, log, expm1, log1p and softplus, double and float, against R's values (the C library's
/// functions, written by Fixtures/make_elementwise.R) in ulps, with the special values and the span driver's edges.
/// </summary>
public class ElementwiseKernelTests
{
    private static readonly Lazy<JsonElement> Values = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RFixtures.PathOf("elementwise_values.json")));
        return doc.RootElement.Clone();
    });

    private static double[] Read(string name) => Values.Value.GetProperty(name).EnumerateArray()
        .Select(v => v.ValueKind == JsonValueKind.String ? double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : v.GetDouble()).ToArray();

    private static readonly Dictionary<string, (Action<double[], double[]> Double, Action<float[], float[]> Float, Func<double, double> Scalar, long MaxUlps, long FloatUlps)> Kernels = new()
    {
        ["exp"] = ((x, y) => VectorMath.Apply<VectorMath.ExpOp>(x, y), (x, y) => VectorMath.Apply<VectorMath.ExpOp>(x, y), Math.Exp, 1, 1),
        ["log"] = ((x, y) => VectorMath.Apply<VectorMath.LogOp>(x, y), (x, y) => VectorMath.Apply<VectorMath.LogOp>(x, y), Math.Log, 1, 1),
        ["expm1"] = ((x, y) => VectorMath.ExpM1(x, y), (x, y) => VectorMath.Apply<VectorMath.ExpM1Op>(x, y), Special.ExpM1, 2, 1),
        ["log1p"] = ((x, y) => VectorMath.Log1P(x, y), (x, y) => VectorMath.Apply<VectorMath.Log1POp>(x, y), Special.Log1P, 2, 1),
        ["softplus"] = ((x, y) => VectorMath.Softplus(x, y), (x, y) => VectorMath.Apply<VectorMath.SoftplusOp>(x, y), new NNLinearity.Links.SoftplusLink().Inverse, 3, 3),
    };

    public static TheoryData<string> Names => new() { "exp", "log", "expm1", "log1p", "softplus" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Double_WithinTheDocumentedUlpsOfR(string name)
    {
        double[] x = Read(name + "_x"), expected = Read(name);
        double[] y = new double[x.Length];
        Kernels[name].Double(x, y);
        long worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long d = Ulp.Distance(y[i], expected[i]);
            // Results that R gives as subnormal carry fewer significant bits: there 1 ulp is the absolute target.
            if (Math.Abs(expected[i]) < 2.2250738585072014e-308) d = Math.Min(d, (long)Math.Ceiling(Math.Abs(y[i] - expected[i]) / double.Epsilon));
            if (d > Kernels[name].MaxUlps) throw new XunitException($"{name}({x[i]:R}) = {y[i]:R}, R {expected[i]:R}: {d} ulp");
            worst = Math.Max(worst, d);
        }

        Assert.True(worst <= Kernels[name].MaxUlps);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float_WithinTheDocumentedUlpsOfTheRoundedReference(string name)
    {
        // Float inputs from R's grid, narrowed; the reference is the double function at the float input, rounded.
        float[] x = Read(name + "_x").Select(v => (float)v).Where(v => float.IsFinite(v)).ToArray();
        float[] y = new float[x.Length];
        Kernels[name].Float(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float expected = (float)Kernels[name].Scalar(x[i]);
            if (FloatUlps(y[i], expected) > Kernels[name].FloatUlps) throw new XunitException($"{name}({x[i]:R}f) = {y[i]:R}, reference {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SpecialValues_FollowTheScalarFunction(string name)
    {
        double[] x = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, -1.0, -2.0, double.MaxValue, double.Epsilon, -double.Epsilon];
        double[] y = new double[x.Length];
        Kernels[name].Double(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Kernels[name].Scalar(x[i]);
            bool same = BitConverter.DoubleToInt64Bits(y[i]) == BitConverter.DoubleToInt64Bits(expected) || (double.IsNaN(y[i]) && double.IsNaN(expected))
                || Ulp.Distance(y[i], expected) <= Kernels[name].MaxUlps && y[i] != 0;
            if (!same) throw new XunitException($"{name}({x[i]:R}) = {y[i]:R}, scalar {expected:R}");
        }

        float[] xf = x.Select(v => (float)v).ToArray();
        float[] yf = new float[xf.Length];
        Kernels[name].Float(xf, yf);
        for (int i = 0; i < xf.Length; i++)
        {
            float expected = (float)Kernels[name].Scalar(xf[i]);
            if (!(FloatUlps(yf[i], expected) <= Kernels[name].FloatUlps && (yf[i] != 0 || BitConverter.SingleToInt32Bits(yf[i]) == BitConverter.SingleToInt32Bits(expected))))
            {
                throw new XunitException($"{name}({xf[i]:R}f) = {yf[i]:R}, scalar {expected:R}");
            }
        }
    }

    /// <summary>Every length around the vector widths, and in place equal to out of place.</summary>
    [Law]
    public bool SpanDriver_EveryLength_InPlaceEqualsOutOfPlace(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        int n = rng.Next(0, 70);
        double[] x = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 3))).ToArray();
        foreach (string name in Kernels.Keys)
        {
            double[] input = name is "log" or "log1p" ? x.Select(Math.Abs).ToArray() : x;
            double[] outOfPlace = new double[n], inPlace = (double[])input.Clone();
            Kernels[name].Double(input, outOfPlace);
            Kernels[name].Double(inPlace, inPlace);
            for (int i = 0; i < n; i++)
            {
                if (BitConverter.DoubleToInt64Bits(outOfPlace[i]) != BitConverter.DoubleToInt64Bits(inPlace[i])) throw new XunitException($"{name} in place differs at {i} of {n}");
                if (Ulp.Distance(outOfPlace[i], Kernels[name].Scalar(input[i])) > Kernels[name].MaxUlps + 1) throw new XunitException($"{name}({input[i]:R}) = {outOfPlace[i]:R} at {i} of {n}");
            }

            float[] xf = input.Select(v => (float)v).ToArray(), yf = new float[n];
            Kernels[name].Float(xf, yf);
            Kernels[name].Float(xf, xf);
            if (!yf.SequenceEqual(xf)) throw new XunitException($"{name} (float) in place differs, length {n}");
        }

        return true;
    }

    /// <summary>Float-native log over every binade, subnormals included: random bit patterns of positive floats.</summary>
    [Law]
    public bool FloatLog_WithinOneUlp_OverEveryBinade(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        float[] x = Enumerable.Range(0, 64).Select(_ => BitConverter.Int32BitsToSingle(rng.Next(1, 0x7f800000))).ToArray();
        float[] y = new float[x.Length];
        VectorMath.Apply<VectorMath.LogOp>(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float expected = (float)Math.Log(x[i]);
            if (FloatUlps(y[i], expected) > 1) throw new XunitException($"log({x[i]:R}f) = {y[i]:R}, reference {expected:R}");
        }

        return true;
    }

    [Fact]
    public void NormalCdf_RelativeErrorBelow1e14_DownToItsUnderflow()
    {
        double[] x = Read("norm_x"), p = Read("pnorm"), d = Read("dnorm");
        for (int i = 0; i < x.Length; i++)
        {
            double cdf = Special.NormalCdf(x[i]);
            if (x[i] < -37.5193)
            {
                // R returns 0 below -37.5193; the true value is subnormal there: check it against exp(log Phi) (erfcx path).
                double viaLog = Math.Exp(Special.LogNormalCdf(x[i]));
                Assert.True(Math.Abs(cdf - viaLog) <= 1e-10 * viaLog + 4 * double.Epsilon, $"Phi({x[i]:R}) = {cdf:R}, exp(log Phi) {viaLog:R}");
                continue;
            }

            Assert.True(Math.Abs(cdf - p[i]) <= 1e-14 * p[i] + 4 * double.Epsilon, $"Phi({x[i]:R}) = {cdf:R}, R {p[i]:R}");
            double pdf = Special.NormalPdf(x[i]);
            // x^2 is split exactly before the exponential, so the density keeps double precision (9.4e-16 measured).
            Assert.True(Math.Abs(pdf - d[i]) <= 2e-15 * d[i] + 4 * double.Epsilon, $"phi({x[i]:R}) = {pdf:R}, R {d[i]:R}");
        }
    }

    /// <summary>The documented bounds of the normal CDF against R's pnorm, in ulps.</summary>
    public const long VectorNormalCdfUlps = 8, ScalarNormalCdfUlps = 6;

    [Fact]
    public void NormalCdf_VectorAndScalar_WithinUlpsOfR_OnADenseLowerTailSweep()
    {
        // 4,001 points from -37.5 to -0.66, where the exponential's and the rationals' roundings compound. The bounds are
        // the ones the docs state: 8 ulps for the vector kernel, 6 for the scalar function (6 and 5 measured here).
        double[] x = Read("pnorm_sweep_x"), p = Read("pnorm_sweep");
        double[] cdf = new double[x.Length];
        VectorMath.Apply<VectorMath.NormalCdfOp>(x, cdf);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Ulp.Distance(cdf[i], p[i]) <= VectorNormalCdfUlps, $"Phi({x[i]:R}): vector {cdf[i]:R}, R {p[i]:R}");
            double scalar = Special.NormalCdf(x[i]);
            Assert.True(Ulp.Distance(scalar, p[i]) <= ScalarNormalCdfUlps, $"Phi({x[i]:R}): scalar {scalar:R}, R {p[i]:R}");
        }
    }

    [Fact]
    public void VectorNormalCdfAndPdf_MatchR_AndTheScalarFunctions()
    {
        double[] x = Read("norm_x"), p = Read("pnorm"), d = Read("dnorm");
        double[] cdf = new double[x.Length], pdf = new double[x.Length];
        VectorMath.Apply<VectorMath.NormalCdfOp>(x, cdf);
        VectorMath.Apply<VectorMath.NormalPdfOp>(x, pdf);
        for (int i = 0; i < x.Length; i++)
        {
            double scalar = Special.NormalCdf(x[i]);
            if (x[i] >= -37.5193) Assert.True(Math.Abs(cdf[i] - p[i]) <= 1e-14 * p[i] + 4 * double.Epsilon, $"Phi({x[i]:R}) = {cdf[i]:R}, R {p[i]:R}");
            Assert.True(Math.Abs(cdf[i] - scalar) <= 1e-15 * scalar + 4 * double.Epsilon, $"Phi({x[i]:R}): vector {cdf[i]:R}, scalar {scalar:R}");
            Assert.True(Math.Abs(pdf[i] - d[i]) <= 2e-15 * d[i] + 4 * double.Epsilon, $"phi({x[i]:R}) = {pdf[i]:R}, R {d[i]:R}");
        }

        // Float: within 4 ulps of the rounded double (the bound for the CDF), every special value included.
        float[] xf = x.Select(v => (float)v).Concat([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f]).ToArray();
        float[] cf = new float[xf.Length], df = new float[xf.Length];
        VectorMath.Apply<VectorMath.NormalCdfOp>(xf, cf);
        VectorMath.Apply<VectorMath.NormalPdfOp>(xf, df);
        for (int i = 0; i < xf.Length; i++)
        {
            if (FloatUlps(cf[i], (float)Special.NormalCdf(xf[i])) > 4) throw new XunitException($"Phi({xf[i]:R}f) = {cf[i]:R}");
            if (FloatUlps(df[i], (float)Special.NormalPdf(xf[i])) > 4) throw new XunitException($"phi({xf[i]:R}f) = {df[i]:R}");
        }
    }

    [Fact]
    public void FloatNormalCdf_SweepOfTheFloats_WithinFourUlps()
    {
        // Every 61st float from -15 to 6 (both sides of every switch: the tail's underflow near -14.1, the cut at
        // -14.5, 0) and every float in [-1.25, -1] (where the sweep of all floats found the largest error, 3 ulps),
        // against the rounded double CDF (Special.NormalCdf, within 1e-14 of R's pnorm).
        var x = new List<float>();
        for (int b = BitConverter.SingleToInt32Bits(-0f); b <= BitConverter.SingleToInt32Bits(-15f); b += 61) x.Add(BitConverter.Int32BitsToSingle(b));
        for (int b = 0; b <= BitConverter.SingleToInt32Bits(6f); b += 61) x.Add(BitConverter.Int32BitsToSingle(b));
        for (int b = BitConverter.SingleToInt32Bits(-1f); b <= BitConverter.SingleToInt32Bits(-1.25f); b++) x.Add(BitConverter.Int32BitsToSingle(b));
        float[] xf = [.. x], cf = new float[xf.Length];
        VectorMath.Apply<VectorMath.NormalCdfOp>(xf, cf);
        for (int i = 0; i < xf.Length; i++)
        {
            if (FloatUlps(cf[i], (float)Special.NormalCdf(xf[i])) > 4) throw new XunitException($"Phi({xf[i]:R}f) = {cf[i]:R}, reference {Special.NormalCdf(xf[i]):R}");
        }
    }

    private static long FloatUlps(float a, float b)
    {
        if (a == b || (float.IsNaN(a) && float.IsNaN(b))) return 0;
        if (float.IsNaN(a) || float.IsNaN(b)) return long.MaxValue;
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs((long)ia - ib);
    }
}
