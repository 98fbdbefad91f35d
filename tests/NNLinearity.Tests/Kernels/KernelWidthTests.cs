using System;
using System.Collections.Generic;
using System.Linq;
using NNLinearity.Kernels;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>
/// Every elementwise kernel gives the same bits on 512-bit vectors as on <see cref="System.Numerics.Vector{T}"/>
/// (whatever width that has on the machine running the tests, and whether or not 512 bits are accelerated: the
/// runtime emulates them otherwise), for lengths around every vector width and values over the whole range, special
/// values included, out of place and in place. The accuracy tests then cover every width.
/// </summary>
public class KernelWidthTests
{
    private static readonly int[] Lengths = [0, 1, 5, 6, 7, 8, 15, 16, 17, 31, 32, 33, 255, 1025];

    private static double[] Values(int n, int seed)
    {
        double[] special = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, -double.Epsilon,
            1e-310, 0.55, -0.55, 0.66291, 5.656854, 37.5, -37.5, -38.7, 40, -40, 709.9, -745.2, 1, -1, 1e300, -1e300];
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = rng.Next(4) switch
            {
                0 => special[rng.Next(special.Length)],
                1 => (rng.NextDouble() - 0.5) * 80,
                2 => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-30, 30)),
                _ => Math.Exp((rng.NextDouble() - 0.5) * 1400),
            };
        }

        return v;
    }

    private delegate void DoubleKernel(ReadOnlySpan<double> x, Span<double> y);

    private delegate void FloatKernel(ReadOnlySpan<float> x, Span<float> y);

    private static IEnumerable<(string Name, DoubleKernel Wide, DoubleKernel Narrow, FloatKernel WideF, FloatKernel NarrowF)> Unary()
    {
        yield return Op<VectorMath.ExpOp>("exp");
        yield return Op<VectorMath.LogOp>("log");
        yield return Op<VectorMath.ExpM1Op>("expm1");
        yield return Op<VectorMath.Log1POp>("log1p");
        yield return Op<VectorMath.SoftplusOp>("softplus");
        yield return Op<VectorMath.LogSigmoidOp>("log-sigmoid");
        yield return Op<VectorMath.NormalCdfOp>("normal CDF");
        yield return Op<VectorMath.NormalPdfOp>("normal PDF");
    }

    private static (string, DoubleKernel, DoubleKernel, FloatKernel, FloatKernel) Op<TOp>(string name) where TOp : struct, VectorMath.IUnaryOp =>
        (name,
         (x, y) => VectorMath.Apply<TOp, Vec512D>(x, y),
         (x, y) => VectorMath.Apply<TOp, VecD>(x, y),
         (x, y) => VectorMath.Apply<TOp, Vec512F, Vec512D>(x, y),
         (x, y) => VectorMath.Apply<TOp, VecF, VecD>(x, y));

    [Fact]
    public void UnaryKernels_SameBitsOnEveryWidth_OutOfPlaceAndInPlace()
    {
        foreach (var (name, wide, narrow, wideF, narrowF) in Unary())
        {
            foreach (int n in Lengths)
            {
                double[] x = Values(n, n * 31 + name.Length);
                double[] a = new double[n], b = new double[n];
                wide(x, a);
                narrow(x, b);
                AssertSameBits(a, b, $"{name}, double, n = {n}");
                double[] inPlace = (double[])x.Clone();
                wide(inPlace, inPlace);
                AssertSameBits(a, inPlace, $"{name}, double in place, n = {n}");

                float[] xf = x.Select(v => (float)v).ToArray();
                float[] af = new float[n], bf = new float[n];
                wideF(xf, af);
                narrowF(xf, bf);
                AssertSameBits(af, bf, $"{name}, float, n = {n}");
                float[] inPlaceF = (float[])xf.Clone();
                wideF(inPlaceF, inPlaceF);
                AssertSameBits(af, inPlaceF, $"{name}, float in place, n = {n}");
            }
        }
    }

    [Fact]
    public void Activations_SameBitsOnEveryWidth_ValuesAndDerivatives_AndValuesAlone()
    {
        Check<ActivationKernels.TanhOp>("tanh");
        Check<ActivationKernels.LogisticOp>("logistic");

        static void Check<TOp>(string name) where TOp : struct, ActivationKernels.IActivation
        {
            foreach (int n in Lengths)
            {
                double[] x = Values(n, n * 17 + name.Length);
                double[] m1 = new double[n], d1 = new double[n], m2 = new double[n], d2 = new double[n];
                ActivationKernels.Apply<TOp, Vec512D>(x, m1, d1);
                ActivationKernels.Apply<TOp, VecD>(x, m2, d2);
                // Spans shorter than a vector take the scalar path, whose length threshold differs by width.
                if (n >= Vec512D.Count)
                {
                    AssertSameBits(m1, m2, $"{name}, double, n = {n}");
                    AssertSameBits(d1, d2, $"{name}', double, n = {n}");
                }

                float[] xf = x.Select(v => (float)v).ToArray();
                float[] f1 = new float[n], g1 = new float[n], f2 = new float[n], g2 = new float[n];
                ActivationKernels.ApplyF<TOp, Vec512F>(xf, f1, g1);
                ActivationKernels.ApplyF<TOp, VecF>(xf, f2, g2);
                if (n >= Vec512F.Count)
                {
                    AssertSameBits(f1, f2, $"{name}, float, n = {n}");
                    AssertSameBits(g1, g2, $"{name}', float, n = {n}");
                }

                // The means alone (their own loop, without the derivative) are the means computed with it.
                float[] a1 = new float[n], a2 = new float[n];
                ActivationKernels.ApplyF<TOp, Vec512F>(xf, a1, default);
                ActivationKernels.ApplyF<TOp, VecF>(xf, a2, default);
                AssertSameBits(f1, a1, $"{name}, float, means alone on 512 bits, n = {n}");
                AssertSameBits(f2, a2, $"{name}, float, means alone on Vector<T>, n = {n}");
            }
        }
    }

    private static void AssertSameBits(double[] a, double[] b, string what)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(a[i]) != BitConverter.DoubleToInt64Bits(b[i]) && !(double.IsNaN(a[i]) && double.IsNaN(b[i])))
            {
                Assert.Fail($"{what}: element {i} is {a[i]:R} on one width and {b[i]:R} on the other");
            }
        }
    }

    private static void AssertSameBits(float[] a, float[] b, string what)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]) && !(float.IsNaN(a[i]) && float.IsNaN(b[i])))
            {
                Assert.Fail($"{what}: element {i} is {a[i]:R} on one width and {b[i]:R} on the other");
            }
        }
    }
}
