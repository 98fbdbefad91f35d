using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NNLinearity.Numerics;

namespace NNLinearity.Kernels;

/// <summary>
/// Vectorised elementary functions in double precision, each written once against <see cref="ISimd{TSelf, T}"/> and
/// run on 512-bit vectors where they are accelerated (the runtime keeps <see cref="Vector{T}"/> at 256 bits on such
/// machines), else on <see cref="Vector{T}"/> (256-bit with AVX2, 128-bit on SSE/NEON, the runtime's software
/// fallback without SIMD). Every width gives the same bits (tested). The larger kernels are not inlined into their
/// callers, so that each is compiled with its wrapper calls inlined.
/// Accuracy, measured by tests against R and Math.Exp / Math.Log over the whole range including tails and subnormals,
/// is documented per method.
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
    private static TV ReducedExpM1<TV>(TV x, out TV n)
        where TV : struct, ISimd<TV, double>
    {
        n = TV.Round(x * TV.Create(Log2E));
        TV r = TV.Fma(n, TV.Create(-Ln2Hi), x);
        r = TV.Fma(n, TV.Create(-Ln2Lo), r);
        TV q = TV.Create(1.0 / 6227020800.0);
        q = TV.Fma(q, r, TV.Create(1.0 / 479001600.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 39916800.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 3628800.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 362880.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 40320.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 5040.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 720.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 120.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 24.0));
        q = TV.Fma(q, r, TV.Create(1.0 / 6.0));
        q = TV.Fma(q, r, TV.Create(0.5));
        return TV.Fma(r * r, q, r);
    }

    /// <summary>
    /// exp(x): x = n ln2 + r with |r| &lt;= ln2/2, exp(r) = 1 + expm1(r) by the shared reduction, times 2^n built in
    /// two halves so that subnormal results are rounded once. Within 1 ulp of Math.Exp and of R's exp (tested);
    /// +Infinity above 709.78, 0 below -745.13, NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // compiled once per width, not into every caller (a first fit compiles less)
    public static TV Exp<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        // Every lane with |x| <= 708 (the common case): the result is normal, so one exact scale by 2^n gives the bits
        // of the general path's two-half scale, with no clamps or special values; the general path stays out of line.
        if (TV.AllTrue(TV.LessThanOrEqual(TV.Abs(x), TV.Create(708.0))))
        {
            TV q = TV.Create(1.0) + ReducedExpM1(x, out TV m);
            return q * TV.Pow2(m);
        }

        return ExpGeneral(x);
    }

    /// <summary>The general path of <see cref="Exp{TV}(TV)"/>: results near or past overflow and underflow, and NaN.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TV ExpGeneral<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV xc = TV.ClampOrdered(x, TV.Create(ExpUnderflow - 1), TV.Create(ExpOverflow + 1));
        TV p = TV.Create(1.0) + ReducedExpM1(xc, out TV n);

        TV result = TV.ScaleByPow2(p, n);

        result = TV.Select(TV.GreaterThan(x, TV.Create(ExpOverflow)), TV.Create(double.PositiveInfinity), result);
        result = TV.Select(TV.LessThan(x, TV.Create(ExpUnderflow)), TV.Create(0.0), result);
        return TV.Select(TV.Equal(x, x), result, x); // NaN in, NaN out
    }

    /// <summary>
    /// log(x): x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1 (exact), s = f / (2 + f), and
    /// log(m) = f - (f^2/2 - s (f^2/2 + R(s^2))) with fdlibm's minimax R (its e_log.c), which keeps the result within
    /// 1 ulp. Subnormal inputs are scaled by 2^54 first; log(0) = -Infinity, log(x &lt; 0) = NaN, log(+Inf) = +Inf.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // compiled once per width, not into every caller
    public static TV Log<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        // Every lane positive, normal and finite (the common case): no subnormal scaling and no special values to put
        // back, the same bits; the general path stays out of line.
        if (TV.AllTrue(TV.Equal(TV.ClampOrdered(x, TV.Create(2.2250738585072014e-308), TV.Create(double.MaxValue)), x))) return LogCore(x, normal: true);
        return LogGeneral(x);
    }

    /// <summary>The general path of <see cref="Log{TV}(TV)"/>: zero, negative, subnormal, infinite and NaN lanes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TV LogGeneral<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV result = LogCore(x, normal: false);
        result = TV.Select(TV.Equal(x, TV.Create(0.0)), TV.Create(double.NegativeInfinity), result);
        result = TV.Select(TV.LessThan(x, TV.Create(0.0)), TV.Create(double.NaN), result);
        result = TV.Select(TV.Equal(x, TV.Create(double.PositiveInfinity)), x, result);
        return TV.Select(TV.Equal(x, x), result, x);
    }

    /// <summary>fdlibm's log for positive x (subnormals scaled by 2^54 first unless <paramref name="normal"/>), before the special values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LogCore<TV>(TV x, bool normal)
        where TV : struct, ISimd<TV, double>
    {
        // x = 2^k m, subnormals scaled by 2^54 first.
        TV dk;
        TV m = normal ? TV.ReduceNormal(x, out dk) : TV.Reduce(x, out dk);

        TV f = m - TV.Create(1.0);
        TV s = f / (TV.Create(2.0) + f);
        TV z = s * s;
        TV w = z * z;
        TV t1 = w * TV.Fma(w, TV.Fma(w, TV.Create(1.531383769920937332e-01), TV.Create(2.222219843214978396e-01)), TV.Create(3.999999999940941908e-01));
        TV t2 = z * TV.Fma(w, TV.Fma(w, TV.Fma(w, TV.Create(1.479819860511658591e-01), TV.Create(1.818357216161805012e-01)), TV.Create(2.857142874366239149e-01)), TV.Create(6.666666666666735130e-01));
        TV r = t1 + t2;
        TV hfsq = TV.Create(0.5) * f * f;
        return dk * TV.Create(Ln2Hi) - ((hfsq - (s * (hfsq + r) + dk * TV.Create(Ln2Lo))) - f);
    }

    /// <summary>
    /// exp(x) - 1 without cancellation: x = n ln2 + r and expm1(r) by the shared reduction, then expm1(x) = 2^n expm1(r) + (2^n - 1) in one FMA, 2^n - 1 being exact.
    /// Exact at 0 and for subnormal x (n = 0 returns the series, whose square term underflows); -1 below -40 (where
    /// expm1 rounds to -1), exp(x) above 40; NaN propagates. Within 2 ulp of R's (C library) expm1 (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static TV ExpM1<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV xc = TV.ClampOrdered(x, TV.Create(-40.0), TV.Create(40.0));
        TV em = ReducedExpM1(xc, out TV n);
        TV twoN = TV.Pow2(n);
        TV result = TV.Fma(twoN, em, twoN - TV.Create(1.0));
        result = TV.Select(TV.GreaterThan(x, TV.Create(40.0)), Exp(x), result);
        result = TV.Select(TV.LessThan(x, TV.Create(-40.0)), TV.Create(-1.0), result);
        result = TV.Select(TV.Equal(x, TV.Create(0.0)), x, result); // expm1(-0) = -0
        return TV.Select(TV.Equal(x, x), result, x);
    }

    /// <summary>
    /// log(1 + x) without cancellation (Goldberg: log(u) x / (u - 1) with u = 1 + x, which cancels the rounding of u),
    /// on the 1-ulp <see cref="Log(Vector{double})"/>. Exact for |x| below 2^-53 (u = 1 returns x, so +-0 and subnormals
    /// pass through); -Infinity at -1, NaN below, +Infinity at +Infinity. Within 2 ulp of R's log1p (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static TV Log1P<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV u = TV.Create(1.0) + x;
        TV logU = Log(u);
        TV result = logU * (x / (u - TV.Create(1.0)));
        result = TV.Select(TV.Equal(u, TV.Create(1.0)), x, result);
        result = TV.Select(TV.Equal(u, TV.Create(double.PositiveInfinity)), logU, result);
        result = TV.Select(TV.Equal(u, TV.Create(0.0)), TV.Create(double.NegativeInfinity), result);
        return TV.Select(TV.Equal(x, x), result, x);
    }

    /// <summary>
    /// softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), finite and accurate in both tails (exp(x) below
    /// -36, x above 37, no overflow); NaN propagates. Within 3 ulp of R's max(x, 0) + log1p(exp(-abs(x))) (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static TV Softplus<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV result = TV.Max(x, TV.Create(0.0)) + Log1P(Exp(-TV.Abs(x)));
        return TV.Select(TV.Equal(x, x), result, x);
    }

    /// <summary>log(logistic(x)) = -softplus(-x), finite for every finite x (about x below -37, exp(x) above 36).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV LogSigmoid<TV>(TV x)
        where TV : struct, ISimd<TV, double> => -Softplus(-x);

    /// <summary>exp(-y^2 / 2) with y^2 split exactly by an FMA (see <see cref="Special.GaussianFactor"/>); 0 where y^2 &gt;= 1500.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV GaussianFactor<TV>(TV y)
        where TV : struct, ISimd<TV, double>
    {
        TV hi = y * y;
        TV lo = TV.Fma(y, y, -hi);
        TV f = Exp(TV.Create(-0.5) * hi) * TV.Fma(TV.Create(-0.5), lo, TV.Create(1.0));
        return TV.Select(TV.LessThan(hi, TV.Create(1500.0)), f, TV.Create(0.0));
    }

    /// <summary>
    /// The standard normal CDF with Cody's three rational approximations (as <see cref="Special.NormalCdf"/>), every
    /// lane taking its own, in two divisions: the middle and tail rationals share one (the tail's polynomials in
    /// 1/x^2 are multiplied through by x^10), the central one has the other; the exponential runs on the 1-ulp vector
    /// exp with x^2 split exactly. Within 8 ulps of R's pnorm down to the lower tail's underflow (tested on a 4,001-point
    /// sweep of the lower tail, 6 measured; 7 and 9.9e-16 relative the largest on a 60,001-point sweep); NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static TV NormalCdf<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV y = TV.Abs(x);
        TV z = x * x;

        // Central, |x| <= 0.66291: 1/2 + x A(z) / B(z).
        TV cn = TV.Create(0.06568233791820745);
        cn = TV.Fma(cn, z, TV.Create(2.2352520354606837));
        cn = TV.Fma(cn, z, TV.Create(161.02823106855587));
        cn = TV.Fma(cn, z, TV.Create(1067.6894854603709));
        cn = TV.Fma(cn, z, TV.Create(18154.98125334356));
        TV cd = TV.Create(1.0);
        cd = TV.Fma(cd, z, TV.Create(47.202581904688245));
        cd = TV.Fma(cd, z, TV.Create(976.0985517377767));
        cd = TV.Fma(cd, z, TV.Create(10260.932208618979));
        cd = TV.Fma(cd, z, TV.Create(45507.78933502673));

        // Middle, |x| <= sqrt 32: M(y) / N(y). Tail: (c - T(z) / (z U(z))) / y with T and U Cody's rationals in 1/z
        // multiplied through by z^5, so that one division serves both (c = 1 / sqrt(2 pi)).
        TV mn = TV.Create(1.0765576773720192e-08);
        mn = TV.Fma(mn, y, TV.Create(0.39894151208813466));
        mn = TV.Fma(mn, y, TV.Create(8.883149794388377));
        mn = TV.Fma(mn, y, TV.Create(93.50665613217785));
        mn = TV.Fma(mn, y, TV.Create(597.2702763948002));
        mn = TV.Fma(mn, y, TV.Create(2494.5375852903726));
        mn = TV.Fma(mn, y, TV.Create(6848.190450536283));
        mn = TV.Fma(mn, y, TV.Create(11602.65143764735));
        mn = TV.Fma(mn, y, TV.Create(9842.714838383978));
        TV md = TV.Create(1.0);
        md = TV.Fma(md, y, TV.Create(22.266688044328117));
        md = TV.Fma(md, y, TV.Create(235.387901782625));
        md = TV.Fma(md, y, TV.Create(1519.3775994075547));
        md = TV.Fma(md, y, TV.Create(6485.558298266761));
        md = TV.Fma(md, y, TV.Create(18615.571640885097));
        md = TV.Fma(md, y, TV.Create(34900.95272114598));
        md = TV.Fma(md, y, TV.Create(38912.00328609327));
        md = TV.Fma(md, y, TV.Create(19685.429676859992));
        TV tn = TV.Create(2.9112874951168793e-05);
        tn = TV.Fma(tn, z, TV.Create(0.0014216191932278934));
        tn = TV.Fma(tn, z, TV.Create(0.022235277870649807));
        tn = TV.Fma(tn, z, TV.Create(0.12740116116024736));
        tn = TV.Fma(tn, z, TV.Create(0.215898534057957));
        tn = TV.Fma(tn, z, TV.Create(0.023073441764940174));
        TV td = TV.Create(7.297515550839662e-05);
        td = TV.Fma(td, z, TV.Create(0.0037823963320275824));
        td = TV.Fma(td, z, TV.Create(0.06598813786892856));
        td = TV.Fma(td, z, TV.Create(0.4682382124808651));
        td = TV.Fma(td, z, TV.Create(1.284260096144911));
        td = TV.Fma(td, z, TV.Create(1.0));
        TV zt = z * td;
        TV middle = TV.LessThanOrEqual(y, TV.Create(Special.NormalTail));
        TV r = TV.Select(middle, mn, TV.Fma(TV.Create(Special.InvSqrt2Pi), zt, -tn))
            / TV.Select(middle, md, zt * y);
        TV lower = GaussianFactor(y) * r;
        lower = TV.Select(TV.LessThan(y, TV.Create(38.7)), lower, TV.Create(0.0)); // Phi(-38.7) < 2^-1075; also keeps z^5 finite
        TV result = TV.Select(TV.LessThan(x, TV.Create(0.0)), lower, TV.Create(1.0) - lower);
        result = TV.Select(TV.LessThanOrEqual(y, TV.Create(Special.NormalCentral)), TV.Create(0.5) + x * cn / cd, result);
        return TV.Select(TV.Equal(x, x), result, x);
    }

    /// <summary>
    /// The standard normal CDF in float: Phi(-a) = exp(-a^2 / 2) N(a) / D(a) for a = |x|, and Phi(x) = 1 - Phi(-x) for
    /// x &gt;= 0. N (degree 4) and D (degree 5) are a rational fit with relative error 7.3e-9 on [0, 14.2]
    /// (<c>src/NNLinearity/Kernels/fits/normal_cdf_float.R</c>); they are evaluated in double on widened
    /// lanes, because a float Horner chain alone costs up to 3 ulps. The exponential runs in float on a^2 split exactly
    /// by an FMA (so it sees no rounded argument). One float exponential and one double division per lane, no branch;
    /// within 4 float ulps of the rounded double value over the whole range (tested on a sweep of the floats),
    /// subnormal results included; NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static TF NormalCdfF<TF, TD>(TF x)
        where TF : struct, ISimdF<TF, TD>
        where TD : struct, ISimd<TD, double>
    {
        TF a = TF.Abs(x);
        TF hi = a * a;
        TF lo = TF.Fma(a, a, -hi);
        TF e = ActivationKernels.ExpF(TF.Create(-0.5f) * hi);
        e = TF.Fma(e, TF.Create(-0.5f) * lo, e);
        TF.Widen(TF.Min(a, TF.Create(16f)), out TD a0, out TD a1); // Min keeps D finite; Phi(-16) is 0 in float
        TF.Widen(e, out TD e0, out TD e1);
        TF lower = TF.Narrow(e0 * TailRatio(a0), e1 * TailRatio(a1));
        lower = TF.Select(TF.LessThan(a, TF.Create(14.5f)), lower, TF.Create(0f)); // also clears exp's NaN at a = Inf
        TF result = TF.Select(TF.LessThan(x, TF.Create(0f)), lower, TF.Create(1f) - lower);
        return TF.Select(TF.Equal(x, x), result, x);
    }

    /// <summary>N(a) / D(a) ~ Phi(-a) exp(a^2 / 2) for 0 &lt;= a &lt;= 16: the float normal CDF's tail ratio.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD TailRatio<TD>(TD a)
        where TD : struct, ISimd<TD, double>
    {
        TD n = TD.Create(0.0040733446387152834);
        n = TD.Fma(n, a, TD.Create(0.040350009283249402));
        n = TD.Fma(n, a, TD.Create(0.18240454418965699));
        n = TD.Fma(n, a, TD.Create(0.43718858234986729));
        n = TD.Fma(n, a, TD.Create(0.50000000253240462));
        TD d = TD.Create(0.01021023288231865);
        d = TD.Fma(d, a, TD.Create(0.1011492592442239));
        d = TD.Fma(d, a, TD.Create(0.46727509052503763));
        d = TD.Fma(d, a, TD.Create(1.199076871425105));
        d = TD.Fma(d, a, TD.Create(1.6722620965579511));
        d = TD.Fma(d, a, TD.Create(1.0));
        return n / d;
    }

    /// <summary>The standard normal density, exp(-x^2 / 2) / sqrt(2 pi) with x^2 split exactly; NaN propagates.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static TV NormalPdf<TV>(TV x)
        where TV : struct, ISimd<TV, double>
    {
        TV result = TV.Create(Special.InvSqrt2Pi) * GaussianFactor(x);
        return TV.Select(TV.Equal(x, x), result, x);
    }

    /// <summary>dst[i] = exp(src[i]); in place allowed.</summary>
    /// <summary>exp on one <see cref="Vector{T}"/> (see <see cref="Exp{TV}(TV)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x) => Exp(new VecD(x)).V;

    /// <summary>log on one <see cref="Vector{T}"/> (see <see cref="Log{TV}(TV)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x) => Log(new VecD(x)).V;

    public static void Exp(ReadOnlySpan<double> src, Span<double> dst) => Apply<ExpOp>(src, dst);

    public static void Log(ReadOnlySpan<double> src, Span<double> dst) => Apply<LogOp>(src, dst);

    public static void ExpM1(ReadOnlySpan<double> src, Span<double> dst) => Apply<ExpM1Op>(src, dst);

    public static void Log1P(ReadOnlySpan<double> src, Span<double> dst) => Apply<Log1POp>(src, dst);

    public static void Softplus(ReadOnlySpan<double> src, Span<double> dst) => Apply<SoftplusOp>(src, dst);

    public static void LogSigmoid(ReadOnlySpan<double> src, Span<double> dst) => Apply<LogSigmoidOp>(src, dst);

    /// <summary>An elementwise function on double lanes and on float lanes, for every width.</summary>
    internal interface IUnaryOp
    {
        static abstract TV Invoke<TV>(TV x)
            where TV : struct, ISimd<TV, double>;

        static abstract TF Invoke<TF, TD>(TF x)
            where TF : struct, ISimdF<TF, TD>
            where TD : struct, ISimd<TD, double>;
    }

    /// <summary>The double kernel on widened lanes, rounded to float once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TF Widened<TOp, TF, TD>(TF x)
        where TOp : struct, IUnaryOp
        where TF : struct, ISimdF<TF, TD>
        where TD : struct, ISimd<TD, double>
    {
        TF.Widen(x, out TD lo, out TD hi);
        return TF.Narrow(TOp.Invoke(lo), TOp.Invoke(hi));
    }

    internal readonly struct ExpOp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => Exp(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => ActivationKernels.ExpF(x); // float-native, within 1 ulp
    }

    internal readonly struct LogOp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => Log(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => ActivationKernels.LogF(x); // float-native, within 1 ulp
    }

    internal readonly struct NormalCdfOp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => NormalCdf(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => NormalCdfF<TF, TD>(x); // float exp, double tail ratio: within 4 ulps
    }

    internal readonly struct NormalPdfOp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => NormalPdf(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => Widened<NormalPdfOp, TF, TD>(x);
    }

    internal readonly struct ExpM1Op : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => ExpM1(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => Widened<ExpM1Op, TF, TD>(x);
    }

    internal readonly struct Log1POp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => Log1P(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => Widened<Log1POp, TF, TD>(x);
    }

    internal readonly struct SoftplusOp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => Softplus(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => ActivationKernels.SoftplusF(x); // float-native, within 3 ulps
    }

    internal readonly struct LogSigmoidOp : IUnaryOp
    {
        public static TV Invoke<TV>(TV x) where TV : struct, ISimd<TV, double> => LogSigmoid(x);

        public static TF Invoke<TF, TD>(TF x) where TF : struct, ISimdF<TF, TD> where TD : struct, ISimd<TD, double> => Widened<LogSigmoidOp, TF, TD>(x);
    }

    /// <summary>
    /// True when 512-bit vectors are accelerated but <see cref="Vector{T}"/> is narrower (the runtime keeps it at 256
    /// bits by default): the span kernels then run on <see cref="Vector512{T}"/>.
    /// </summary>
    internal static bool Use512 => Vector512.IsHardwareAccelerated && Vector<byte>.Count < Vector512<byte>.Count;

    /// <summary>dst[i] = f(src[i]) on the widest accelerated vectors; dst may alias src.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<double> src, Span<double> dst) where TOp : struct, IUnaryOp
    {
        if (Use512) Apply<TOp, Vec512D>(src, dst);
        else Apply<TOp, VecD>(src, dst);
    }

    /// <summary>dst[i] = f(src[i]) on float lanes on the widest accelerated vectors; dst may alias src.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ReadOnlySpan<float> src, Span<float> dst) where TOp : struct, IUnaryOp
    {
        if (Use512) Apply<TOp, Vec512F, Vec512D>(src, dst);
        else Apply<TOp, VecF, VecD>(src, dst);
    }

    /// <summary>The double span kernel on one width (tests force each width through it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Apply<TOp, TV>(ReadOnlySpan<double> src, Span<double> dst)
        where TOp : struct, IUnaryOp
        where TV : struct, ISimd<TV, double>
    {
        if (dst.Length < src.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(dst));
        int n = src.Length, vw = TV.Count;
        if (n < vw)
        {
            Span<double> tmp = stackalloc double[vw];
            tmp.Clear();
            src.CopyTo(tmp);
            ref double t = ref MemoryMarshal.GetReference(tmp);
            TV.Store(TOp.Invoke(TV.Load(ref t, 0)), ref t, 0);
            tmp[..n].CopyTo(dst);
            return;
        }

        if (StreamingDriver.Worthwhile(n, sizeof(double)) && TryStream<UnaryBody<TOp, TV>, TV, double>(src, dst)) return;

        // The last full vector is computed before anything is stored, so that dst may alias src.
        ref double s = ref MemoryMarshal.GetReference(src);
        ref double d = ref MemoryMarshal.GetReference(dst);
        nuint lastAt = (nuint)(n - vw);
        TV last = TOp.Invoke(TV.Load(ref s, lastAt));
        for (nuint i = 0; i <= lastAt; i += (nuint)vw) TV.Store(TOp.Invoke(TV.Load(ref s, i)), ref d, i);
        TV.Store(last, ref d, lastAt);
    }

    /// <summary>The float span kernel on one width (tests force each width through it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Apply<TOp, TF, TD>(ReadOnlySpan<float> src, Span<float> dst)
        where TOp : struct, IUnaryOp
        where TF : struct, ISimdF<TF, TD>
        where TD : struct, ISimd<TD, double>
    {
        if (dst.Length < src.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(dst));
        int n = src.Length, vw = TF.Count;
        if (n < vw)
        {
            Span<float> tmp = stackalloc float[vw];
            tmp.Clear();
            src.CopyTo(tmp);
            ref float t = ref MemoryMarshal.GetReference(tmp);
            TF.Store(TOp.Invoke<TF, TD>(TF.Load(ref t, 0)), ref t, 0);
            tmp[..n].CopyTo(dst);
            return;
        }

        if (StreamingDriver.Worthwhile(n, sizeof(float)) && TryStream<UnaryBodyF<TOp, TF, TD>, TF, float>(src, dst)) return;

        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        nuint lastAt = (nuint)(n - vw);
        TF last = TOp.Invoke<TF, TD>(TF.Load(ref s, lastAt));
        for (nuint i = 0; i <= lastAt; i += (nuint)vw) TF.Store(TOp.Invoke<TF, TD>(TF.Load(ref s, i)), ref d, i);
        TF.Store(last, ref d, lastAt);
    }

    private static unsafe bool TryStream<TBody, TV, T>(ReadOnlySpan<T> src, Span<T> dst)
        where TBody : struct, IVectorBody<TV>
        where TV : struct, ISimd<TV, T>
        where T : unmanaged
    {
        fixed (T* s = src)
        fixed (T* d = dst)
        {
            return StreamingDriver.Run<TBody, TV, T>(s, d, null, src.Length);
        }
    }

    private readonly struct UnaryBody<TOp, TV> : IVectorBody<TV>
        where TOp : struct, IUnaryOp
        where TV : struct, ISimd<TV, double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Invoke(TV x, out TV first, out TV second)
        {
            first = TOp.Invoke(x);
            second = first;
        }
    }

    private readonly struct UnaryBodyF<TOp, TF, TD> : IVectorBody<TF>
        where TOp : struct, IUnaryOp
        where TF : struct, ISimdF<TF, TD>
        where TD : struct, ISimd<TD, double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Invoke(TF x, out TF first, out TF second)
        {
            first = TOp.Invoke<TF, TD>(x);
            second = first;
        }
    }
}
