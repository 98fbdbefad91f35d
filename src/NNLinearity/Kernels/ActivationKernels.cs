using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NNLinearity.Kernels;

/// <summary>
/// Vectorised tanh and logistic with their derivatives, in double and float: double within 3 ulp of Math.Tanh and of
/// a plain scalar logistic, float within 3 float ulps of the correctly rounded value (measured by the tests, tails,
/// subnormals, +-0, +-Inf and NaN included).
/// </summary>
internal static class ActivationKernels
{
    /// <summary>expm1(x) for 0 &lt;= x &lt;= 1.1 by its Taylor series to x^20 (truncation below 1e-19 relative; all terms positive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpM1Small(Vector<double> x)
    {
        Vector<double> p = new(1.0 / 2432902008176640000.0);
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 121645100408832000.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 6402373705728000.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 355687428096000.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 20922789888000.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 1307674368000.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 87178291200.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 6227020800.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 479001600.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 39916800.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 3628800.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 362880.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 40320.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 5040.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 720.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 120.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 24.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(1.0 / 6.0));
        p = Vector.FusedMultiplyAdd(p, x, new Vector<double>(0.5));
        p = Vector.FusedMultiplyAdd(p, x, Vector<double>.One);
        return p * x;
    }

    /// <summary>tanh(x) and 1 - tanh^2(x); one division unless a lane is below 0.55 in magnitude.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh(Vector<double> x, out Vector<double> t, out Vector<double> d)
    {
        Vector<double> a = Vector.Abs(x);
        Vector<double> e2 = VectorMath.Exp(-(a + a));                      // exp(-2a) in (0, 1]
        Vector<double> r = Vector<double>.One / (Vector<double>.One + e2);
        Vector<double> tanh = (Vector<double>.One - e2) * r;               // no cancellation once a >= 0.55
        Vector<long> small = Vector.LessThan(a, new Vector<double>(0.55));
        if (!Vector.EqualsAll(small, Vector<long>.Zero))
        {
            Vector<double> em = ExpM1Small(Vector.Min(a + a, new Vector<double>(1.1)));
            tanh = Vector.ConditionalSelect(small, em / (em + new Vector<double>(2.0)), tanh); // exact near 0
        }

        // Restore the sign bit of x (tanh is odd; -0 stays -0); NaN propagates through Exp.
        Vector<long> sign = Vector.AsVectorInt64(x) & new Vector<long>(long.MinValue);
        t = Vector.AsVectorDouble(Vector.AsVectorInt64(tanh) | sign);
        d = new Vector<double>(4.0) * e2 * r * r;
    }

    /// <summary>logistic(x) = 1 / (1 + exp(-x)) and its derivative, from e = exp(-|x|) without cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Logistic(Vector<double> x, out Vector<double> mu, out Vector<double> d)
    {
        Vector<double> e = VectorMath.Exp(-Vector.Abs(x));
        Vector<double> p = Vector<double>.One / (Vector<double>.One + e);
        Vector<double> ep = e * p;
        d = ep * p;
        mu = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), p, ep);
        mu = Vector.ConditionalSelect(Vector.Equals(x, x), mu, x);
    }

    /// <summary>
    /// exp in float (Cephes' expf: Cody-Waite reduction by ln 2 in two parts, a degree-6 polynomial), within 1 ulp,
    /// with subnormal results (the scale 2^n applied in two halves) and 0 below -103.98.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ExpF(Vector<float> x)
    {
        Vector<float> xc = Vector.Min(Vector.Max(x, new Vector<float>(-104f)), new Vector<float>(88.7f));
        Vector<float> n = Vector.Round(xc * new Vector<float>(1.44269504088896341f));
        Vector<float> r = Vector.FusedMultiplyAdd(n, new Vector<float>(-0.693359375f), xc);
        r = Vector.FusedMultiplyAdd(n, new Vector<float>(2.12194440e-4f), r);
        Vector<float> p = new(1.9875691500e-4f);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.3981999507e-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(8.3334519073e-3f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(4.1665795894e-2f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(1.6666665459e-1f));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<float>(5.0000001201e-1f));
        p = Vector.FusedMultiplyAdd(p, r * r, r + Vector<float>.One);
        Vector<int> ni = Vector.ConvertToInt32(n);
        Vector<int> n1 = Vector.ShiftRightArithmetic(ni, 1);
        Vector<float> s1 = Vector.AsVectorSingle(Vector.ShiftLeft(n1 + new Vector<int>(127), 23));
        Vector<float> s2 = Vector.AsVectorSingle(Vector.ShiftLeft(ni - n1 + new Vector<int>(127), 23));
        Vector<float> result = p * s1 * s2;
        result = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<float>(-103.98f)), Vector<float>.Zero, result);
        result = Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<float>(88.72283f)), new Vector<float>(float.PositiveInfinity), result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// log in float (Cephes' logf: x = 2^k m with m in [sqrt(1/2), sqrt 2), f = m - 1, log m = f - f^2/2 + f^3 P(f) with
    /// a degree-8 P, k ln 2 added in two parts), within 1 ulp (tested against the rounded double log). Subnormal inputs
    /// are scaled by 2^23 first; log 0 = -Infinity, log of a negative number is NaN, log +Infinity = +Infinity.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LogF(Vector<float> x)
    {
        Vector<int> tiny = Vector.LessThan(x, new Vector<float>(1.17549435e-38f));
        Vector<float> xs = Vector.ConditionalSelect(tiny, x * new Vector<float>(8388608f), x); // 2^23
        Vector<int> bits = Vector.AsVectorInt32(xs) + new Vector<int>(0x3f800000 - 0x3f3504f3);
        Vector<int> k = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127) - (Vector.AsVectorInt32(tiny) & new Vector<int>(23));
        Vector<float> m = Vector.AsVectorSingle((bits & new Vector<int>(0x007fffff)) + new Vector<int>(0x3f3504f3));
        Vector<float> f = m - Vector<float>.One;
        Vector<float> z = f * f;
        Vector<float> p = new(7.0376836292e-2f);
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.1514610310e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(1.1676998740e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.2420140846e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(1.4249322787e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-1.6668057665e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(2.0000714765e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(-2.4999993993e-1f));
        p = Vector.FusedMultiplyAdd(p, f, new Vector<float>(3.3333331174e-1f));
        Vector<float> e = Vector.ConvertToSingle(k);
        Vector<float> y = f * z * p;
        y = Vector.FusedMultiplyAdd(e, new Vector<float>(-2.12194440e-4f), y);
        y = Vector.FusedMultiplyAdd(z, new Vector<float>(-0.5f), y);
        Vector<float> result = Vector.FusedMultiplyAdd(e, new Vector<float>(0.693359375f), f + y);
        result = Vector.ConditionalSelect(Vector.Equals(x, Vector<float>.Zero), new Vector<float>(float.NegativeInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), new Vector<float>(float.NaN), result);
        result = Vector.ConditionalSelect(Vector.Equals(x, new Vector<float>(float.PositiveInfinity)), x, result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// softplus in float: max(x, 0) + log1p(e) with e = exp(-|x|) in (0, 1], log1p by Goldberg's correction
    /// log(u) e / (u - 1), u = 1 + e, on <see cref="LogF"/>; within 3 float ulps (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> SoftplusF(Vector<float> x)
    {
        Vector<float> e = ExpF(-Vector.Abs(x));
        Vector<float> u = Vector<float>.One + e;
        Vector<float> l = LogF(u) * (e / (u - Vector<float>.One));
        l = Vector.ConditionalSelect(Vector.Equals(u, Vector<float>.One), e, l);
        Vector<float> result = Vector.Max(x, Vector<float>.Zero) + l;
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>tanh and 1 - tanh^2 in float: as the double kernel, with expm1's series to x^11 below |x| = 0.55.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TanhF(Vector<float> x, out Vector<float> t, out Vector<float> d)
    {
        Vector<float> a = Vector.Abs(x);
        Vector<float> e2 = ExpF(-(a + a));
        Vector<float> r = Vector<float>.One / (Vector<float>.One + e2);
        Vector<float> tanh = (Vector<float>.One - e2) * r;
        Vector<int> small = Vector.LessThan(a, new Vector<float>(0.55f));
        if (!Vector.EqualsAll(small, Vector<int>.Zero))
        {
            Vector<float> z = Vector.Min(a + a, new Vector<float>(1.1f));
            Vector<float> p = new(1f / 39916800f);
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 3628800f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 362880f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 40320f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 5040f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 720f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 120f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 24f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(1f / 6f));
            p = Vector.FusedMultiplyAdd(p, z, new Vector<float>(0.5f));
            p = Vector.FusedMultiplyAdd(p, z, Vector<float>.One);
            Vector<float> em = p * z;
            tanh = Vector.ConditionalSelect(small, em / (em + new Vector<float>(2f)), tanh);
        }

        Vector<int> sign = Vector.AsVectorInt32(x) & new Vector<int>(int.MinValue);
        t = Vector.AsVectorSingle(Vector.AsVectorInt32(tanh) | sign);
        d = new Vector<float>(4f) * e2 * r * r;
    }

    /// <summary>logistic and its derivative in float, from e = exp(-|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogisticF(Vector<float> x, out Vector<float> mu, out Vector<float> d)
    {
        Vector<float> e = ExpF(-Vector.Abs(x));
        Vector<float> p = Vector<float>.One / (Vector<float>.One + e);
        Vector<float> ep = e * p;
        d = ep * p;
        mu = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<float>.Zero), p, ep);
        mu = Vector.ConditionalSelect(Vector.Equals(x, x), mu, x);
    }

    internal interface IActivation
    {
        static abstract void Invoke(Vector<double> x, out Vector<double> mu, out Vector<double> d);

        static abstract double Scalar(double x, out double d);

        static abstract void InvokeF(Vector<float> x, out Vector<float> mu, out Vector<float> d);
    }

    internal readonly struct TanhOp : IActivation
    {
        public static void Invoke(Vector<double> x, out Vector<double> mu, out Vector<double> d) => Tanh(x, out mu, out d);

        public static void InvokeF(Vector<float> x, out Vector<float> mu, out Vector<float> d) => TanhF(x, out mu, out d);

        public static double Scalar(double x, out double d)
        {
            Span<double> buf = stackalloc double[Vector<double>.Count];
            buf.Clear();
            buf[0] = x;
            Tanh(new Vector<double>(buf), out Vector<double> t, out Vector<double> dv);
            d = dv[0];
            return t[0];
        }
    }

    internal readonly struct LogisticOp : IActivation
    {
        public static void Invoke(Vector<double> x, out Vector<double> mu, out Vector<double> d) => Logistic(x, out mu, out d);

        public static void InvokeF(Vector<float> x, out Vector<float> mu, out Vector<float> d) => LogisticF(x, out mu, out d);

        public static double Scalar(double x, out double d)
        {
            double e = Math.Exp(-Math.Abs(x));
            double p = 1.0 / (1.0 + e);
            d = e * p * p;
            return x >= 0 ? p : double.IsNaN(x) ? x : e * p;
        }
    }

    /// <summary>mu and/or dmu/deta over a double span (either destination may be empty; mu may alias eta).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) where TOp : struct, IActivation
    {
        int n = eta.Length, vw = Vector<double>.Count;
        bool wantMu = !mu.IsEmpty, wantD = !dMuDEta.IsEmpty;
        if (wantMu && mu.Length < n) throw new ArgumentException($"Destination length {mu.Length} is shorter than the source length {n}.", nameof(mu));
        if (wantD && dMuDEta.Length < n) throw new ArgumentException($"Destination length {dMuDEta.Length} is shorter than the source length {n}.", nameof(dMuDEta));
        if (n < vw)
        {
            for (int i = 0; i < n; i++)
            {
                double m = TOp.Scalar(eta[i], out double d);
                if (wantD) dMuDEta[i] = d;
                if (wantMu) mu[i] = m;
            }

            return;
        }

        // The last full vector is computed before anything is stored, so that mu may alias eta.
        TOp.Invoke(new Vector<double>(eta[(n - vw)..]), out Vector<double> lastMu, out Vector<double> lastD);
        for (int i = 0; i <= n - vw; i += vw)
        {
            TOp.Invoke(new Vector<double>(eta[i..]), out Vector<double> m, out Vector<double> d);
            if (wantD) d.CopyTo(dMuDEta[i..]);
            if (wantMu) m.CopyTo(mu[i..]);
        }

        if (wantD) lastD.CopyTo(dMuDEta[(n - vw)..]);
        if (wantMu) lastMu.CopyTo(mu[(n - vw)..]);
    }

    /// <summary>The float version, on float-native kernels (within 3 float ulps, tested); spans shorter than a vector are computed in double and rounded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta) where TOp : struct, IActivation
    {
        int n = eta.Length, vw = Vector<float>.Count;
        bool wantMu = !mu.IsEmpty, wantD = !dMuDEta.IsEmpty;
        if (wantMu && mu.Length < n) throw new ArgumentException($"Destination length {mu.Length} is shorter than the source length {n}.", nameof(mu));
        if (wantD && dMuDEta.Length < n) throw new ArgumentException($"Destination length {dMuDEta.Length} is shorter than the source length {n}.", nameof(dMuDEta));
        if (n < vw)
        {
            for (int i = 0; i < n; i++)
            {
                double m = TOp.Scalar(eta[i], out double d);
                if (wantD) dMuDEta[i] = (float)d;
                if (wantMu) mu[i] = (float)m;
            }

            return;
        }

        Compute(new Vector<float>(eta[(n - vw)..]), out Vector<float> lastMu, out Vector<float> lastD);
        for (int i = 0; i <= n - vw; i += vw)
        {
            Compute(new Vector<float>(eta[i..]), out Vector<float> m, out Vector<float> d);
            if (wantD) d.CopyTo(dMuDEta[i..]);
            if (wantMu) m.CopyTo(mu[i..]);
        }

        if (wantD) lastD.CopyTo(dMuDEta[(n - vw)..]);
        if (wantMu) lastMu.CopyTo(mu[(n - vw)..]);

        static void Compute(Vector<float> x, out Vector<float> m, out Vector<float> d) => TOp.InvokeF(x, out m, out d);
    }
}
