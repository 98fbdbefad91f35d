using System;
using System.Collections.Generic;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Kernels;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>The vector tanh and logistic against Math.Tanh and a plain scalar logistic (the oracles), in ulps.</summary>
public class ActivationKernelTests
{
    private static double[] Points(int seed, int count)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(5) switch
        {
            0 => (rng.NextDouble() - 0.5) * 60,                                   // both tails, saturation included
            1 => (rng.NextDouble() - 0.5) * Math.Pow(10, -rng.Next(1, 20)),        // near 0, where cancellation would show
            2 => (rng.NextDouble() - 0.5) * 1.2,                                   // around the branch point 0.55
            3 => (rng.NextDouble() - 0.5) * 1e-310,                                // subnormals
            _ => (rng.NextDouble() - 0.5) * 1500,
        }).ToArray();
    }

    private static double NaiveLogistic(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    [Law]
    public bool Tanh_Double_WithinThreeUlps(PositiveInt seed)
    {
        double[] x = Points(seed.Get, 77);
        double[] t = new double[x.Length], d = new double[x.Length];
        ActivationKernels.Apply<ActivationKernels.TanhOp>(x, t, d);
        for (int i = 0; i < x.Length; i++)
        {
            double reference = Math.Tanh(x[i]);
            if (Ulp.Distance(t[i], reference) > 3) throw new Xunit.Sdk.XunitException($"tanh({x[i]:R}) = {t[i]:R}, Math.Tanh {reference:R}");
            // 1 - tanh^2 = 4 e / (1 + e)^2 with e = exp(-2|x|): a few roundings of a 1-ulp exp.
            double c = Math.Cosh(x[i]);
            double dRef = double.IsFinite(c) ? 1 / (c * c) : 0;
            if (Ulp.Distance(d[i], dRef) > 8 && Math.Abs(d[i] - dRef) > 1e-300) throw new Xunit.Sdk.XunitException($"tanh'({x[i]:R}) = {d[i]:R}, 1/cosh^2 {dRef:R}");
        }

        return true;
    }

    [Law]
    public bool TanhAndLogistic_Float_WithinThreeUlpsOfTheRoundedDouble(PositiveInt seed)
    {
        float[] x = Points(seed.Get, 77).Select(v => (float)v).ToArray();
        float[] t = new float[x.Length], l = new float[x.Length], ld = new float[x.Length];
        float[] td = new float[x.Length];
        ActivationKernels.Apply<ActivationKernels.TanhOp>(x, t, td);
        ActivationKernels.Apply<ActivationKernels.LogisticOp>(x, l, ld);
        for (int i = 0; i < x.Length; i++)
        {
            // The targets: tanh and logistic within 3 ulps; the derivatives (two more products) within 5.
            if (FloatUlps(t[i], (float)Math.Tanh(x[i])) > 3) throw new Xunit.Sdk.XunitException($"tanh({x[i]:R}f) = {t[i]:R}, reference {Math.Tanh(x[i]):R}");
            double c = Math.Cosh(x[i]);
            float tdRef = (float)(double.IsFinite(c) ? 1 / (c * c) : 0);
            if (FloatUlps(td[i], tdRef) > 5) throw new Xunit.Sdk.XunitException($"tanh'({x[i]:R}f) = {td[i]:R}, reference {tdRef:R}");
            double mu = NaiveLogistic(x[i]);
            if (FloatUlps(l[i], (float)mu) > 3) throw new Xunit.Sdk.XunitException($"logistic({x[i]:R}f) = {l[i]:R}, reference {mu:R}");
            if (FloatUlps(ld[i], (float)(mu * NaiveLogistic(-x[i]))) > 5) throw new Xunit.Sdk.XunitException($"logistic'({x[i]:R}f) = {ld[i]:R}");
        }

        return true;
    }

    private static long FloatUlps(float a, float b)
    {
        if (a == b || (float.IsNaN(a) && float.IsNaN(b))) return 0;
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        if (ia < 0) ia = int.MinValue - ia;
        if (ib < 0) ib = int.MinValue - ib;
        return Math.Abs((long)ia - ib);
    }

    [Law]
    public bool ExpF_WithinOneUlp(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        float[] x = Enumerable.Range(0, 64).Select(_ => (float)(rng.Next(3) switch
        {
            0 => -104 + 193 * rng.NextDouble(),
            1 => -104 + 20 * rng.NextDouble(),                      // subnormal results
            _ => (rng.NextDouble() - 0.5) * Math.Pow(10, -rng.Next(10)),
        })).ToArray();
        for (int i = 0; i + System.Numerics.Vector<float>.Count <= x.Length; i += System.Numerics.Vector<float>.Count)
        {
            System.Numerics.Vector<float> e = ActivationKernels.ExpF(new VecF(new System.Numerics.Vector<float>(x, i))).V;
            for (int j = 0; j < System.Numerics.Vector<float>.Count; j++)
            {
                float reference = (float)Math.Exp(x[i + j]);
                if (FloatUlps(e[j], reference) > 1) throw new Xunit.Sdk.XunitException($"expf({x[i + j]:R}) = {e[j]:R}, reference {reference:R}");
            }
        }

        return true;
    }

    [Fact]
    public void TanhFloat_SweepOfTheFloats_WithinThreeUlps()
    {
        // Every float in [0.15, 0.2] and in [0.5, 0.75] (where the reduction of -2|x| by ln 2 steps from n = 0 to -1,
        // at 0.1733, and from -1 to -2, at 0.5199), then every 61st float from +0 to 12 (tanh is 1 in float beyond
        // 9.01), both signs, against the rounded double tanh.
        var x = new List<float>();
        for (int b = BitConverter.SingleToInt32Bits(0.15f); b <= BitConverter.SingleToInt32Bits(0.2f); b++) x.Add(BitConverter.Int32BitsToSingle(b));
        for (int b = BitConverter.SingleToInt32Bits(0.5f); b <= BitConverter.SingleToInt32Bits(0.75f); b++) x.Add(BitConverter.Int32BitsToSingle(b));
        for (int b = 0; b <= BitConverter.SingleToInt32Bits(12f); b += 61) x.Add(BitConverter.Int32BitsToSingle(b));
        float[] both = [.. x, .. x.Select(v => -v)];
        float[] t = new float[both.Length];
        ActivationKernels.Apply<ActivationKernels.TanhOp>(both, t, default);
        for (int i = 0; i < both.Length; i++)
        {
            if (FloatUlps(t[i], (float)Math.Tanh(both[i])) > 3) throw new Xunit.Sdk.XunitException($"tanh({both[i]:R}f) = {t[i]:R}, reference {Math.Tanh(both[i]):R}");
        }
    }

    [Fact]
    public void SpecialValues_AndEveryLength_AndInPlace()
    {
        double[] special = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, -double.Epsilon, 19.1, -19.1, 0.55, -0.55];
        double[] t = new double[special.Length];
        ActivationKernels.Apply<ActivationKernels.TanhOp>(special, t, default);
        Assert.Equal(0.0, t[0]);
        Assert.True(double.IsNegative(t[1]) && t[1] == 0);                 // -0 stays -0
        Assert.Equal(1.0, t[2]);
        Assert.Equal(-1.0, t[3]);
        Assert.True(double.IsNaN(t[4]));
        Assert.Equal(double.Epsilon, t[5]);
        Assert.Equal(-double.Epsilon, t[6]);

        float[] sf = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon, -200f, 200f, 0.55f, -0.55f, 1e-30f, 3f, -3f, 40f, -40f];
        float[] tf = new float[sf.Length], lf = new float[sf.Length];
        ActivationKernels.Apply<ActivationKernels.TanhOp>(sf, tf, default);
        ActivationKernels.Apply<ActivationKernels.LogisticOp>(sf, lf, default);
        Assert.True(float.IsNegative(tf[1]) && tf[1] == 0);
        Assert.Equal(1f, tf[2]);
        Assert.Equal(-1f, tf[3]);
        Assert.True(float.IsNaN(tf[4]) && float.IsNaN(lf[4]));
        Assert.Equal(float.Epsilon, tf[5]);
        Assert.Equal(1f, lf[2]);
        Assert.Equal(0f, lf[3]);
        Assert.Equal(0f, lf[7]);           // logistic(-200) = 1.4e-87 rounds to 0 in float
        Assert.Equal(1e-30f, tf[11]);

        var link = new TanhLink();
        for (int n = 0; n <= 3 * 8 + 1; n++)
        {
            double[] x = Enumerable.Range(0, n).Select(i => (i - n / 2.0) * 0.37).ToArray();
            double[] outOfPlace = new double[n];
            link.Inverse(x, outOfPlace);
            double[] inPlace = (double[])x.Clone();
            link.Inverse(inPlace, inPlace);
            Assert.Equal(outOfPlace, inPlace);
            for (int i = 0; i < n; i++) Assert.True(Ulp.Distance(outOfPlace[i], Math.Tanh(x[i])) <= 3);
        }
    }
}
