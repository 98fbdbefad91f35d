using System;
using NNLinearity.Kernels;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>
/// Spans above the streaming threshold (aligned non-temporal stores after an unaligned head) give the bits the plain
/// driver gives on short pieces, for every alignment of source and destinations, in place, and for kernels with two
/// outputs whose alignments differ. Piece boundaries and alignments shift which lanes share a vector, so a value
/// computed in a vector that takes a kernel's common-case path in one run is computed beside special values (the
/// general path) in the other: the two paths are checked to agree bit for bit too.
/// </summary>
public class StreamingDriverTests
{
    private const int N = 100_003; // 400 KB of floats, 800 KB of doubles: above the 256 KB threshold
    private const int Piece = 997; // below it

    private static double[] Values(int n, int seed, bool positive)
    {
        double[] special = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e-310, 1e-40, 90, -90, 104, -104, 710, -746];
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = rng.Next(50) == 0 ? special[rng.Next(special.Length)] : (rng.NextDouble() - 0.5) * 30;
            v[i] = positive ? Math.Abs(Math.Exp(x)) : x;
        }

        return v;
    }

    private delegate void Unary<T>(ReadOnlySpan<T> x, Span<T> y);

    private delegate void Pair<T>(ReadOnlySpan<T> x, Span<T> mu, Span<T> d);

    private static void CheckUnary<T>(Unary<T> kernel, T[] source, string name) where T : unmanaged, IEquatable<T>
    {
        var expected = new T[N];
        for (int s = 0; s < N; s += Piece) kernel(source.AsSpan(s, Math.Min(Piece, N - s)), expected.AsSpan(s, Math.Min(Piece, N - s)));
        for (int srcOff = 0; srcOff < 3; srcOff++)
        {
            for (int dstOff = 0; dstOff < 17; dstOff += 3)
            {
                var src = new T[N + srcOff];
                source.CopyTo(src, srcOff);
                var dst = new T[N + dstOff];
                kernel(src.AsSpan(srcOff, N), dst.AsSpan(dstOff, N));
                AssertSame(expected, dst.AsSpan(dstOff, N), $"{name}, source offset {srcOff}, destination offset {dstOff}");
            }

            var inPlace = new T[N + srcOff];
            source.CopyTo(inPlace, srcOff);
            kernel(inPlace.AsSpan(srcOff, N), inPlace.AsSpan(srcOff, N));
            AssertSame(expected, inPlace.AsSpan(srcOff, N), $"{name} in place, offset {srcOff}");
        }
    }

    private static void CheckPair<T>(Pair<T> kernel, T[] source, string name) where T : unmanaged, IEquatable<T>
    {
        var mu = new T[N];
        var d = new T[N];
        for (int s = 0; s < N; s += Piece)
        {
            int len = Math.Min(Piece, N - s);
            kernel(source.AsSpan(s, len), mu.AsSpan(s, len), d.AsSpan(s, len));
        }

        foreach ((int muOff, int dOff) in new[] { (0, 0), (1, 1), (3, 0), (0, 5), (7, 2) })
        {
            var m2 = new T[N + muOff];
            var d2 = new T[N + dOff];
            kernel(source, m2.AsSpan(muOff, N), d2.AsSpan(dOff, N));
            AssertSame(mu, m2.AsSpan(muOff, N), $"{name} mean, offsets {muOff}/{dOff}");
            AssertSame(d, d2.AsSpan(dOff, N), $"{name} derivative, offsets {muOff}/{dOff}");
            var dOnly = new T[N + dOff];
            kernel(source, default, dOnly.AsSpan(dOff, N));
            AssertSame(d, dOnly.AsSpan(dOff, N), $"{name} derivative alone, offset {dOff}");
            var muOnly = new T[N + muOff];
            kernel(source, muOnly.AsSpan(muOff, N), default);
            AssertSame(mu, muOnly.AsSpan(muOff, N), $"{name} mean alone, offset {muOff}");
        }

        var inPlace = (T[])source.Clone();
        kernel(inPlace, inPlace, default);
        AssertSame(mu, inPlace, $"{name} in place");
    }

    private static void AssertSame<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged, IEquatable<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i])) Assert.Fail($"{what}: element {i} is {actual[i]}, the plain driver gives {expected[i]}.");
        }
    }

    [Fact]
    public void UnaryKernelsStreamTheBitsOfThePlainDriver()
    {
        double[] x = Values(N, 1, positive: false), xp = Values(N, 2, positive: true);
        float[] xf = Array.ConvertAll(x, v => (float)v), xpf = Array.ConvertAll(xp, v => (float)v);
        CheckUnary<double>((a, b) => VectorMath.Apply<VectorMath.ExpOp>(a, b), x, "exp double");
        CheckUnary<double>((a, b) => VectorMath.Apply<VectorMath.LogOp>(a, b), xp, "log double");
        CheckUnary<float>((a, b) => VectorMath.Apply<VectorMath.ExpOp>(a, b), xf, "exp float");
        CheckUnary<float>((a, b) => VectorMath.Apply<VectorMath.LogOp>(a, b), xpf, "log float");
        CheckUnary<float>((a, b) => VectorMath.Apply<VectorMath.SoftplusOp>(a, b), xf, "softplus float");
        CheckUnary<float>((a, b) => VectorMath.Apply<VectorMath.ExpOp, VecF, VecD>(a, b), xf, "exp float, Vector<T>");
        CheckUnary<float>((a, b) => VectorMath.Apply<VectorMath.LogOp, VecF, VecD>(a, b), xpf, "log float, Vector<T>");
    }

    [Fact]
    public void ActivationsStreamTheBitsOfThePlainDriver()
    {
        double[] x = Values(N, 3, positive: false);
        float[] xf = Array.ConvertAll(x, v => (float)v);
        CheckPair<double>((a, m, d) => ActivationKernels.Apply<ActivationKernels.TanhOp>(a, m, d), x, "tanh double");
        CheckPair<double>((a, m, d) => ActivationKernels.Apply<ActivationKernels.LogisticOp>(a, m, d), x, "logistic double");
        CheckPair<float>((a, m, d) => ActivationKernels.Apply<ActivationKernels.TanhOp>(a, m, d), xf, "tanh float");
        CheckPair<float>((a, m, d) => ActivationKernels.Apply<ActivationKernels.LogisticOp>(a, m, d), xf, "logistic float");
        CheckPair<float>((a, m, d) => ActivationKernels.ApplyF<ActivationKernels.TanhOp, VecF>(a, m, d), xf, "tanh float, Vector<T>");
    }
}
