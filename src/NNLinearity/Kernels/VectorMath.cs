using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Kernels;

/// <summary>
/// Vectorised elementary functions in double precision on <see cref="Vector{T}"/> (256-bit with AVX2, 128-bit on
/// SSE/NEON, a software fallback without SIMD), with the same algorithm on every width.
/// Accuracy, measured by tests against Math.Exp / Math.Log over the whole range including tails and subnormals:
/// exp within 1 ulp, log within 1 ulp (documented per method).
/// </summary>
internal static class VectorMath
{
    private const double Log2E = 1.4426950408889634074;
    private const double Ln2Hi = 6.93147180369123816490e-01; // ln 2 with its low 32 bits zero: n * Ln2Hi is exact
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double ExpOverflow = 709.782712893383973096;   // largest x with exp(x) finite
    private const double ExpUnderflow = -745.1332191019411;       // below it exp(x) rounds to 0

    /// <summary>
    /// The reduction shared by exp and expm1: x = n ln2 + r with |r| &lt;= ln2/2 (Cody-Waite with FMA, n ln2 in two
    /// parts so that n Ln2Hi is exact), and expm1(r) = r + r^2 (1/2 + r/6 + ... + r^11/13!) (truncation below 3e-18
    /// relative).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ReducedExpM1(Vector<double> x, out Vector<double> n)
    {
        n = Vector.Round(x * new Vector<double>(Log2E));
        Vector<double> r = Vector.FusedMultiplyAdd(n, new Vector<double>(-Ln2Hi), x);
        r = Vector.FusedMultiplyAdd(n, new Vector<double>(-Ln2Lo), r);
        Vector<double> q = new(1.0 / 6227020800.0);
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 479001600.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 39916800.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 3628800.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 362880.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 40320.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 5040.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 720.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 120.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 24.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(1.0 / 6.0));
        q = Vector.FusedMultiplyAdd(q, r, new Vector<double>(0.5));
        return Vector.FusedMultiplyAdd(r * r, q, r);
    }

    /// <summary>
    /// exp(x): x = n ln2 + r with |r| &lt;= ln2/2, exp(r) = 1 + expm1(r) by the shared reduction, times 2^n built in
    /// two halves so that subnormal results are rounded once. Within 1 ulp of Math.Exp and of R's exp (tested);
    /// +Infinity above 709.78, 0 below -745.13, NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x)
    {
        Vector<double> xc = Vector.Min(Vector.Max(x, new Vector<double>(ExpUnderflow - 1)), new Vector<double>(ExpOverflow + 1));
        Vector<double> p = Vector<double>.One + ReducedExpM1(xc, out Vector<double> n);

        Vector<long> ni = Vector.ConvertToInt64(n);
        Vector<long> n1 = Vector.ShiftRightArithmetic(ni, 1);
        Vector<long> n2 = ni - n1;
        Vector<double> s1 = Vector.AsVectorDouble(Vector.ShiftLeft(n1 + new Vector<long>(1023), 52));
        Vector<double> s2 = Vector.AsVectorDouble(Vector.ShiftLeft(n2 + new Vector<long>(1023), 52));
        Vector<double> result = p * s1 * s2;

        result = Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<double>(ExpOverflow)), new Vector<double>(double.PositiveInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<double>(ExpUnderflow)), Vector<double>.Zero, result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x); // NaN in, NaN out
    }

    /// <summary>
    /// log(x): x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1 (exact), s = f / (2 + f), and
    /// log(m) = f - (f^2/2 - s (f^2/2 + R(s^2))) with fdlibm's minimax R (its e_log.c), which keeps the result within
    /// 1 ulp. Subnormal inputs are scaled by 2^54 first; log(0) = -Infinity, log(x &lt; 0) = NaN, log(+Inf) = +Inf.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x)
    {
        // Scale subnormals into the normal range.
        Vector<long> tiny = Vector.LessThan(x, new Vector<double>(2.2250738585072014e-308));
        Vector<double> xs = Vector.ConditionalSelect(tiny, x * new Vector<double>(18014398509481984.0), x); // 2^54
        Vector<long> kAdjust = Vector.ConditionalSelect(tiny, new Vector<long>(-54), Vector<long>.Zero);

        Vector<long> bits = Vector.AsVectorInt64(xs);
        // Bias the exponent so that the mantissa lands in [sqrt(2)/2, sqrt(2)): add (1 - sqrt(2)/2) in mantissa units.
        Vector<long> hx = bits + new Vector<long>(0x3ff0000000000000L - 0x3fe6a09e667f3bcdL);
        Vector<long> k = Vector.ShiftRightArithmetic(hx, 52) - new Vector<long>(0x3ff) + kAdjust;
        Vector<long> mbits = (hx & new Vector<long>(0x000fffffffffffffL)) + new Vector<long>(0x3fe6a09e667f3bcdL);
        Vector<double> m = Vector.AsVectorDouble(mbits);

        Vector<double> f = m - Vector<double>.One;
        Vector<double> s = f / (new Vector<double>(2.0) + f);
        Vector<double> z = s * s;
        Vector<double> w = z * z;
        Vector<double> t1 = w * Vector.FusedMultiplyAdd(w, Vector.FusedMultiplyAdd(w, new Vector<double>(1.531383769920937332e-01), new Vector<double>(2.222219843214978396e-01)), new Vector<double>(3.999999999940941908e-01));
        Vector<double> t2 = z * Vector.FusedMultiplyAdd(w, Vector.FusedMultiplyAdd(w, Vector.FusedMultiplyAdd(w, new Vector<double>(1.479819860511658591e-01), new Vector<double>(1.818357216161805012e-01)), new Vector<double>(2.857142874366239149e-01)), new Vector<double>(6.666666666666735130e-01));
        Vector<double> r = t1 + t2;
        Vector<double> hfsq = new Vector<double>(0.5) * f * f;
        Vector<double> dk = Vector.ConvertToDouble(k);
        Vector<double> result = dk * new Vector<double>(Ln2Hi) - ((hfsq - (s * (hfsq + r) + dk * new Vector<double>(Ln2Lo))) - f);

        result = Vector.ConditionalSelect(Vector.Equals(x, Vector<double>.Zero), new Vector<double>(double.NegativeInfinity), result);
        result = Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), new Vector<double>(double.NaN), result);
        result = Vector.ConditionalSelect(Vector.Equals(x, new Vector<double>(double.PositiveInfinity)), x, result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// exp(x) - 1 without cancellation: x = n ln2 + r and expm1(r) by the shared reduction, then expm1(x) = 2^n expm1(r) + (2^n - 1) in one FMA, 2^n - 1 being exact.
    /// Exact at 0 and for subnormal x (n = 0 returns the series, whose square term underflows); -1 below -40 (where
    /// expm1 rounds to -1), exp(x) above 40; NaN propagates. Within 2 ulp of R's (C library) expm1 (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> ExpM1(Vector<double> x)
    {
        Vector<double> xc = Vector.Min(Vector.Max(x, new Vector<double>(-40.0)), new Vector<double>(40.0));
        Vector<double> em = ReducedExpM1(xc, out Vector<double> n);
        Vector<double> twoN = Vector.AsVectorDouble(Vector.ShiftLeft(Vector.ConvertToInt64(n) + new Vector<long>(1023), 52));
        Vector<double> result = Vector.FusedMultiplyAdd(twoN, em, twoN - Vector<double>.One);
        result = Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<double>(40.0)), Exp(x), result);
        result = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<double>(-40.0)), new Vector<double>(-1.0), result);
        result = Vector.ConditionalSelect(Vector.Equals(x, Vector<double>.Zero), x, result); // expm1(-0) = -0
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// log(1 + x) without cancellation (Goldberg: log(u) x / (u - 1) with u = 1 + x, which cancels the rounding of u),
    /// on the 1-ulp <see cref="Log(Vector{double})"/>. Exact for |x| below 2^-53 (u = 1 returns x, so +-0 and subnormals
    /// pass through); -Infinity at -1, NaN below, +Infinity at +Infinity. Within 2 ulp of R's log1p (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log1P(Vector<double> x)
    {
        Vector<double> u = Vector<double>.One + x;
        Vector<double> logU = Log(u);
        Vector<double> result = logU * (x / (u - Vector<double>.One));
        result = Vector.ConditionalSelect(Vector.Equals(u, Vector<double>.One), x, result);
        result = Vector.ConditionalSelect(Vector.Equals(u, new Vector<double>(double.PositiveInfinity)), logU, result);
        result = Vector.ConditionalSelect(Vector.Equals(u, Vector<double>.Zero), new Vector<double>(double.NegativeInfinity), result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), finite and accurate in both tails (exp(x) below
    /// -36, x above 37, no overflow); NaN propagates. Within 3 ulp of R's max(x, 0) + log1p(exp(-abs(x))) (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Softplus(Vector<double> x)
    {
        Vector<double> result = Vector.Max(x, Vector<double>.Zero) + Log1P(Exp(-Vector.Abs(x)));
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>log(logistic(x)) = -softplus(-x), finite for every finite x (about x below -37, exp(x) above 36).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> LogSigmoid(Vector<double> x) => -Softplus(-x);

    /// <summary>exp(-y^2 / 2) with y^2 split exactly by an FMA (see <see cref="Special.GaussianFactor"/>); 0 where y^2 &gt;= 1500.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> GaussianFactor(Vector<double> y)
    {
        Vector<double> hi = y * y;
        Vector<double> lo = Vector.FusedMultiplyAdd(y, y, -hi);
        Vector<double> f = Exp(new Vector<double>(-0.5) * hi) * Vector.FusedMultiplyAdd(new Vector<double>(-0.5), lo, Vector<double>.One);
        return Vector.ConditionalSelect(Vector.LessThan(hi, new Vector<double>(1500.0)), f, Vector<double>.Zero);
    }

    /// <summary>
    /// The standard normal CDF with Cody's three rational approximations (as <see cref="Special.NormalCdf"/>), every
    /// lane taking its own, in two divisions: the middle and tail rationals share one (the tail's polynomials in
    /// 1/x^2 are multiplied through by x^10), the central one has the other; the exponential runs on the 1-ulp vector
    /// exp with x^2 split exactly. Within 1e-14 relative of R's pnorm down to the lower tail's underflow (tested);
    /// NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> NormalCdf(Vector<double> x)
    {
        Vector<double> y = Vector.Abs(x);
        Vector<double> z = x * x;

        // Central, |x| <= 0.66291: 1/2 + x A(z) / B(z).
        Vector<double> cn = new Vector<double>(0.06568233791820745);
        cn = Vector.FusedMultiplyAdd(cn, z, new Vector<double>(2.2352520354606837));
        cn = Vector.FusedMultiplyAdd(cn, z, new Vector<double>(161.02823106855587));
        cn = Vector.FusedMultiplyAdd(cn, z, new Vector<double>(1067.6894854603709));
        cn = Vector.FusedMultiplyAdd(cn, z, new Vector<double>(18154.98125334356));
        Vector<double> cd = new Vector<double>(1.0);
        cd = Vector.FusedMultiplyAdd(cd, z, new Vector<double>(47.202581904688245));
        cd = Vector.FusedMultiplyAdd(cd, z, new Vector<double>(976.0985517377767));
        cd = Vector.FusedMultiplyAdd(cd, z, new Vector<double>(10260.932208618979));
        cd = Vector.FusedMultiplyAdd(cd, z, new Vector<double>(45507.78933502673));

        // Middle, |x| <= sqrt 32: M(y) / N(y). Tail: (c - T(z) / (z U(z))) / y with T and U Cody's rationals in 1/z
        // multiplied through by z^5, so that one division serves both (c = 1 / sqrt(2 pi)).
        Vector<double> mn = new Vector<double>(1.0765576773720192e-08);
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(0.39894151208813466));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(8.883149794388377));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(93.50665613217785));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(597.2702763948002));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(2494.5375852903726));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(6848.190450536283));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(11602.65143764735));
        mn = Vector.FusedMultiplyAdd(mn, y, new Vector<double>(9842.714838383978));
        Vector<double> md = new Vector<double>(1.0);
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(22.266688044328117));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(235.387901782625));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(1519.3775994075547));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(6485.558298266761));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(18615.571640885097));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(34900.95272114598));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(38912.00328609327));
        md = Vector.FusedMultiplyAdd(md, y, new Vector<double>(19685.429676859992));
        Vector<double> tn = new Vector<double>(2.9112874951168793e-05);
        tn = Vector.FusedMultiplyAdd(tn, z, new Vector<double>(0.0014216191932278934));
        tn = Vector.FusedMultiplyAdd(tn, z, new Vector<double>(0.022235277870649807));
        tn = Vector.FusedMultiplyAdd(tn, z, new Vector<double>(0.12740116116024736));
        tn = Vector.FusedMultiplyAdd(tn, z, new Vector<double>(0.215898534057957));
        tn = Vector.FusedMultiplyAdd(tn, z, new Vector<double>(0.023073441764940174));
        Vector<double> td = new Vector<double>(7.297515550839662e-05);
        td = Vector.FusedMultiplyAdd(td, z, new Vector<double>(0.0037823963320275824));
        td = Vector.FusedMultiplyAdd(td, z, new Vector<double>(0.06598813786892856));
        td = Vector.FusedMultiplyAdd(td, z, new Vector<double>(0.4682382124808651));
        td = Vector.FusedMultiplyAdd(td, z, new Vector<double>(1.284260096144911));
        td = Vector.FusedMultiplyAdd(td, z, new Vector<double>(1.0));
        Vector<double> zt = z * td;
        Vector<long> middle = Vector.LessThanOrEqual(y, new Vector<double>(Special.NormalTail));
        Vector<double> r = Vector.ConditionalSelect(middle, mn, Vector.FusedMultiplyAdd(new Vector<double>(Special.InvSqrt2Pi), zt, -tn))
            / Vector.ConditionalSelect(middle, md, zt * y);
        Vector<double> lower = GaussianFactor(y) * r;
        lower = Vector.ConditionalSelect(Vector.LessThan(y, new Vector<double>(38.7)), lower, Vector<double>.Zero); // Phi(-38.7) < 2^-1075; also keeps z^5 finite
        Vector<double> result = Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), lower, Vector<double>.One - lower);
        result = Vector.ConditionalSelect(Vector.LessThanOrEqual(y, new Vector<double>(Special.NormalCentral)), new Vector<double>(0.5) + x * cn / cd, result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>The standard normal density, exp(-x^2 / 2) / sqrt(2 pi) with x^2 split exactly; NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> NormalPdf(Vector<double> x)
    {
        Vector<double> result = new Vector<double>(Special.InvSqrt2Pi) * GaussianFactor(x);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>dst[i] = exp(src[i]); in place allowed.</summary>
    public static void Exp(ReadOnlySpan<double> src, Span<double> dst) => Apply<ExpOp>(src, dst);

    /// <summary>dst[i] = log(src[i]); in place allowed.</summary>
    public static void Log(ReadOnlySpan<double> src, Span<double> dst) => Apply<LogOp>(src, dst);

    /// <summary>dst[i] = exp(src[i]) - 1; in place allowed.</summary>
    public static void ExpM1(ReadOnlySpan<double> src, Span<double> dst) => Apply<ExpM1Op>(src, dst);

    /// <summary>dst[i] = log(1 + src[i]); in place allowed.</summary>
    public static void Log1P(ReadOnlySpan<double> src, Span<double> dst) => Apply<Log1POp>(src, dst);

    /// <summary>dst[i] = softplus(src[i]); in place allowed.</summary>
    public static void Softplus(ReadOnlySpan<double> src, Span<double> dst) => Apply<SoftplusOp>(src, dst);

    /// <summary>dst[i] = log(logistic(src[i])); in place allowed.</summary>
    public static void LogSigmoid(ReadOnlySpan<double> src, Span<double> dst) => Apply<LogSigmoidOp>(src, dst);

    /// <summary>An elementwise function in double and in float.</summary>
    internal interface IUnaryOp
    {
        static abstract Vector<double> Invoke(Vector<double> x);

        static abstract Vector<float> Invoke(Vector<float> x);
    }

    /// <summary>
    /// A float function computed in double on the widened lanes and rounded once: within 1 float ulp of the exact
    /// value whenever the double kernel is within a few double ulps.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Widened<TOp>(Vector<float> x) where TOp : struct, IUnaryOp
    {
        Vector.Widen(x, out Vector<double> lo, out Vector<double> hi);
        return Vector.Narrow(TOp.Invoke(lo), TOp.Invoke(hi));
    }

    internal readonly struct ExpOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => Exp(x);

        public static Vector<float> Invoke(Vector<float> x) => ActivationKernels.ExpF(x); // float-native, within 1 ulp
    }

    internal readonly struct LogOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => Log(x);

        public static Vector<float> Invoke(Vector<float> x) => ActivationKernels.LogF(x); // float-native, within 1 ulp
    }

    internal readonly struct NormalCdfOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => NormalCdf(x);

        public static Vector<float> Invoke(Vector<float> x) => Widened<NormalCdfOp>(x);
    }

    internal readonly struct NormalPdfOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => NormalPdf(x);

        public static Vector<float> Invoke(Vector<float> x) => Widened<NormalPdfOp>(x);
    }

    internal readonly struct ExpM1Op : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => ExpM1(x);

        public static Vector<float> Invoke(Vector<float> x) => Widened<ExpM1Op>(x);
    }

    internal readonly struct Log1POp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => Log1P(x);

        public static Vector<float> Invoke(Vector<float> x) => Widened<Log1POp>(x);
    }

    internal readonly struct SoftplusOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => Softplus(x);

        public static Vector<float> Invoke(Vector<float> x) => ActivationKernels.SoftplusF(x); // float-native, within 3 ulps
    }

    internal readonly struct LogSigmoidOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => LogSigmoid(x);

        public static Vector<float> Invoke(Vector<float> x) => Widened<LogSigmoidOp>(x);
    }

    /// <summary>
    /// The elementwise driver: full vectors, then the last full vector again overlapping the end (computed from the
    /// source before it is stored, so in-place is safe); spans shorter than a vector go through a padded vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<double> src, Span<double> dst) where TOp : struct, IUnaryOp
    {
        if (dst.Length < src.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(dst));
        int n = src.Length, vw = Vector<double>.Count;
        if (n < vw)
        {
            Span<double> tmp = stackalloc double[vw];
            tmp.Clear();
            src.CopyTo(tmp);
            TOp.Invoke(new Vector<double>(tmp)).CopyTo(tmp);
            tmp[..n].CopyTo(dst);
            return;
        }

        Vector<double> last = TOp.Invoke(new Vector<double>(src[(n - vw)..]));
        int i = 0;
        for (; i <= n - vw; i += vw) TOp.Invoke(new Vector<double>(src[i..])).CopyTo(dst[i..]);
        last.CopyTo(dst[(n - vw)..]);
    }

    /// <summary>The float driver, as the double one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<float> src, Span<float> dst) where TOp : struct, IUnaryOp
    {
        if (dst.Length < src.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(dst));
        int n = src.Length, vw = Vector<float>.Count;
        if (n < vw)
        {
            Span<float> tmp = stackalloc float[vw];
            tmp.Clear();
            src.CopyTo(tmp);
            TOp.Invoke(new Vector<float>(tmp)).CopyTo(tmp);
            tmp[..n].CopyTo(dst);
            return;
        }

        Vector<float> last = TOp.Invoke(new Vector<float>(src[(n - vw)..]));
        int i = 0;
        for (; i <= n - vw; i += vw) TOp.Invoke(new Vector<float>(src[i..])).CopyTo(dst[i..]);
        last.CopyTo(dst[(n - vw)..]);
    }
}

