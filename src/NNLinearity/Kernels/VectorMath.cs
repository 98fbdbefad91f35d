using System;
using System.Numerics;
using System.Runtime.CompilerServices;

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
    /// exp(x): x = n ln2 + r with |r| &lt;= ln2/2 (Cody-Waite reduction with FMA), exp(r) by its Taylor polynomial to
    /// degree 13 (truncation below 5e-18 relative), times 2^n built in two halves so that subnormal results are rounded
    /// once. Within 1 ulp of Math.Exp; +Infinity above 709.78, 0 below -745.13, NaN propagates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x)
    {
        Vector<double> xc = Vector.Min(Vector.Max(x, new Vector<double>(ExpUnderflow - 1)), new Vector<double>(ExpOverflow + 1));
        Vector<double> n = Vector.Round(xc * new Vector<double>(Log2E));
        Vector<double> r = Vector.FusedMultiplyAdd(n, new Vector<double>(-Ln2Hi), xc);
        r = Vector.FusedMultiplyAdd(n, new Vector<double>(-Ln2Lo), r);

        // Horner for sum_{k=0}^{13} r^k / k!
        Vector<double> p = new(1.0 / 6227020800.0);
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 479001600.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 39916800.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 3628800.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 362880.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 40320.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 5040.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 720.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 120.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 24.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 6.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(0.5));
        p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
        p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);

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

    /// <summary>dst[i] = exp(src[i]); in place allowed.</summary>
    public static void Exp(ReadOnlySpan<double> src, Span<double> dst) => Apply<ExpOp>(src, dst);

    /// <summary>dst[i] = log(src[i]); in place allowed.</summary>
    public static void Log(ReadOnlySpan<double> src, Span<double> dst) => Apply<LogOp>(src, dst);

    internal interface IUnaryOp
    {
        static abstract Vector<double> Invoke(Vector<double> x);
    }

    internal readonly struct ExpOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => Exp(x);
    }

    internal readonly struct LogOp : IUnaryOp
    {
        public static Vector<double> Invoke(Vector<double> x) => Log(x);
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
}
