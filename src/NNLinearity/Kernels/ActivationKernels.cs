using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NNLinearity.Kernels;

/// <summary>
/// Vectorised tanh and logistic with their derivatives, in double and float: double within 3 ulp of Math.Tanh and of
/// a plain scalar logistic, float within 3 float ulps of the correctly rounded value (measured by the tests, tails,
/// subnormals, +-0, +-Inf and NaN included). Written against <see cref="ISimd{TSelf, T}"/>: the span methods run on
/// 512-bit vectors where they are accelerated, else on <see cref="Vector{T}"/>, with the same bits on every width.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>expm1(x) for 0 &lt;= x &lt;= 1.1 by its Taylor series to x^20 (truncation below 1e-19 relative; all terms positive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpM1Small<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV p = TV.Create(1.0 / 2432902008176640000.0);
        p = TV.Fma(p, x, TV.Create(1.0 / 121645100408832000.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 6402373705728000.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 355687428096000.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 20922789888000.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 1307674368000.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 87178291200.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 6227020800.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 479001600.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 39916800.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 3628800.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 362880.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 40320.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 5040.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 720.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 120.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 24.0));
        p = TV.Fma(p, x, TV.Create(1.0 / 6.0));
        p = TV.Fma(p, x, TV.Create(0.5));
        p = TV.Fma(p, x, TV.Create(1.0));
        return p * x;
    }

    /// <summary>tanh(x) and 1 - tanh^2(x); one division unless a lane is below 0.55 in magnitude.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh<TV>(TV x, out TV t, out TV d)
        where TV : struct, ISimd<TV, double>
    {
        TV a = TV.Abs(x);
        TV e2 = VectorMath.Exp(-(a + a));                      // exp(-2a) in (0, 1]
        TV r = TV.Create(1.0) / (TV.Create(1.0) + e2);
        TV tanh = (TV.Create(1.0) - e2) * r;               // no cancellation once a >= 0.55
        TV small = TV.LessThan(a, TV.Create(0.55));
        if (TV.AnyTrue(small))
        {
            TV em = ExpM1Small(TV.Min(a + a, TV.Create(1.1)));
            tanh = TV.Select(small, em / (em + TV.Create(2.0)), tanh); // exact near 0
        }

        // Restore the sign bit of x (tanh is odd; -0 stays -0); NaN propagates through Exp.
        t = TV.WithSignOf(tanh, x);
        d = TV.Create(4.0) * e2 * r * r;
    }

    /// <summary>logistic(x) = 1 / (1 + exp(-x)) and its derivative, from e = exp(-|x|) without cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Logistic<TV>(TV x, out TV mu, out TV d)
        where TV : struct, ISimd<TV, double>
    {
        TV e = VectorMath.Exp(-TV.Abs(x));
        TV p = TV.Create(1.0) / (TV.Create(1.0) + e);
        TV ep = e * p;
        d = ep * p;
        mu = TV.Select(TV.GreaterThanOrEqual(x, TV.Create(0.0)), p, ep);
        mu = TV.Select(TV.Equal(x, x), mu, x);
    }

    /// <summary>
    /// exp in float (Cephes' expf: Cody-Waite reduction by ln 2 in two parts, a degree-6 polynomial), within 1 ulp,
    /// with subnormal results (the scale 2^n applied in two halves) and 0 below -103.98.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF ExpF<TF>(TF x)
        where TF : struct, ISimd<TF, float>
    {
        // Every lane's result normal (the common case): one scale by 2^n, no clamps or special values. Otherwise x is
        // clamped first, the scale applied in two halves (exact for normal results, so the same bits) and the special
        // values put back. One polynomial on either path and no call, so that the body inlines into every loop.
        bool normal = TF.AllTrue(TF.LessThanOrEqual(TF.Abs(x), TF.Create(87f)));
        TF xc = normal ? x : TF.ClampOrdered(x, TF.Create(-104f), TF.Create(88.7f));
        TF p = ExpReducedF(xc, out TF n);
        if (normal) return p * TF.Pow2(n);
        TF result = TF.ScaleByPow2(p, n);
        result = TF.Select(TF.LessThan(x, TF.Create(-103.98f)), TF.Create(0f), result);
        result = TF.Select(TF.GreaterThan(x, TF.Create(88.72283f)), TF.Create(float.PositiveInfinity), result);
        return TF.Select(TF.Equal(x, x), result, x);
    }

    /// <summary>
    /// <see cref="ExpF"/> with its uncommon path called out of line: the same bits, for a body too large for the
    /// compiler to inline an exponential and a logarithm whole (softplus). Its loops keep their vectors in memory only
    /// when a lane leaves the common case.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF ExpCalledF<TF>(TF x)
        where TF : struct, ISimd<TF, float>
    {
        if (TF.AllTrue(TF.LessThanOrEqual(TF.Abs(x), TF.Create(87f)))) return ExpReducedF(x, out TF nf) * TF.Pow2(nf);
        return ExpOutOfLineF(x);
    }

    /// <summary><see cref="ExpF"/> as a call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TF ExpOutOfLineF<TF>(TF x)
        where TF : struct, ISimd<TF, float> => ExpF(x);

    /// <summary>exp(x) / 2^n with n = round(x / ln 2): Cody-Waite reduction and Cephes' polynomial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF ExpReducedF<TF>(TF xc, out TF n)
        where TF : struct, ISimd<TF, float>
    {
        TF p = ExpPolynomialF(xc, out n, out TF r);
        return TF.Fma(p, r * r, r + TF.Create(1f));
    }

    /// <summary>
    /// The reduction x = n ln 2 + r (n = round(x / ln 2), ln 2 in two parts, |r| &lt;= ln 2 / 2) and Cephes' expf
    /// polynomial P: e^r = 1 + r + r^2 P(r), so that e^r - 1 = r + r^2 P(r) without cancellation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF ExpPolynomialF<TF>(TF xc, out TF n, out TF r)
        where TF : struct, ISimd<TF, float>
    {
        n = TF.Round(xc * TF.Create(1.44269504088896341f));
        r = TF.Fma(n, TF.Create(-0.693359375f), xc);
        r = TF.Fma(n, TF.Create(2.12194440e-4f), r);
        TF p = TF.Create(1.9875691500e-4f);
        p = TF.Fma(p, r, TF.Create(1.3981999507e-3f));
        p = TF.Fma(p, r, TF.Create(8.3334519073e-3f));
        p = TF.Fma(p, r, TF.Create(4.1665795894e-2f));
        p = TF.Fma(p, r, TF.Create(1.6666665459e-1f));
        return TF.Fma(p, r, TF.Create(5.0000001201e-1f));
    }

    /// <summary>
    /// log in float (Cephes' logf: x = 2^k m with m in [sqrt(1/2), sqrt 2), f = m - 1, log m = f - f^2/2 + f^3 P(f) with
    /// a degree-8 P, k ln 2 added in two parts), within 1 ulp (tested against the rounded double log). Subnormal inputs
    /// are scaled by 2^23 first; log 0 = -Infinity, log of a negative number is NaN, log +Infinity = +Infinity.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF LogF<TF>(TF x)
        where TF : struct, ISimd<TF, float>
    {
        // Every lane positive, normal and finite (the common case): no special values to put back. Otherwise
        // subnormals are scaled first and zero, negative, infinite and NaN lanes put back; the normal lanes get the
        // same bits. One polynomial on either path and no call, so that the body inlines into every loop.
        bool normal = TF.AllTrue(TF.Equal(TF.ClampOrdered(x, TF.Create(1.17549435e-38f), TF.Create(float.MaxValue)), x));
        TF result = LogCoreF(x, normal);
        if (normal) return result;
        result = TF.Select(TF.Equal(x, TF.Create(0f)), TF.Create(float.NegativeInfinity), result);
        result = TF.Select(TF.LessThan(x, TF.Create(0f)), TF.Create(float.NaN), result);
        result = TF.Select(TF.Equal(x, TF.Create(float.PositiveInfinity)), x, result);
        return TF.Select(TF.Equal(x, x), result, x);
    }

    /// <summary>Cephes' logf for positive x (subnormals scaled by 2^23 first), before the special values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF LogCoreF<TF>(TF x, bool normal)
        where TF : struct, ISimd<TF, float>
    {
        TF e;
        TF m = normal ? TF.ReduceNormal(x, out e) : TF.Reduce(x, out e); // x = 2^e m, subnormals scaled by 2^23 first
        TF f = m - TF.Create(1f);
        TF z = f * f;
        TF p = TF.Create(7.0376836292e-2f);
        p = TF.Fma(p, f, TF.Create(-1.1514610310e-1f));
        p = TF.Fma(p, f, TF.Create(1.1676998740e-1f));
        p = TF.Fma(p, f, TF.Create(-1.2420140846e-1f));
        p = TF.Fma(p, f, TF.Create(1.4249322787e-1f));
        p = TF.Fma(p, f, TF.Create(-1.6668057665e-1f));
        p = TF.Fma(p, f, TF.Create(2.0000714765e-1f));
        p = TF.Fma(p, f, TF.Create(-2.4999993993e-1f));
        p = TF.Fma(p, f, TF.Create(3.3333331174e-1f));
        TF y = f * z * p;
        y = TF.Fma(e, TF.Create(-2.12194440e-4f), y);
        y = TF.Fma(z, TF.Create(-0.5f), y);
        return TF.Fma(e, TF.Create(0.693359375f), f + y);
    }

    /// <summary>
    /// softplus in float: max(x, 0) + log1p(e) with e = exp(-|x|) in (0, 1] (<see cref="ExpCalledF"/>), log1p by Goldberg's correction
    /// log(u) e / (u - 1), u = 1 + e, on <see cref="LogF"/>'s common-case path; within 3 float ulps (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF SoftplusF<TF>(TF x)
        where TF : struct, ISimd<TF, float>
    {
        TF e = ExpCalledF(-TF.Abs(x));
        TF u = TF.Create(1f) + e;
        // u is in [1, 2] unless x is NaN (which the last line puts back), so the logarithm's common-case path alone
        // (LogF's result on such lanes, bit for bit) keeps the body small enough for the compiler to inline.
        TF l = LogCoreF(u, normal: true) * (e / (u - TF.Create(1f)));
        l = TF.Select(TF.Equal(u, TF.Create(1f)), e, l);
        TF result = TF.Max(x, TF.Create(0f)) + l;
        return TF.Select(TF.Equal(x, x), result, x);
    }

    /// <summary>
    /// tanh and 1 - tanh^2 in float from one exponential: with z = -2|x| = n ln 2 + r, e = e^z = 2^n (1 + u) and
    /// e - 1 = 2^n u + (2^n - 1), u = e^r - 1 = r + r^2 P(r) (<see cref="ExpPolynomialF"/>), so that e - 1 keeps its
    /// relative accuracy near 0 without a second polynomial; tanh|x| = (1 - e) / (1 + e) and 1 - tanh^2 = 4 e / (1 + e)^2,
    /// one division. Within 3 ulps (checked over a sweep of the floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TanhF<TF>(TF x, out TF t, out TF d)
        where TF : struct, ISimd<TF, float>
    {
        TF a = TF.Abs(x);
        TF z = -(a + a);
        // Every lane's 2^n normal (n >= -126), the common case. Otherwise z is clamped at -104 and 2^n applied as
        // 2^max(n, -126) inside the fused product and the rest after it (subnormal e; e - 1 is -1 in float wherever
        // n < -126), NaN kept; the common-case lanes get the same bits. One polynomial on either path and no call,
        // so that the body inlines into every loop.
        bool normal = TF.AllTrue(TF.LessThanOrEqual(a, TF.Create(43.5f)));
        TF p = ExpPolynomialF(normal ? z : TF.Max(z, TF.Create(-104f)), out TF n, out TF r);
        TF u = TF.Fma(p, r * r, r);
        TF e, em;
        if (normal)
        {
            TF s = TF.Pow2(n);
            e = TF.Fma(s, u, s);
            em = TF.Fma(s, u, s - TF.Create(1f));
        }
        else
        {
            TF nHigh = TF.Max(n, TF.Create(-126f));
            TF s = TF.Pow2(nHigh);
            e = TF.Fma(s, u, s) * TF.Pow2(n - nHigh);
            em = TF.Fma(s, u, s - TF.Create(1f));
            TF isNumber = TF.Equal(z, z);
            e = TF.Select(isNumber, e, z);
            em = TF.Select(isNumber, em, z);
        }

        TF q = TF.Create(1f) / (TF.Create(1f) + e);
        t = TF.WithSignOf(TF.Abs(em * q), x);
        d = TF.Create(4f) * e * q * q;
    }

    /// <summary>logistic and its derivative in float, from e = exp(-|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogisticF<TF>(TF x, out TF mu, out TF d)
        where TF : struct, ISimd<TF, float>
    {
        TF e = ExpF(-TF.Abs(x));
        TF p = TF.Create(1f) / (TF.Create(1f) + e);
        TF ep = e * p;
        d = ep * p;
        mu = TF.Select(TF.GreaterThanOrEqual(x, TF.Create(0f)), p, ep);
        mu = TF.Select(TF.Equal(x, x), mu, x);
    }

    /// <summary>An inverse link with its derivative, on double and float lanes of every width, and in scalar double.</summary>
    internal interface IActivation
    {
        static abstract void Invoke<TV>(TV x, out TV mu, out TV d)
            where TV : struct, ISimd<TV, double>;

        static abstract double Scalar(double x, out double d);

        static abstract void InvokeF<TF>(TF x, out TF mu, out TF d)
            where TF : struct, ISimd<TF, float>;
    }

    internal readonly struct TanhOp : IActivation
    {
        public static void Invoke<TV>(TV x, out TV mu, out TV d) where TV : struct, ISimd<TV, double> => Tanh(x, out mu, out d);

        public static void InvokeF<TF>(TF x, out TF mu, out TF d) where TF : struct, ISimd<TF, float> => TanhF(x, out mu, out d);

        public static double Scalar(double x, out double d)
        {
            Span<double> buf = stackalloc double[Vector<double>.Count];
            buf.Clear();
            buf[0] = x;
            Tanh(new VecD(new Vector<double>(buf)), out VecD t, out VecD dv);
            d = dv.V[0];
            return t.V[0];
        }
    }

    internal readonly struct LogisticOp : IActivation
    {
        public static void Invoke<TV>(TV x, out TV mu, out TV d) where TV : struct, ISimd<TV, double> => Logistic(x, out mu, out d);

        public static void InvokeF<TF>(TF x, out TF mu, out TF d) where TF : struct, ISimd<TF, float> => LogisticF(x, out mu, out d);

        public static double Scalar(double x, out double d)
        {
            double e = Math.Exp(-Math.Abs(x));
            double p = 1.0 / (1.0 + e);
            d = e * p * p;
            return x >= 0 ? p : double.IsNaN(x) ? x : e * p;
        }
    }

    /// <summary>mu and/or dmu/deta over a double span on the widest accelerated vectors (either destination may be empty; mu may alias eta).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) where TOp : struct, IActivation
    {
        if (VectorMath.Use512) Apply<TOp, Vec512D>(eta, mu, dMuDEta);
        else Apply<TOp, VecD>(eta, mu, dMuDEta);
    }

    /// <summary>The float version, on float-native kernels (within 3 float ulps, tested).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta) where TOp : struct, IActivation
    {
        if (VectorMath.Use512) ApplyF<TOp, Vec512F>(eta, mu, dMuDEta);
        else ApplyF<TOp, VecF>(eta, mu, dMuDEta);
    }

    /// <summary>The double span kernel on one width (tests force each width through it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Apply<TOp, TV>(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta)
        where TOp : struct, IActivation
        where TV : struct, ISimd<TV, double>
    {
        int n = eta.Length, vw = TV.Count;
        bool wantMu = !mu.IsEmpty, wantD = !dMuDEta.IsEmpty;
        if (wantMu && mu.Length < n) throw new ArgumentException($"Destination length {mu.Length} is shorter than the source length {n}.", nameof(mu));
        if (wantD && dMuDEta.Length < n) throw new ArgumentException($"Destination length {dMuDEta.Length} is shorter than the source length {n}.", nameof(dMuDEta));
        if (n < vw)
        {
            // One zero-padded vector: each value is the one the vector loop computes for it in a longer span, so a
            // layer's outputs do not depend on how its rows are batched.
            Span<double> tmp = stackalloc double[3 * vw];
            tmp.Clear();
            eta.CopyTo(tmp);
            ref double t = ref MemoryMarshal.GetReference(tmp);
            TOp.Invoke(TV.Load(ref t, 0), out TV pm, out TV pd);
            TV.Store(pm, ref t, (nuint)vw);
            TV.Store(pd, ref t, (nuint)(2 * vw));
            if (wantD) tmp.Slice(2 * vw, n).CopyTo(dMuDEta);
            if (wantMu) tmp.Slice(vw, n).CopyTo(mu);
            return;
        }

        if (StreamingDriver.Worthwhile(n, sizeof(double)) && TryStream<TOp, TV, double, Body<TOp, TV>, SwappedBody<TOp, TV>>(eta, mu, dMuDEta)) return;

        // The last full vector is computed before anything is stored, so that mu may alias eta.
        ref double e = ref MemoryMarshal.GetReference(eta);
        ref double mr = ref MemoryMarshal.GetReference(mu);
        ref double dr = ref MemoryMarshal.GetReference(dMuDEta);
        nuint lastAt = (nuint)(n - vw);
        TOp.Invoke(TV.Load(ref e, lastAt), out TV lastMu, out TV lastD);
        for (nuint i = 0; i <= lastAt; i += (nuint)vw)
        {
            TOp.Invoke(TV.Load(ref e, i), out TV m, out TV d);
            if (wantD) TV.Store(d, ref dr, i);
            if (wantMu) TV.Store(m, ref mr, i);
        }

        if (wantD) TV.Store(lastD, ref dr, lastAt);
        if (wantMu) TV.Store(lastMu, ref mr, lastAt);
    }

    /// <summary>The float span kernel on one width; a span shorter than a vector is computed on one zero-padded vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ApplyF<TOp, TF>(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta)
        where TOp : struct, IActivation
        where TF : struct, ISimd<TF, float>
    {
        int n = eta.Length, vw = TF.Count;
        bool wantMu = !mu.IsEmpty, wantD = !dMuDEta.IsEmpty;
        if (wantMu && mu.Length < n) throw new ArgumentException($"Destination length {mu.Length} is shorter than the source length {n}.", nameof(mu));
        if (wantD && dMuDEta.Length < n) throw new ArgumentException($"Destination length {dMuDEta.Length} is shorter than the source length {n}.", nameof(dMuDEta));
        if (n < vw)
        {
            // One zero-padded vector, as the double kernel.
            Span<float> tmp = stackalloc float[3 * vw];
            tmp.Clear();
            eta.CopyTo(tmp);
            ref float t = ref MemoryMarshal.GetReference(tmp);
            TOp.InvokeF(TF.Load(ref t, 0), out TF pm, out TF pd);
            TF.Store(pm, ref t, (nuint)vw);
            TF.Store(pd, ref t, (nuint)(2 * vw));
            if (wantD) tmp.Slice(2 * vw, n).CopyTo(dMuDEta);
            if (wantMu) tmp.Slice(vw, n).CopyTo(mu);
            return;
        }

        if (StreamingDriver.Worthwhile(n, sizeof(float)) && TryStream<TOp, TF, float, BodyF<TOp, TF>, SwappedBodyF<TOp, TF>>(eta, mu, dMuDEta)) return;

        ref float e = ref MemoryMarshal.GetReference(eta);
        ref float mr = ref MemoryMarshal.GetReference(mu);
        ref float dr = ref MemoryMarshal.GetReference(dMuDEta);
        nuint lastAt = (nuint)(n - vw);
        TOp.InvokeF(TF.Load(ref e, lastAt), out TF lastMu, out TF lastD);
        if (wantMu && !wantD)
        {
            // The means alone: a loop of its own, where the unused derivative's arithmetic is dropped.
            for (nuint i = 0; i <= lastAt; i += (nuint)vw)
            {
                TOp.InvokeF(TF.Load(ref e, i), out TF m, out _);
                TF.Store(m, ref mr, i);
            }
        }
        else
        {
            for (nuint i = 0; i <= lastAt; i += (nuint)vw)
            {
                TOp.InvokeF(TF.Load(ref e, i), out TF m, out TF d);
                if (wantD) TF.Store(d, ref dr, i);
                if (wantMu) TF.Store(m, ref mr, i);
            }
        }

        if (wantD) TF.Store(lastD, ref dr, lastAt);
        if (wantMu) TF.Store(lastMu, ref mr, lastAt);
    }

    /// <summary>The streaming driver over pinned spans: mu first (or dmu/deta alone), the other second.</summary>
    private static unsafe bool TryStream<TOp, TV, T, TBody, TSwapped>(ReadOnlySpan<T> eta, Span<T> mu, Span<T> dMuDEta)
        where TOp : struct, IActivation
        where TV : struct, ISimd<TV, T>
        where T : unmanaged
        where TBody : struct, IVectorBody<TV>
        where TSwapped : struct, IVectorBody<TV>
    {
        fixed (T* e = eta)
        fixed (T* m = mu)
        fixed (T* d = dMuDEta)
        {
            if (mu.IsEmpty) return StreamingDriver.Run<TSwapped, TV, T>(e, d, null, eta.Length);
            return StreamingDriver.Run<TBody, TV, T>(e, m, dMuDEta.IsEmpty ? null : d, eta.Length);
        }
    }

    private readonly struct Body<TOp, TV> : IVectorBody<TV>
        where TOp : struct, IActivation
        where TV : struct, ISimd<TV, double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Invoke(TV x, out TV first, out TV second) => TOp.Invoke(x, out first, out second);
    }

    private readonly struct SwappedBody<TOp, TV> : IVectorBody<TV>
        where TOp : struct, IActivation
        where TV : struct, ISimd<TV, double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Invoke(TV x, out TV first, out TV second) => TOp.Invoke(x, out second, out first);
    }

    private readonly struct BodyF<TOp, TF> : IVectorBody<TF>
        where TOp : struct, IActivation
        where TF : struct, ISimd<TF, float>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Invoke(TF x, out TF first, out TF second) => TOp.InvokeF(x, out first, out second);
    }

    private readonly struct SwappedBodyF<TOp, TF> : IVectorBody<TF>
        where TOp : struct, IActivation
        where TF : struct, ISimd<TF, float>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Invoke(TF x, out TF first, out TF second) => TOp.InvokeF(x, out second, out first);
    }
}
